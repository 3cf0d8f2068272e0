import { sql, type Insertable, type Kysely, type Transaction } from 'kysely'
import { DEMO_AGENTS, DEMO_LINE_ROWS, DEMO_SKILLS, DEMO_TEAMS } from './demo-directory.js'
import { buildDemoCustomers } from './demo-customers.js'
import type { DemoCustomer } from './demo-history.js'
import type { CallTable, CustomerPhoneTable, CustomerTable, Database, DealTable, OrderTable, PaymentTable, TaskTable } from './schema.js'

/**
 * Writes the demo CRM: the fixed directory (demo-directory.ts) and the 300
 * customers with their history (demo-customers.ts), in one transaction.
 */

export { DEMO_CALLERS, DEMO_LINES } from './demo-directory.js'
export { buildDemoCustomers } from './demo-customers.js'

/** Rows written by one load, per table. */
export interface DemoDataCounts {
  agents: number
  customers: number
  phones: number
  calls: number
  deals: number
  orders: number
  payments: number
  tasks: number
  lines: number
}

const BATCH = 500

/**
 * Writes the demo set in one transaction and returns how many rows it wrote.
 * Loading again replaces the previous demo set instead of adding to it: the
 * customers holding any demo phone number (and their calls, deals, orders,
 * payments and tasks) are deleted first; teams, skills, agents and lines are
 * upserted. Leads that pointed at a deleted customer are kept, unlinked.
 */
export async function loadDemoData(db: Kysely<Database>, now: number): Promise<DemoDataCounts> {
  const customers = buildDemoCustomers(now)
  return db.transaction().execute(async (trx) => {
    // Two loads at once would delete each other's rows half-way; take turns.
    await sql`select pg_advisory_xact_lock(hashtext('cti-router-demo-data'))`.execute(trx)
    await removeDemoCustomers(trx, customers.flatMap((c) => c.phones.map((p) => p.phone)))
    await writeDirectory(trx)
    return { agents: DEMO_AGENTS.length, lines: DEMO_LINE_ROWS.length, ...(await writeCustomers(trx, customers)) }
  })
}

async function removeDemoCustomers(trx: Transaction<Database>, phones: string[]): Promise<void> {
  const ids = new Set<number>()
  for (const part of chunks(phones, BATCH)) {
    const rows = await trx.selectFrom('customer_phones').select('customer_id').where('phone', 'in', part).execute()
    for (const row of rows) ids.add(row.customer_id)
  }
  for (const part of chunks([...ids], BATCH)) {
    // calls and leads keep their customers (no cascade): calls go with them, leads lose the link.
    await trx.deleteFrom('calls').where('customer_id', 'in', part).execute()
    await trx.updateTable('leads').set({ customer_id: null }).where('customer_id', 'in', part).execute()
    await trx.deleteFrom('customers').where('id', 'in', part).execute()
  }
  await trx.deleteFrom('calls').where('id', 'like', 'demo-%').execute()
}

async function writeDirectory(trx: Transaction<Database>): Promise<void> {
  await trx
    .insertInto('teams')
    .values(DEMO_TEAMS)
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), lead_agent_id: eb.ref('excluded.lead_agent_id') })))
    .execute()
  await trx
    .insertInto('skills')
    .values(DEMO_SKILLS)
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ description: eb.ref('excluded.description') })))
    .execute()
  await trx
    .insertInto('agents')
    .values(
      DEMO_AGENTS.map((a, i) => ({ id: a.id, name: a.name, sip_uri: `sip:${a.id.slice(2)}@pbx.example.com`, extension: String(1001 + i), team_id: a.team, capacity: 1, active: true }))
    )
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        sip_uri: eb.ref('excluded.sip_uri'),
        extension: eb.ref('excluded.extension'),
        team_id: eb.ref('excluded.team_id'),
        capacity: eb.ref('excluded.capacity'),
        active: eb.ref('excluded.active')
      }))
    )
    .execute()
  await trx.deleteFrom('agent_skills').where('agent_id', 'in', DEMO_AGENTS.map((a) => a.id)).execute()
  await trx
    .insertInto('agent_skills')
    .values(DEMO_AGENTS.flatMap((a) => Object.entries(a.skills).map(([skill, proficiency]) => ({ agent_id: a.id, skill_id: skill, proficiency }))))
    .execute()
  await trx
    .insertInto('lines')
    .values(DEMO_LINE_ROWS)
    .onConflict((oc) =>
      oc.column('number').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        source: eb.ref('excluded.source'),
        campaign: eb.ref('excluded.campaign'),
        product: eb.ref('excluded.product'),
        cost_per_lead: eb.ref('excluded.cost_per_lead')
      }))
    )
    .execute()
}

async function writeCustomers(trx: Transaction<Database>, demo: DemoCustomer[]) {
  // Ids come from the tables' own sequences, so every child row can be built before inserting.
  const customerIds = await reserveIds(trx, 'customers', demo.length)
  const orderIds = await reserveIds(trx, 'orders', demo.reduce((n, c) => n + c.orders.length, 0))
  const customers: Insertable<CustomerTable>[] = []
  const phones: Insertable<CustomerPhoneTable>[] = []
  const calls: Insertable<CallTable>[] = []
  const deals: Insertable<DealTable>[] = []
  const orders: Insertable<OrderTable>[] = []
  const payments: Insertable<PaymentTable>[] = []
  const tasks: Insertable<TaskTable>[] = []
  demo.forEach((c, i) => {
    const customer_id = customerIds[i]!
    customers.push({ id: customer_id, ...c.values })
    for (const p of c.phones) phones.push({ customer_id, ...p })
    for (const call of c.calls) calls.push({ customer_id, ...call })
    for (const deal of c.deals) deals.push({ customer_id, ...deal })
    for (const task of c.tasks) tasks.push({ customer_id, ...task })
    for (const order of c.orders) {
      const order_id = orderIds[orders.length]!
      orders.push({ id: order_id, customer_id, ...order.values })
      for (const p of order.payments) payments.push({ customer_id, order_id, ...p })
    }
  })
  for (const part of chunks(customers, BATCH)) await trx.insertInto('customers').values(part).execute()
  for (const part of chunks(phones, BATCH)) await trx.insertInto('customer_phones').values(part).execute()
  for (const part of chunks(calls, BATCH)) await trx.insertInto('calls').values(part).execute()
  for (const part of chunks(deals, BATCH)) await trx.insertInto('deals').values(part).execute()
  for (const part of chunks(orders, BATCH)) await trx.insertInto('orders').values(part).execute()
  for (const part of chunks(payments, BATCH)) await trx.insertInto('payments').values(part).execute()
  for (const part of chunks(tasks, BATCH)) await trx.insertInto('tasks').values(part).execute()
  return {
    customers: customers.length,
    phones: phones.length,
    calls: calls.length,
    deals: deals.length,
    orders: orders.length,
    payments: payments.length,
    tasks: tasks.length
  }
}

async function reserveIds(trx: Transaction<Database>, table: 'customers' | 'orders', count: number): Promise<number[]> {
  if (count === 0) return []
  const result = await sql<{ id: number }>`select nextval(pg_get_serial_sequence(${table}, 'id')) as id from generate_series(1, ${count}::int)`.execute(trx)
  return result.rows.map((r) => r.id)
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
