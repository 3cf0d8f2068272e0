import { randomBytes } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { chatDb } from '../crm/chat-schema.js'
import type { Database } from '../crm/schema.js'
import type { CustomerSummary } from '../routing/types.js'

/** A page view less than this long after the previous one belongs to the same visit. */
export const VISIT_GAP_MS = 30 * 60_000
/** Page views the agent's panel shows at most. */
export const PAGES_SHOWN = 50

export interface VisitorRow {
  id: string
  site: string
  customerId: number | null
  leadId: number | null
  firstSeen: number
  lastSeen: number
  visits: number
}

/** 32 random bytes in base64url: 256 bits, never guessed, never derived from anything. */
export function newVisitorId(): string {
  return randomBytes(32).toString('base64url')
}

/** The shape newVisitorId makes; anything else is never looked up. */
export function isVisitorId(id: unknown): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9_-]{43}$/.test(id)
}

/** Visitors, their page views and who they are, in PostgreSQL. */
export class VisitorStore {
  private readonly db

  constructor(db: Kysely<Database>) {
    this.db = chatDb(db)
  }

  async find(id: string): Promise<VisitorRow | null> {
    const row = await this.db.selectFrom('visitors').selectAll().where('id', '=', id).executeTakeFirst()
    if (!row) return null
    return { id: row.id, site: row.site, customerId: row.customer_id === null ? null : Number(row.customer_id), leadId: row.lead_id === null ? null : Number(row.lead_id), firstSeen: row.first_seen.getTime(), lastSeen: row.last_seen.getTime(), visits: row.visits }
  }

  async create(id: string, site: string, at: number): Promise<VisitorRow> {
    await this.db.insertInto('visitors').values({ id, site, first_seen: new Date(at), last_seen: new Date(at), visits: 1 }).execute()
    return { id, site, customerId: null, leadId: null, firstSeen: at, lastSeen: at, visits: 1 }
  }

  /** Records a page view; returns the visit number and its page count. */
  async view(visitor: VisitorRow, page: { url: string; title: string | null; product: string | null }, at: number): Promise<{ visit: number; pages: number }> {
    const newVisit = at - visitor.lastSeen >= VISIT_GAP_MS
    const visit = newVisit ? visitor.visits + 1 : visitor.visits
    await this.db.updateTable('visitors').set({ last_seen: new Date(at), visits: visit }).where('id', '=', visitor.id).execute()
    await this.db.insertInto('chat_page_views').values({ visitor_id: visitor.id, visit, url: page.url, title: page.title, product: page.product, at: new Date(at) }).execute()
    visitor.lastSeen = at
    visitor.visits = visit
    const { n } = await this.db.selectFrom('chat_page_views').select(sql<number>`count(*)::int`.as('n')).where('visitor_id', '=', visitor.id).where('visit', '=', visit).executeTakeFirstOrThrow()
    return { visit, pages: n }
  }

  /** The latest page views, oldest first. */
  async pages(visitorId: string, limit = PAGES_SHOWN): Promise<{ url: string; title: string | null; product: string | null; at: number }[]> {
    const rows = await this.db.selectFrom('chat_page_views').select(['url', 'title', 'product', 'at']).where('visitor_id', '=', visitorId).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute()
    return rows.reverse().map((r) => ({ url: r.url, title: r.title, product: r.product, at: r.at.getTime() }))
  }

  async link(visitorId: string, who: { customerId: number | null; leadId: number | null }): Promise<void> {
    await this.db.updateTable('visitors').set({ customer_id: who.customerId, lead_id: who.leadId }).where('id', '=', visitorId).execute()
    // The visitor's chats so far join the customer's (or lead's) history too.
    await this.db.updateTable('chats').set({ customer_id: who.customerId, lead_id: who.leadId }).where('visitor_id', '=', visitorId).execute()
  }

  /** The customer, else the open lead, with this phone (E.164) or e-mail (lower-cased); null when none. */
  async match(phone: string | null, email: string | null): Promise<{ customerId: number | null; leadId: number | null } | null> {
    if (phone !== null) {
      const c = await this.db.selectFrom('customer_phones').select('customer_id').where('phone', '=', phone).executeTakeFirst()
      if (c) return { customerId: Number(c.customer_id), leadId: null }
    }
    if (email !== null) {
      const c = await this.db.selectFrom('customers').select('id').where(sql`lower(email)`, '=', email).orderBy('id').executeTakeFirst()
      if (c) return { customerId: Number(c.id), leadId: null }
    }
    let lead = phone === null ? undefined : await this.db.selectFrom('leads').select('id').where('phone', '=', phone).where('status', 'not in', ['lost', 'converted']).orderBy('id', 'desc').executeTakeFirst()
    if (!lead && email !== null) lead = await this.db.selectFrom('leads').select('id').where(sql`lower(email)`, '=', email).where('status', 'not in', ['lost', 'converted']).orderBy('id', 'desc').executeTakeFirst()
    return lead ? { customerId: null, leadId: Number(lead.id) } : null
  }

  async customerExists(id: number): Promise<boolean> {
    return (await this.db.selectFrom('customers').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
  }

  async leadExists(id: number): Promise<boolean> {
    return (await this.db.selectFrom('leads').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
  }

  /** Names for the agent's panel. */
  async names(who: { customerId: number | null; leadId: number | null }): Promise<{ customer: { id: string; name: string } | null; lead: { id: string; name: string } | null }> {
    const customer = who.customerId === null ? undefined : await this.db.selectFrom('customers').select(['id', 'name']).where('id', '=', who.customerId).executeTakeFirst()
    const lead = who.leadId === null ? undefined : await this.db.selectFrom('leads').select(['id', 'name', 'phone']).where('id', '=', who.leadId).executeTakeFirst()
    return {
      customer: customer ? { id: String(customer.id), name: customer.name } : null,
      lead: lead ? { id: String(lead.id), name: lead.name ?? lead.phone ?? `lead ${lead.id}` } : null
    }
  }

  /**
   * What routing needs of the visitor: the customer's summary, or for a lead one made of the lead
   * (its agent as owner), so that "returning → owner → last agent" holds for both.
   */
  async summary(who: { customerId: number | null; leadId: number | null }): Promise<CustomerSummary | null> {
    if (who.customerId !== null) {
      const c = await this.db.selectFrom('customers').selectAll().where('id', '=', who.customerId).executeTakeFirst()
      if (!c) return null
      return {
        id: String(c.id), name: c.name, ownerAgentId: c.owner_agent_id, tier: c.tier, segment: c.segment, language: c.language,
        overdueAmount: Number(c.overdue_amount), overdueDays: c.overdue_days, blocked: c.blocked, lastAgentId: c.last_agent_id,
        lastContactAt: c.last_contact_at ? c.last_contact_at.getTime() : null, openDealStage: null
      }
    }
    return null
  }

  /**
   * Who routing treats a visitor as: a linked customer as themselves; a linked lead, or a visitor
   * an agent chatted with before, as a known caller whose owner is the lead's agent and whose last
   * agent is the one of their last answered chat. So a returning visitor reaches the same person.
   */
  async routingSummary(visitor: VisitorRow): Promise<CustomerSummary | null> {
    const last = await this.db.selectFrom('chats').select(['agent_id', 'answered_at']).where('visitor_id', '=', visitor.id).where('answered_at', 'is not', null).orderBy('answered_at', 'desc').limit(1).executeTakeFirst()
    const lastAgentId = last?.agent_id ?? null
    const lastContactAt = last?.answered_at ? last.answered_at.getTime() : null
    const customer = await this.summary(visitor)
    if (customer) return customer.lastAgentId === null && lastAgentId !== null ? { ...customer, lastAgentId, lastContactAt } : customer
    let ownerAgentId: string | null = null
    if (visitor.leadId !== null) {
      const lead = await this.db.selectFrom('leads').select(['agent_id', 'last_agent_id', 'last_contact_at']).where('id', '=', visitor.leadId).executeTakeFirst()
      ownerAgentId = lead?.agent_id ?? null
    }
    if (ownerAgentId === null && lastAgentId === null) return null
    return {
      id: visitor.leadId !== null ? `lead:${visitor.leadId}` : `visitor:${visitor.id}`, name: '', ownerAgentId, tier: null, segment: null, language: null,
      overdueAmount: 0, overdueDays: 0, blocked: false, lastAgentId, lastContactAt, openDealStage: null
    }
  }
}

/** A chat's transcript and row as PostgreSQL holds them, for a reconnect after Redis or memory let go. */
export async function storedTranscript(db: Kysely<Database>, chatId: string, since: number): Promise<{ seq: number; from: 'agent' | 'visitor'; text?: string; card?: { title: string; summary: string; url: string }; at: string }[]> {
  const rows = await chatDb(db).selectFrom('chat_messages').selectAll().where('chat_id', '=', chatId).where('seq', '>', since).orderBy('seq').execute()
  return rows.map((r) => ({ seq: r.seq, from: r.sender, ...(r.text !== null ? { text: r.text } : {}), ...(r.card ? { card: r.card as { title: string; summary: string; url: string } } : {}), at: r.at.toISOString() }))
}

/** A chat the store no longer holds, from PostgreSQL: its agent's name and the transcript after `since`; null when it is not this visitor's. */
export async function endedChatOf(db: Kysely<Database>, chatId: string, visitorId: string, since: number): Promise<{ agentName: string | null; messages: Awaited<ReturnType<typeof storedTranscript>> } | null> {
  const row = await chatDb(db).selectFrom('chats').leftJoin('agents', 'agents.id', 'chats.agent_id').select(['chats.id', 'agents.name']).where('chats.id', '=', chatId).where('chats.visitor_id', '=', visitorId).executeTakeFirst()
  if (!row) return null
  return { agentName: row.name ?? null, messages: await storedTranscript(db, chatId, since) }
}
