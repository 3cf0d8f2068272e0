import { sql, type Kysely } from 'kysely'
import { prepareOnEmbedded } from './pglite-dialect.js'
import type { CustomerRow, Database } from './schema.js'
import { toCustomer, type Customer } from './customer.repository.js'

/** Everything an agent should see about a caller, in one object (the screen-pop card). */
export interface CustomerCard {
  customer: Customer
  owner: { id: string; name: string } | null
  openDeals: { id: number; title: string; stage: string; amount: number | null; updatedAt: string }[]
  lastCalls: {
    id: string
    at: string
    outcome: string | null
    agent: { id: string; name: string } | null
    talkSeconds: number | null
  }[]
  recentOrders: { id: number; product: string; amount: number; orderedAt: string }[]
  payments: { id: number; amount: number; dueDate: string; paidDate: string | null; overdue: boolean; daysOverdue: number }[]
  overdueTotal: number
  openTasks: { id: number; kind: string; title: string; dueAt: string; assigneeAgentId: string | null }[]
  refusalReasons: string[]
  needs: string[]
  /** The customer's latest web chats (their visitor ids linked to them), newest first. */
  lastChats: { id: string; at: string; outcome: string | null; product: string | null; agent: { id: string; name: string } | null; messages: number }[]
  /** The latest pages their visitor ids viewed on the company's site, newest first. */
  pagesViewed: { url: string; title: string | null; product: string | null; at: string }[]
}

const LAST_CALLS = 10
const RECENT_ORDERS = 10
const RECENT_PAYMENTS = 10
const LAST_CHATS = 5
const PAGES_VIEWED = 5
const DAY_MS = 86_400_000

/** One row: the customer's columns plus each part of the card as JSON. */
interface CardRow extends CustomerRow {
  card_phones: { phone: string; kind: string }[]
  card_owner: { id: string; name: string } | null
  card_deals: { id: number; title: string; stage: string; amount: number | null; updated_at: string }[]
  card_calls: { id: string; offered_at: string; outcome: string | null; talk_seconds: number | null; agent_id: string | null; agent_name: string | null }[]
  card_orders: { id: number; product: string; amount: number; ordered_at: string }[]
  card_payments: { id: number; amount: number; due_date: string; paid_date: string | null }[]
  card_tasks: { id: number; kind: string; title: string; due_at: string; assignee_agent_id: string | null }[]
  card_chats: { id: string; started_at: string; outcome: string | null; product: string | null; messages: number; agent_id: string | null; agent_name: string | null }[]
  card_pages: { url: string; title: string | null; product: string | null; at: string }[]
}

// The whole card in one statement (prepared per connection after a few uses, and kept prepared by
// the embedded database): a card is read for every call offered, and one round trip costs both
// sides far less than eight.
const cardQuery = (customerId: number) => sql<CardRow>`
  select c.*,
    (select coalesce(json_agg(json_build_object('phone', p.phone, 'kind', p.kind) order by p.phone), '[]')
       from customer_phones p where p.customer_id = c.id) as card_phones,
    (select json_build_object('id', a.id, 'name', a.name) from agents a where a.id = c.owner_agent_id) as card_owner,
    (select coalesce(json_agg(d order by d.updated_at desc), '[]')
       from (select id, title, stage, amount, updated_at from deals where customer_id = c.id and status = 'open') d) as card_deals,
    (select coalesce(json_agg(k order by k.offered_at desc), '[]')
       from (select k.id, k.offered_at, k.outcome, k.talk_seconds, a.id as agent_id, a.name as agent_name
               from calls k left join agents a on a.id = k.agent_id
              where k.customer_id = c.id order by k.offered_at desc limit ${LAST_CALLS}) k) as card_calls,
    (select coalesce(json_agg(o order by o.ordered_at desc), '[]')
       from (select id, product, amount, ordered_at from orders where customer_id = c.id order by ordered_at desc limit ${RECENT_ORDERS}) o) as card_orders,
    -- Every unpaid payment (those are what matters) plus the most recent paid ones.
    (select coalesce(json_agg(y order by y.due_date desc), '[]')
       from (select id, amount, due_date, paid_date from payments
              where customer_id = c.id
                and (paid_date is null
                     or id in (select p2.id from payments p2 where p2.customer_id = c.id order by p2.due_date desc limit ${RECENT_PAYMENTS}))) y) as card_payments,
    (select coalesce(json_agg(t order by t.due_at), '[]')
       from (select id, kind, title, due_at, assignee_agent_id from tasks where customer_id = c.id and status = 'open') t) as card_tasks,
    (select coalesce(json_agg(h order by h.started_at desc), '[]')
       from (select h.id, h.started_at, h.outcome, h.product, h.messages, a.id as agent_id, a.name as agent_name
               from chats h left join agents a on a.id = h.agent_id
              where h.customer_id = c.id order by h.started_at desc limit ${LAST_CHATS}) h) as card_chats,
    (select coalesce(json_agg(v order by v.at desc), '[]')
       from (select pv.url, pv.title, pv.product, pv.at
               from visitors vi join chat_page_views pv on pv.visitor_id = vi.id
              where vi.customer_id = c.id order by pv.at desc limit ${PAGES_VIEWED}) v) as card_pages
  from customers c
  where c.id = ${customerId}`

/**
 * Assembles a customer's card in one query. `today` (YYYY-MM-DD) decides
 * which unpaid payments are overdue.
 */
export async function buildCustomerCard(db: Kysely<Database>, customerId: number, today: string): Promise<CustomerCard | null> {
  const query = cardQuery(customerId).compile(db)
  prepareOnEmbedded(query.sql)
  const { rows } = await db.executeQuery(query)
  const row = rows[0]
  if (!row) return null
  const customer = toCustomer(row, row.card_phones)

  const todayMs = Date.parse(`${today}T00:00:00Z`)
  const cardPayments = row.card_payments.map((p) => {
    const overdue = p.paid_date === null && p.due_date < today
    return {
      id: p.id,
      amount: p.amount,
      dueDate: p.due_date,
      paidDate: p.paid_date,
      overdue,
      daysOverdue: overdue ? Math.round((todayMs - Date.parse(`${p.due_date}T00:00:00Z`)) / DAY_MS) : 0
    }
  })

  return {
    customer,
    owner: row.card_owner,
    openDeals: row.card_deals.map((d) => ({ id: d.id, title: d.title, stage: d.stage, amount: d.amount, updatedAt: iso(d.updated_at) })),
    lastCalls: row.card_calls.map((c) => ({
      id: c.id,
      at: iso(c.offered_at),
      outcome: c.outcome,
      agent: c.agent_id && c.agent_name ? { id: c.agent_id, name: c.agent_name } : null,
      talkSeconds: c.talk_seconds
    })),
    recentOrders: row.card_orders.map((o) => ({ id: o.id, product: o.product, amount: o.amount, orderedAt: iso(o.ordered_at) })),
    payments: cardPayments,
    overdueTotal: cardPayments.filter((p) => p.overdue).reduce((sum, p) => sum + p.amount, 0),
    openTasks: row.card_tasks.map((t) => ({ id: t.id, kind: t.kind, title: t.title, dueAt: iso(t.due_at), assigneeAgentId: t.assignee_agent_id })),
    refusalReasons: customer.refusalReasons,
    needs: customer.needs,
    lastChats: row.card_chats.map((h) => ({
      id: h.id,
      at: iso(h.started_at),
      outcome: h.outcome,
      product: h.product,
      agent: h.agent_id && h.agent_name ? { id: h.agent_id, name: h.agent_name } : null,
      messages: h.messages
    })),
    pagesViewed: row.card_pages.map((v) => ({ url: v.url, title: v.title, product: v.product, at: iso(v.at) }))
  }
}

/** A timestamp from JSON ("2026-11-23T11:00:00+03:00") in the API's form ("2026-11-23T08:00:00.000Z"). */
function iso(text: string): string {
  return new Date(text).toISOString()
}

/** Today's date (YYYY-MM-DD) in UTC, for overdue marking. */
export function isoDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10)
}

