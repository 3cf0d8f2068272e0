import type { Kysely } from 'kysely'
import type { Database } from './schema.js'
import { toCustomer, type Customer } from './customer.repository.js'
import { precompiled } from './precompiled.js'

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
}

const LAST_CALLS = 10
const RECENT_ORDERS = 10
const RECENT_PAYMENTS = 10
const DAY_MS = 86_400_000

// Each read is compiled once (see precompiled.ts); -1 stands for the customer id while compiling.
const ID: [number] = [-1]

const customerRow = precompiled((db, id: number) => db.selectFrom('customers').selectAll().where('id', '=', id), ID)

const phoneRows = precompiled((db, id: number) => db.selectFrom('customer_phones').select(['phone', 'kind']).where('customer_id', '=', id).orderBy('phone'), ID)

const ownerRow = precompiled(
  (db, id: number) => db.selectFrom('customers as c').innerJoin('agents as a', 'a.id', 'c.owner_agent_id').select(['a.id', 'a.name']).where('c.id', '=', id),
  ID
)

const openDealRows = precompiled(
  (db, id: number) =>
    db.selectFrom('deals').select(['id', 'title', 'stage', 'amount', 'updated_at']).where('customer_id', '=', id).where('status', '=', 'open').orderBy('updated_at', 'desc'),
  ID
)

const lastCallRows = precompiled(
  (db, id: number) =>
    db
      .selectFrom('calls as k')
      .leftJoin('agents as a', 'a.id', 'k.agent_id')
      .select(['k.id', 'k.offered_at', 'k.outcome', 'k.talk_seconds', 'a.id as agent_id', 'a.name as agent_name'])
      .where('k.customer_id', '=', id)
      .orderBy('k.offered_at', 'desc')
      .limit(LAST_CALLS),
  ID
)

const recentOrderRows = precompiled(
  (db, id: number) => db.selectFrom('orders').select(['id', 'product', 'amount', 'ordered_at']).where('customer_id', '=', id).orderBy('ordered_at', 'desc').limit(RECENT_ORDERS),
  ID
)

// Every unpaid payment (those are what matters) plus the most recent paid ones.
const paymentRows = precompiled(
  (db, id: number) =>
    db
      .selectFrom('payments')
      .select(['id', 'amount', 'due_date', 'paid_date'])
      .where('customer_id', '=', id)
      .where((eb) =>
        eb.or([
          eb('paid_date', 'is', null),
          eb('id', 'in', eb.selectFrom('payments as p2').select('p2.id').where('p2.customer_id', '=', id).orderBy('p2.due_date', 'desc').limit(RECENT_PAYMENTS))
        ])
      )
      .orderBy('due_date', 'desc'),
  ID
)

const openTaskRows = precompiled(
  (db, id: number) =>
    db.selectFrom('tasks').select(['id', 'kind', 'title', 'due_at', 'assignee_agent_id']).where('customer_id', '=', id).where('status', '=', 'open').orderBy('due_at'),
  ID
)

/**
 * Assembles a customer's card. The eight reads are independent, so they go out
 * together: on PostgreSQL they run on separate pooled connections.
 * `today` (YYYY-MM-DD) decides which unpaid payments are overdue.
 */
export async function buildCustomerCard(db: Kysely<Database>, customerId: number, today: string): Promise<CustomerCard | null> {
  const [[row], phones, [owner], deals, calls, orders, payments, tasks] = await Promise.all([
    customerRow(db, customerId),
    phoneRows(db, customerId),
    ownerRow(db, customerId),
    openDealRows(db, customerId),
    lastCallRows(db, customerId),
    recentOrderRows(db, customerId),
    paymentRows(db, customerId),
    openTaskRows(db, customerId)
  ])
  if (!row) return null
  const customer = toCustomer(row, phones)

  const todayMs = Date.parse(`${today}T00:00:00Z`)
  const cardPayments = payments.map((p) => {
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
    owner: owner ?? null,
    openDeals: deals.map((d) => ({ id: d.id, title: d.title, stage: d.stage, amount: d.amount, updatedAt: d.updated_at.toISOString() })),
    lastCalls: calls.map((c) => ({
      id: c.id,
      at: c.offered_at.toISOString(),
      outcome: c.outcome,
      agent: c.agent_id && c.agent_name ? { id: c.agent_id, name: c.agent_name } : null,
      talkSeconds: c.talk_seconds
    })),
    recentOrders: orders.map((o) => ({ id: o.id, product: o.product, amount: o.amount, orderedAt: o.ordered_at.toISOString() })),
    payments: cardPayments,
    overdueTotal: cardPayments.filter((p) => p.overdue).reduce((sum, p) => sum + p.amount, 0),
    openTasks: tasks.map((t) => ({ id: t.id, kind: t.kind, title: t.title, dueAt: t.due_at.toISOString(), assigneeAgentId: t.assignee_agent_id })),
    refusalReasons: customer.refusalReasons,
    needs: customer.needs
  }
}

/** Today's date (YYYY-MM-DD) in UTC, for overdue marking. */
export function isoDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10)
}

