import type { Kysely } from 'kysely'
import type { Database } from './schema.js'
import { getCustomer, type Customer } from './customer.repository.js'

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

/**
 * Assembles a customer's card. The six reads are independent, so they go out
 * together: on PostgreSQL they run on separate pooled connections.
 * `today` (YYYY-MM-DD) decides which unpaid payments are overdue.
 */
export async function buildCustomerCard(db: Kysely<Database>, customerId: number, today: string): Promise<CustomerCard | null> {
  const [customer, owner, deals, calls, orders, payments, tasks] = await Promise.all([
    getCustomer(db, customerId),
    db
      .selectFrom('customers as c')
      .innerJoin('agents as a', 'a.id', 'c.owner_agent_id')
      .select(['a.id', 'a.name'])
      .where('c.id', '=', customerId)
      .executeTakeFirst(),
    db
      .selectFrom('deals')
      .select(['id', 'title', 'stage', 'amount', 'updated_at'])
      .where('customer_id', '=', customerId)
      .where('status', '=', 'open')
      .orderBy('updated_at', 'desc')
      .execute(),
    db
      .selectFrom('calls as k')
      .leftJoin('agents as a', 'a.id', 'k.agent_id')
      .select(['k.id', 'k.offered_at', 'k.outcome', 'k.talk_seconds', 'a.id as agent_id', 'a.name as agent_name'])
      .where('k.customer_id', '=', customerId)
      .orderBy('k.offered_at', 'desc')
      .limit(LAST_CALLS)
      .execute(),
    db
      .selectFrom('orders')
      .select(['id', 'product', 'amount', 'ordered_at'])
      .where('customer_id', '=', customerId)
      .orderBy('ordered_at', 'desc')
      .limit(RECENT_ORDERS)
      .execute(),
    // Every unpaid payment (those are what matters) plus the most recent paid ones.
    db
      .selectFrom('payments')
      .select(['id', 'amount', 'due_date', 'paid_date'])
      .where('customer_id', '=', customerId)
      .where((eb) =>
        eb.or([
          eb('paid_date', 'is', null),
          eb('id', 'in', eb.selectFrom('payments as p2').select('p2.id').where('p2.customer_id', '=', customerId).orderBy('p2.due_date', 'desc').limit(RECENT_PAYMENTS))
        ])
      )
      .orderBy('due_date', 'desc')
      .execute(),
    db
      .selectFrom('tasks')
      .select(['id', 'kind', 'title', 'due_at', 'assignee_agent_id'])
      .where('customer_id', '=', customerId)
      .where('status', '=', 'open')
      .orderBy('due_at')
      .execute()
  ])
  if (!customer) return null

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

