import Fastify from 'fastify'
import { sql, type Kysely } from 'kysely'
import t from 'tap'
import { demoRoutes } from '../../src/api/demo.routes.js'
import { listAgents } from '../../src/crm/agent.repository.js'
import { buildCustomerCard, isoDate } from '../../src/crm/customer-card.js'
import { findCustomerSummaryByPhone } from '../../src/crm/customer.repository.js'
import { openDatabase } from '../../src/crm/database.js'
import { buildDemoCustomers, DEMO_CALLERS, loadDemoData } from '../../src/crm/demo-data.js'
import { migrate } from '../../src/crm/migrate.js'
import type { Database } from '../../src/crm/schema.js'
import { CallerIdentifier } from '../../src/identify/identify-caller.js'
import { MIGRATIONS, testDatabase } from '../helpers/test-app.js'

const NOW = Date.parse('2026-11-20T10:00:00Z')
const TODAY = isoDate(NOW)

async function rowCounts(db: Kysely<Database>) {
  const tables = ['agents', 'teams', 'skills', 'agent_skills', 'lines', 'customers', 'customer_phones', 'calls', 'deals', 'orders', 'payments', 'tasks'] as const
  const counts: Record<string, number> = {}
  for (const table of tables) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    counts[table] = Number(row.n)
  }
  return counts
}

t.test('the tour callers are there, with the summary routing reads and the card agents see', async (t) => {
  const { db } = await testDatabase(t)
  const counts = await loadDemoData(db, NOW)
  t.match(counts, { agents: 8, customers: 300, lines: 3 })
  t.ok(counts.phones >= 300 && counts.calls > 600 && counts.deals > 100 && counts.orders > 100 && counts.payments >= counts.orders && counts.tasks > 0, JSON.stringify(counts))

  const ivan = await findCustomerSummaryByPhone(db, DEMO_CALLERS.ivanPetrov)
  t.match(ivan, { name: 'Ivan Petrov', tier: 'vip', ownerAgentId: 'a-anna', lastAgentId: 'a-anna', openDealStage: 'agreement', overdueDays: 0, blocked: false })
  const ivanCard = await buildCustomerCard(db, Number(ivan!.id), TODAY)
  t.same(ivanCard!.owner, { id: 'a-anna', name: 'Anna Volkova' })
  t.same(ivanCard!.openDeals.map((d) => d.stage), ['agreement'], 'one open deal, at agreement')
  t.ok(ivanCard!.lastCalls.length >= 3, 'a few calls')
  t.equal(ivanCard!.lastCalls[0]!.agent?.id, 'a-anna', 'the newest call was answered by the owner')
  t.equal(ivanCard!.overdueTotal, 0)
  t.ok(ivanCard!.openTasks.some((task) => task.kind === 'reminder' && task.assigneeAgentId === 'a-anna'))

  const olga = await findCustomerSummaryByPhone(db, DEMO_CALLERS.olgaSmirnova)
  t.match(olga, { name: 'Olga Smirnova', tier: 'standard', ownerAgentId: 'a-boris', overdueDays: 45, overdueAmount: 38_500, blocked: false })
  const olgaCard = await buildCustomerCard(db, Number(olga!.id), TODAY)
  t.same(
    olgaCard!.payments.filter((p) => p.overdue).map((p) => ({ amount: p.amount, daysOverdue: p.daysOverdue })),
    [{ amount: 38_500, daysOverdue: 45 }],
    'the unpaid payment is marked overdue'
  )
  t.equal(olgaCard!.overdueTotal, 38_500)
  t.ok(olgaCard!.openTasks.some((task) => task.kind === 'callback'), 'her missed call left a call-back task')

  t.match(await findCustomerSummaryByPhone(db, DEMO_CALLERS.spamCaller), { name: 'Spam Caller', blocked: true })

  const identifier = new CallerIdentifier(db, 'RU', 100)
  t.equal((await identifier.identify('8 (916) 123-45-67')).customer?.name, 'Ivan Petrov', 'found from a local format too')
})

t.test('the agents cover what the shipped rules ask for', async (t) => {
  const { db } = await testDatabase(t)
  await loadDemoData(db, NOW)
  const agents = await listAgents(db)
  t.same(agents.map((a) => a.id), ['a-anna', 'a-boris', 'a-clara', 'a-dmitri', 'a-elena', 'a-fedor', 'a-galina', 'a-igor'])
  t.same(agents.map((a) => a.extension), ['1001', '1002', '1003', '1004', '1005', '1006', '1007', '1008'])
  t.equal(agents[0]!.sipUri, 'sip:anna@pbx.example.com')
  const bySkill = (skill: string, min = 1) => agents.filter((a) => (a.skills[skill] ?? 0) >= min).map((a) => a.id)
  for (const product of ['product:crm', 'product:telephony', 'product:analytics']) t.ok(bySkill(product, 5).length >= 2, `two agents or more know ${product}`)
  t.ok(agents.some((a) => a.team === 'collections' && (a.skills.billing ?? 0) >= 5), 'collections has a billing agent')
  t.equal(agents.filter((a) => a.team === 'vip-desk').length, 2, 'a vip-desk pair')
  for (const team of ['sales', 'support']) t.ok(agents.some((a) => a.team === team), `someone in ${team}`)
})

t.test('every customer row agrees with its history', async (t) => {
  const { db } = await testDatabase(t)
  await loadDemoData(db, NOW)
  const mismatched = await sql<{ id: number }>`
    select c.id from customers c
    left join lateral (
      select k.agent_id, k.answered_at from calls k
      where k.customer_id = c.id and k.outcome = 'answered' order by k.offered_at desc limit 1
    ) last on true
    left join lateral (
      select coalesce(sum(p.amount), 0) as amount, coalesce(max(${TODAY}::date - p.due_date), 0) as days from payments p
      where p.customer_id = c.id and p.paid_date is null and p.due_date < ${TODAY}::date
    ) due on true
    where c.last_agent_id is distinct from last.agent_id
       or c.last_contact_at is distinct from last.answered_at
       or c.overdue_amount <> due.amount
       or c.overdue_days <> due.days`.execute(db)
  t.same(mismatched.rows, [], 'last agent/contact and overdue figures match calls and payments')
  const overdue = await db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('overdue_days', '>', 30).executeTakeFirstOrThrow()
  t.ok(Number(overdue.n) >= 5, 'enough debtors for the collections rule')
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from calls where offered_at > ${new Date(NOW)} or offered_at < ${new Date(NOW - 92 * 86_400_000)}`.execute(db)
  t.equal(rows[0]!.n, 0, 'calls fall within the past 90 days')
})

t.test('loading again replaces the demo set instead of adding to it', async (t) => {
  const { db } = await testDatabase(t)
  await loadDemoData(db, NOW)
  const first = await rowCounts(db)
  const second = await loadDemoData(db, NOW + 86_400_000)
  t.same(await rowCounts(db), first, 'the same number of rows in every table')
  t.equal(second.customers, 300)
  const ivan = await findCustomerSummaryByPhone(db, DEMO_CALLERS.ivanPetrov)
  t.equal(ivan?.name, 'Ivan Petrov')
})

t.test('the same moment always gives the same data set', async (t) => {
  t.same(buildDemoCustomers(NOW), buildDemoCustomers(NOW))
})

t.test('the tour holds on every day of the week, weekends included', async (t) => {
  for (let day = 0; day < 7; day++) {
    const [ivan, olga] = buildDemoCustomers(NOW + day * 86_400_000)
    t.equal(ivan!.values.last_agent_id, 'a-anna', `day ${day}: Ivan last spoke to his owner`)
    t.notOk(ivan!.tasks.some((task) => task.kind === 'callback' && task.status === 'open'), `day ${day}: Ivan's missed call was returned`)
    t.equal(olga!.values.overdue_days, 45, `day ${day}: Olga is 45 days overdue`)
  }
})

t.test('POST /v1/demo-data loads the set, answers with the counts and tells the server', async (t) => {
  const { db } = await testDatabase(t)
  let loaded = 0
  const app = Fastify()
  await app.register(demoRoutes, { db, now: () => NOW, onLoaded: () => void loaded++ })
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'POST', url: '/v1/demo-data' })
  t.equal(res.statusCode, 201)
  t.match(res.json(), { agents: 8, customers: 300, lines: 3, phones: Number, calls: Number })
  t.equal(loaded, 1)
})

t.test('the embedded database takes the demo set too', async (t) => {
  const database = await openDatabase({ dataDir: t.testdir(), poolSize: 1, timeoutMs: 2000 })
  t.teardown(() => database.close())
  await migrate(database.db, MIGRATIONS)
  const counts = await loadDemoData(database.db, NOW)
  t.equal(counts.customers, 300)
  t.match(await findCustomerSummaryByPhone(database.db, DEMO_CALLERS.olgaSmirnova), { overdueDays: 45 })
})
