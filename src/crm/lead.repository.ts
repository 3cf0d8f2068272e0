import { sql, type Kysely, type Selectable } from 'kysely'
import { CtiError } from '../errors.js'
import type { LineInfo } from '../routing/types.js'
import type { Database, LeadTable } from './schema.js'

/** A lead as the API and the card show it. */
export interface Lead {
  id: number
  phone: string | null
  visitorId: string | null
  name: string | null
  line: string | null
  source: string | null
  campaign: string | null
  cost: number | null
  agentId: string | null
  customerId: number | null
  status: string
  lostReason: string | null
  createdAt: string
  convertedAt: string | null
  lostAt: string | null
  /** The agent of the lead's last answered talk long enough to count, and when the lead was last talked to. */
  lastAgentId: string | null
  lastContactAt: string | null
}

/** What made a lead: the first interaction of a caller or visitor the CRM does not know. */
export interface LeadOrigin {
  phone: string | null
  visitorId?: string | null
  line: LineInfo | null
  /** The agent the interaction was routed to first, if any. */
  agentId: string | null
  callId: string
  at: number
  /** Where the lead came from when no line says it (a web visit). */
  fallbackSource?: string | null
}

export const LeadErrors = {
  notFound: (id: number) => new CtiError('CTI_ERR_LEAD_NOT_FOUND', `no lead has id ${id}`, 404, 404),
  notFoundByPhone: (phone: string) => new CtiError('CTI_ERR_LEAD_NOT_FOUND', `no open lead has phone ${phone}`, 404, 404),
  alreadyConverted: (id: number, customerId: number) =>
    new CtiError('CTI_ERR_LEAD_CONVERTED', `lead ${id} is already customer ${customerId}`, 409, 409),
  noContact: () => new CtiError('CTI_ERR_BAD_REQUEST', 'a lead needs a phone or a visitor id', 400, 400)
} as const

type LeadRow = Selectable<LeadTable>

/**
 * The open (not yet converted) lead with this number or visitor id, or a new
 * one made from the interaction's line. Safe against two processes creating
 * the same lead at once: the partial unique indexes of sql/004 decide.
 */
export async function findOrCreateLead(db: Kysely<Database>, origin: LeadOrigin): Promise<{ lead: Lead; created: boolean }> {
  if (!origin.phone && !origin.visitorId) throw LeadErrors.noContact()
  const existing = await findOpenLeadRow(db, origin.phone, origin.visitorId ?? null)
  if (existing) return { lead: toLead(existing), created: false }
  const inserted = await db
    .insertInto('leads')
    .values(leadValues(origin))
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst()
  if (inserted) return { lead: toLead(inserted), created: true }
  // Another process made it a moment ago.
  const raced = await findOpenLeadRow(db, origin.phone, origin.visitorId ?? null)
  if (!raced) throw new Error('lead neither inserted nor found')
  return { lead: toLead(raced), created: false }
}

/**
 * findOrCreateLead for many interactions at once: one read of the open leads
 * their numbers and visitor ids have, one multi-row INSERT for the others, in
 * order (two calls of one new number make one lead: the first creates it, the
 * second finds it). The same partial unique indexes decide between processes.
 */
export async function findOrCreateLeads(db: Kysely<Database>, origins: readonly LeadOrigin[]): Promise<{ lead: Lead; created: boolean }[]> {
  for (const origin of origins) if (!origin.phone && !origin.visitorId) throw LeadErrors.noContact()
  const open = await openLeadsOf(db, origins)
  const created = new Set<number>()
  const missing = origins.filter((origin) => !leadFor(open, origin))
  if (missing.length > 0) {
    const firstOfKey = new Map<string, LeadOrigin>()
    for (const origin of missing) firstOfKey.set(keyOf(origin), firstOfKey.get(keyOf(origin)) ?? origin)
    const inserted = await db
      .insertInto('leads')
      // In the order of their numbers: two batches at once then take the unique index in one order, never deadlocking.
      .values([...firstOfKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, origin]) => leadValues(origin)))
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .execute()
    for (const row of inserted) {
      open.push(row)
      created.add(Number(row.id))
    }
    // Another process made some of them a moment ago.
    if (missing.some((origin) => !leadFor(open, origin))) open.push(...(await openLeadsOf(db, missing.filter((origin) => !leadFor(open, origin)))))
  }
  const seen = new Set<number>()
  return origins.map((origin) => {
    const row = leadFor(open, origin)
    if (!row) throw new Error('lead neither inserted nor found')
    const id = Number(row.id)
    const isNew = created.has(id) && !seen.has(id)
    seen.add(id)
    return { lead: toLead(row), created: isNew }
  })
}

function leadValues(origin: LeadOrigin) {
  const line = origin.line
  return {
    phone: origin.phone,
    visitor_id: origin.visitorId ?? null,
    line_number: line?.number ?? null,
    source: line?.source ?? origin.fallbackSource ?? null,
    campaign: line?.campaign ?? null,
    cost: line?.costPerLead ?? null,
    agent_id: origin.agentId,
    first_call_id: origin.callId,
    created_at: new Date(origin.at)
  }
}

const keyOf = (origin: LeadOrigin): string => (origin.phone ? `p:${origin.phone}` : `v:${origin.visitorId}`)

/** The open lead an interaction belongs to among these rows: by number, else by visitor id; the oldest first, as findOpenLeadRow. */
function leadFor(rows: readonly LeadRow[], origin: LeadOrigin): LeadRow | undefined {
  let best: LeadRow | undefined
  for (const row of rows) {
    const matches = (origin.phone && row.phone === origin.phone) || (origin.visitorId && row.visitor_id === origin.visitorId)
    if (matches && row.customer_id === null && (!best || Number(row.id) < Number(best.id))) best = row
  }
  return best
}

async function openLeadsOf(db: Kysely<Database>, origins: readonly LeadOrigin[]): Promise<LeadRow[]> {
  const phones = [...new Set(origins.flatMap((o) => (o.phone ? [o.phone] : [])))]
  const visitors = [...new Set(origins.flatMap((o) => (o.visitorId ? [o.visitorId] : [])))]
  return db
    .selectFrom('leads')
    .selectAll()
    .where('customer_id', 'is', null)
    .where((eb) => eb.or([eb('phone', '=', sql<string>`any(${phones}::text[])`), eb('visitor_id', '=', sql<string>`any(${visitors}::text[])`)]))
    .execute()
}

/** Links calls already written to their leads (calls that ended before their lead was made), in one statement. */
export async function linkCallsToLeads(db: Kysely<Database>, links: readonly { callId: string; leadId: number }[]): Promise<void> {
  if (links.length === 0) return
  await sql`update calls set lead_id = v.lead_id
    from unnest(${links.map((l) => l.callId)}::text[], ${links.map((l) => l.leadId)}::bigint[]) as v(call_id, lead_id)
    where calls.id = v.call_id and calls.lead_id is null`.execute(db)
}

/** The open lead behind a number, for the card of a returning unknown caller. */
export async function findOpenLeadByPhone(db: Kysely<Database>, phone: string): Promise<Lead | null> {
  const row = await findOpenLeadRow(db, phone, null)
  return row ? toLead(row) : null
}

/** The open lead behind each of these numbers (the oldest, as findOpenLeadByPhone), in one read. */
export async function findOpenLeadsByPhones(db: Kysely<Database>, phones: readonly string[]): Promise<Map<string, Lead>> {
  const found = new Map<string, Lead>()
  if (phones.length === 0) return found
  const rows = await openLeadsOf(db, phones.map((phone) => ({ phone, line: null, agentId: null, callId: '', at: 0 })))
  for (const phone of phones) {
    const row = leadFor(rows, { phone, line: null, agentId: null, callId: '', at: 0 })
    if (row) found.set(phone, toLead(row))
  }
  return found
}

export async function getLead(db: Kysely<Database>, id: number): Promise<Lead | null> {
  const row = await db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? toLead(row) : null
}

/** A lead with what happened to it: its calls, tasks and deals. */
export async function leadHistory(db: Kysely<Database>, id: number) {
  const [calls, tasks, deals] = await Promise.all([
    db.selectFrom('calls').select(['id', 'offered_at', 'outcome', 'agent_id', 'kind']).where('lead_id', '=', id).orderBy('offered_at', 'desc').limit(50).execute(),
    db.selectFrom('tasks').select(['id', 'kind', 'title', 'status', 'due_at', 'assignee_agent_id']).where('lead_id', '=', id).orderBy('due_at', 'desc').execute(),
    db.selectFrom('deals').select(['id', 'title', 'stage', 'status', 'lost_reason']).where('lead_id', '=', id).orderBy('id').execute()
  ])
  return {
    calls: calls.map((c) => ({ id: c.id, at: c.offered_at.toISOString(), kind: c.kind, outcome: c.outcome, agentId: c.agent_id })),
    tasks: tasks.map((t) => ({ id: Number(t.id), kind: t.kind, title: t.title, status: t.status, dueAt: t.due_at.toISOString(), assigneeAgentId: t.assignee_agent_id })),
    deals: deals.map((d) => ({ id: Number(d.id), title: d.title, stage: d.stage, status: d.status, lostReason: d.lost_reason }))
  }
}

/** Links a call already written to its lead (when the call ended before the lead was made). */
export async function linkCallToLead(db: Kysely<Database>, callId: string, leadId: number): Promise<boolean> {
  const result = await db.updateTable('calls').set({ lead_id: leadId }).where('id', '=', callId).where('lead_id', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Marks an open lead lost with a reason. */
export async function markLeadLost(db: Kysely<Database>, id: number, reason: string, at: number): Promise<Lead> {
  const row = await db
    .updateTable('leads')
    .set({ status: 'lost', lost_reason: reason, lost_at: new Date(at) })
    .where('id', '=', id)
    .where('customer_id', 'is', null)
    .returningAll()
    .executeTakeFirst()
  if (row) return toLead(row)
  const lead = await getLead(db, id)
  if (!lead) throw LeadErrors.notFound(id)
  throw LeadErrors.alreadyConverted(id, lead.customerId!)
}

async function findOpenLeadRow(db: Kysely<Database>, phone: string | null, visitorId: string | null): Promise<LeadRow | undefined> {
  return db
    .selectFrom('leads')
    .selectAll()
    .where('customer_id', 'is', null)
    .where((eb) => eb.or([...(phone ? [eb('phone', '=', phone)] : []), ...(visitorId ? [eb('visitor_id', '=', visitorId)] : [sql<boolean>`false`])]))
    .orderBy('id')
    .limit(1)
    .executeTakeFirst()
}

export function toLead(row: LeadRow): Lead {
  return {
    id: Number(row.id),
    phone: row.phone,
    visitorId: row.visitor_id,
    name: row.name,
    line: row.line_number,
    source: row.source,
    campaign: row.campaign,
    cost: row.cost,
    agentId: row.agent_id,
    customerId: row.customer_id === null ? null : Number(row.customer_id),
    status: row.status,
    lostReason: row.lost_reason,
    createdAt: row.created_at.toISOString(),
    convertedAt: row.converted_at ? row.converted_at.toISOString() : null,
    lostAt: row.lost_at ? row.lost_at.toISOString() : null,
    lastAgentId: row.last_agent_id,
    lastContactAt: row.last_contact_at ? row.last_contact_at.toISOString() : null
  }
}

