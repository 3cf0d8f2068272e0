import { sql, type Insertable, type Kysely, type Transaction } from 'kysely'
import { seededRandom } from '../seeded-random.js'
import { isoDate } from './customer-card.js'
import type { CallTable, CustomerPhoneTable, CustomerTable, Database, DealTable, OrderTable, PaymentTable, TaskTable } from './schema.js'

/**
 * The demo CRM: eight agents in four teams, the three advertised lines of
 * routing-rules/lines.yaml, and 300 customers with 90 days of calls, deals,
 * orders, payments and call-back tasks. Generated from a fixed seed with every
 * time relative to `now`, so the same `now` always gives the same rows.
 */

/** The callers of the README tour; each one shows a different routing rule. */
export const DEMO_CALLERS = {
  /** Ivan Petrov: VIP, owner a-anna, an open deal at "agreement", a few calls. */
  ivanPetrov: '+79161234567',
  /** Olga Smirnova: standard tier, owner a-boris, a payment 45 days overdue. */
  olgaSmirnova: '+79031112233',
  /** Spam Caller: blocked. */
  spamCaller: '+79990000000'
} as const

/** The dialed numbers of the demo (the same as routing-rules/lines.yaml). */
export const DEMO_LINES = { springCrm: '+74951234567', telephonyLaunch: '+74951234568', website: '+78005553535' } as const

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

const TEAMS = [
  { id: 'sales', name: 'Sales', lead_agent_id: 'a-boris' },
  { id: 'vip-desk', name: 'VIP desk', lead_agent_id: 'a-anna' },
  { id: 'collections', name: 'Collections', lead_agent_id: 'a-elena' },
  { id: 'support', name: 'Support', lead_agent_id: 'a-fedor' }
]

const SKILLS = [
  { id: 'product:crm', description: 'CRM: licences, set-up, data migration' },
  { id: 'product:telephony', description: 'Cloud telephony: lines, numbers, call recording' },
  { id: 'product:analytics', description: 'Sales analytics and dashboards' },
  { id: 'lang:en', description: 'Speaks English with customers' },
  { id: 'lang:ru', description: 'Speaks Russian with customers' },
  { id: 'billing', description: 'Invoices, payments and debt collection' }
]

const AGENTS: { id: string; name: string; team: string; skills: Record<string, number> }[] = [
  { id: 'a-anna', name: 'Anna Volkova', team: 'vip-desk', skills: { 'product:crm': 9, 'product:analytics': 6, 'lang:ru': 10, 'lang:en': 7 } },
  { id: 'a-boris', name: 'Boris Kuznetsov', team: 'sales', skills: { 'product:crm': 8, 'product:telephony': 5, 'lang:ru': 10, 'lang:en': 4 } },
  { id: 'a-clara', name: 'Clara Jensen', team: 'vip-desk', skills: { 'product:telephony': 8, 'product:analytics': 7, 'lang:en': 10, 'lang:ru': 6 } },
  { id: 'a-dmitri', name: 'Dmitri Sokolov', team: 'sales', skills: { 'product:telephony': 9, 'product:crm': 5, 'lang:ru': 10, 'lang:en': 5 } },
  { id: 'a-elena', name: 'Elena Morozova', team: 'collections', skills: { billing: 9, 'lang:ru': 10, 'lang:en': 6 } },
  { id: 'a-fedor', name: 'Fedor Lebedev', team: 'support', skills: { 'product:telephony': 7, 'product:analytics': 8, 'lang:ru': 9 } },
  { id: 'a-galina', name: 'Galina Orlova', team: 'collections', skills: { billing: 7, 'product:crm': 4, 'lang:ru': 10 } },
  { id: 'a-igor', name: 'Igor Novikov', team: 'support', skills: { 'product:analytics': 9, 'product:crm': 6, 'lang:en': 8, 'lang:ru': 10 } }
]

const LINES = [
  { number: DEMO_LINES.springCrm, name: 'Spring CRM campaign', source: 'yandex-direct', campaign: 'spring-crm', product: 'product:crm', cost_per_lead: 1200 },
  { number: DEMO_LINES.telephonyLaunch, name: 'Telephony launch', source: 'google-ads', campaign: 'telephony-launch', product: 'product:telephony', cost_per_lead: 900 },
  { number: DEMO_LINES.website, name: 'Website free number', source: 'website', campaign: 'organic', product: null, cost_per_lead: 0 }
]

const PRODUCTS = [
  { need: 'CRM for the sales team', deal: (n: number) => `CRM Professional, ${n} seats`, order: 'CRM Professional licence', unitPrice: 12_000 },
  { need: 'cloud telephony with call recording', deal: (n: number) => `Cloud telephony, ${n} lines`, order: 'Cloud telephony lines', unitPrice: 4_500 },
  { need: 'sales analytics dashboards', deal: (n: number) => `Analytics add-on, ${n} users`, order: 'Analytics add-on', unitPrice: 6_000 }
]

const RU_MALE = ['Aleksei', 'Sergei', 'Dmitri', 'Andrei', 'Mikhail', 'Nikolai', 'Pavel', 'Artem', 'Maksim', 'Roman', 'Yuri', 'Viktor', 'Oleg', 'Kirill', 'Vladimir', 'Evgeny']
const RU_FEMALE = ['Maria', 'Natalia', 'Tatiana', 'Ekaterina', 'Anastasia', 'Irina', 'Svetlana', 'Yulia', 'Daria', 'Ksenia', 'Marina', 'Alina', 'Polina', 'Vera']
// Masculine forms; the feminine form adds "a" (Ivanov → Ivanova).
const RU_SURNAMES = ['Ivanov', 'Popov', 'Vasiliev', 'Mikhailov', 'Fedorov', 'Alekseev', 'Semenov', 'Egorov', 'Pavlov', 'Kozlov', 'Stepanov', 'Nikolaev', 'Andreev', 'Makarov', 'Zakharov', 'Zaitsev', 'Borisov', 'Yakovlev', 'Grigoriev', 'Romanov', 'Belov', 'Tarasov']
const EN_FIRST = ['James', 'Emily', 'Oliver', 'Sophie', 'Daniel', 'Charlotte', 'Thomas', 'Hannah', 'Michael', 'Laura']
const EN_SURNAMES = ['Smith', 'Brown', 'Taylor', 'Wilson', 'Clarke', 'Walker', 'Wright', 'Hughes', 'Green', 'Hall']
const RU_COMPANY = ['Vector', 'Gorizont', 'Polyus', 'Sever', 'Almaz', 'Granit', 'Volga', 'Ural', 'Baikal', 'Meridian', 'Kvant', 'Zenit', 'Avrora', 'Orion']
const RU_COMPANY_KIND = ['LLC', 'Group', 'Logistics', 'Trade', 'Stroy', 'Soft', 'Med', 'Agro', 'Retail']
const EN_COMPANY = ['Northwind Ltd', 'Bluebird Systems', 'Harbour Freight', 'Greenfield Foods', 'Kingston Labs', 'Atlas Consulting']
const SEASONALITY = ['year-round', 'peaks in Q4', 'spring and autumn', 'slow in summer', 'end of fiscal year', null]
const REFUSALS = ['price too high', 'chose a competitor', 'no budget this quarter', 'not the decision maker', 'needs on-premise installation', 'no integration with 1C']
const MOBILE_CODES = ['916', '903', '926', '915', '905', '985', '967', '977', '925', '910', '917', '962', '964', '968']
const OPEN_STAGES = ['interest', 'offer', 'agreement', 'invoice']

const SEED = 20_240_917
const RANDOM_CUSTOMERS = 297
const DAY = 86_400_000
const BATCH = 500

type Rng = () => number
type Outcome = 'answered' | 'missed' | 'abandoned'
/** A child row before its customer (and, except for calls, its id) is known. */
type Row<T> = Omit<Insertable<T>, 'customer_id' | 'id'>
type CallRow = Omit<Insertable<CallTable>, 'customer_id'>

interface DemoCustomer {
  values: Omit<Insertable<CustomerTable>, 'id'>
  phones: { phone: string; kind: string }[]
  calls: CallRow[]
  deals: Row<DealTable>[]
  orders: { values: Row<OrderTable>; payments: Omit<Row<PaymentTable>, 'order_id'>[] }[]
  tasks: Row<TaskTable>[]
}

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
    return { agents: AGENTS.length, lines: LINES.length, ...(await writeCustomers(trx, customers)) }
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
    .values(TEAMS)
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), lead_agent_id: eb.ref('excluded.lead_agent_id') })))
    .execute()
  await trx
    .insertInto('skills')
    .values(SKILLS)
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ description: eb.ref('excluded.description') })))
    .execute()
  await trx
    .insertInto('agents')
    .values(
      AGENTS.map((a, i) => ({ id: a.id, name: a.name, sip_uri: `sip:${a.id.slice(2)}@pbx.example.com`, extension: String(1001 + i), team_id: a.team, capacity: 1, active: true }))
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
  await trx.deleteFrom('agent_skills').where('agent_id', 'in', AGENTS.map((a) => a.id)).execute()
  await trx
    .insertInto('agent_skills')
    .values(AGENTS.flatMap((a) => Object.entries(a.skills).map(([skill, proficiency]) => ({ agent_id: a.id, skill_id: skill, proficiency }))))
    .execute()
  await trx
    .insertInto('lines')
    .values(LINES)
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

/** The whole demo set, in memory, in a fixed order: the tour's three callers, then the generated ones. */
export function buildDemoCustomers(now: number): DemoCustomer[] {
  const rng = seededRandom(SEED)
  const history = new History(rng, now)
  const taken = new Set<string>([...Object.values(DEMO_CALLERS), ...Object.values(DEMO_LINES)])
  const customers = [ivanPetrov(history), olgaSmirnova(history), spamCaller(history)]
  for (let i = 0; i < RANDOM_CUSTOMERS; i++) customers.push(randomCustomer(rng, history, taken))
  return customers.map((c) => settle(c, isoDate(now)))
}

function ivanPetrov(h: History): DemoCustomer {
  const c = customer(
    { name: 'Ivan Petrov', company: 'Stroyinvest Group', owner_agent_id: 'a-anna', tier: 'vip', segment: 'enterprise', language: 'ru', seasonality: 'peaks in Q4' },
    [{ phone: DEMO_CALLERS.ivanPetrov, kind: 'mobile' }],
    [PRODUCTS[0]!.need, PRODUCTS[2]!.need]
  )
  // Weekend days move a call back by up to two days, so days 26 and 22 keep the missed call before the call-back.
  c.calls.push(h.call(DEMO_CALLERS.ivanPetrov, 40, 'answered', 'a-clara'), h.call(DEMO_CALLERS.ivanPetrov, 26, 'missed', 'a-anna'))
  c.calls.push(h.call(DEMO_CALLERS.ivanPetrov, 22, 'answered', 'a-anna'), h.call(DEMO_CALLERS.ivanPetrov, 9, 'answered', 'a-anna'), h.call(DEMO_CALLERS.ivanPetrov, 2, 'answered', 'a-anna'))
  c.deals.push(h.deal(PRODUCTS[0]!.deal(100), 'done', 'won', 1_200_000, 300), h.deal(PRODUCTS[1]!.deal(40), 'paid', 'won', 180_000, 150))
  c.deals.push(h.deal('CRM Enterprise, 120 seats', 'agreement', 'open', 1_440_000, 3))
  c.orders.push(h.order(PRODUCTS[0]!.order, 1_200_000, 300, 'paid'), h.order(PRODUCTS[1]!.order, 180_000, 150, 'paid'))
  c.orders.push(h.order(PRODUCTS[2]!.order, 90_000, 60, 'paid'))
  c.tasks.push(h.task('reminder', 'a-anna', 'Send the signed agreement for CRM Enterprise, 120 seats', -1))
  return c
}

function olgaSmirnova(h: History): DemoCustomer {
  const c = customer(
    { name: 'Olga Smirnova', company: 'Flora Trade', owner_agent_id: 'a-boris', tier: 'standard', segment: 'smb', language: 'ru', seasonality: 'spring and autumn', refusal_reasons: ['price too high'] },
    [{ phone: DEMO_CALLERS.olgaSmirnova, kind: 'mobile' }],
    [PRODUCTS[0]!.need]
  )
  c.calls.push(h.call(DEMO_CALLERS.olgaSmirnova, 61, 'answered', 'a-boris'), h.call(DEMO_CALLERS.olgaSmirnova, 20, 'answered', 'a-boris'), h.call(DEMO_CALLERS.olgaSmirnova, 3, 'missed', 'a-boris'))
  c.deals.push(h.deal(PRODUCTS[0]!.deal(5), 'done', 'won', 57_500, 59), h.deal(PRODUCTS[2]!.deal(5), 'offer', 'lost', 30_000, 25, 'price too high'))
  c.orders.push(h.order(PRODUCTS[0]!.order, 38_500, 59, 'unpaid'), h.order(PRODUCTS[0]!.order, 19_000, 200, 'paid'))
  return c
}

function spamCaller(h: History): DemoCustomer {
  const c = customer({ name: 'Spam Caller', blocked: true }, [{ phone: DEMO_CALLERS.spamCaller, kind: 'mobile' }], [])
  c.calls.push(h.call(DEMO_CALLERS.spamCaller, 15, 'abandoned', null), h.call(DEMO_CALLERS.spamCaller, 6, 'abandoned', null), h.call(DEMO_CALLERS.spamCaller, 1, 'abandoned', null))
  return c
}

function randomCustomer(rng: Rng, h: History, taken: Set<string>): DemoCustomer {
  const english = rng() < 0.12
  const female = rng() < 0.45
  const name = english
    ? `${pick(rng, EN_FIRST)} ${pick(rng, EN_SURNAMES)}`
    : `${pick(rng, female ? RU_FEMALE : RU_MALE)} ${pick(rng, RU_SURNAMES)}${female ? 'a' : ''}`
  const company = rng() < 0.65 ? (english ? pick(rng, EN_COMPANY) : `${pick(rng, RU_COMPANY)} ${pick(rng, RU_COMPANY_KIND)}`) : null
  const tier = weighted(rng, [['vip', 8], ['gold', 22], ['standard', 70]] as const)
  const owner = tier === 'vip' ? (english || rng() < 0.4 ? 'a-clara' : 'a-anna') : rng() < 0.1 ? null : english || rng() < 0.5 ? 'a-dmitri' : 'a-boris'
  const phones = [{ phone: freshPhone(rng, taken), kind: 'mobile' }]
  if (rng() < 0.3) phones.push({ phone: freshPhone(rng, taken), kind: 'work' })
  const products = shuffle(rng, [...PRODUCTS]).slice(0, 1 + Math.floor(rng() * 2))
  const seats = (tier === 'vip' ? 50 : tier === 'gold' ? 15 : 3) * (1 + Math.floor(rng() * 4))
  const c = customer(
    {
      name,
      company,
      owner_agent_id: owner,
      tier,
      segment: company ? (tier === 'vip' || rng() < 0.15 ? 'enterprise' : 'smb') : 'individual',
      language: english ? 'en' : 'ru',
      seasonality: pick(rng, SEASONALITY),
      refusal_reasons: rng() < 0.15 ? [pick(rng, REFUSALS)] : []
    },
    phones,
    products.map((p) => p.need)
  )

  // Whoever else took their calls speaks their language.
  const colleagues = AGENTS.filter((a) => a.team !== 'collections' && (a.skills[english ? 'lang:en' : 'lang:ru'] ?? 0) >= 5)
  const callCount = Math.floor(rng() * rng() * 13)
  const days = Array.from({ length: callCount }, () => 1 + Math.floor(rng() * 89)).sort((a, b) => b - a)
  for (const daysAgo of days) {
    const outcome = weighted(rng, [['answered', 75], ['missed', 15], ['abandoned', 10]] as const)
    const agent = outcome === 'abandoned' && rng() < 0.5 ? null : owner && rng() < 0.65 ? owner : pick(rng, colleagues).id
    c.calls.push(h.call(pick(rng, phones).phone, daysAgo, outcome, agent))
  }

  const dealCount = weighted(rng, [[0, 35], [1, 45], [2, 15], [3, 5]] as const)
  for (let k = 0; k < dealCount; k++) {
    const product = pick(rng, products)
    const amount = seats * product.unitPrice
    const daysAgo = 5 + Math.floor(rng() * 300)
    // At most one open deal (the newest); older ones ended, won or lost.
    const status = k === 0 && rng() < 0.55 ? 'open' : rng() < 0.65 ? 'won' : 'lost'
    if (status === 'open') c.deals.push(h.deal(product.deal(seats), pick(rng, OPEN_STAGES), 'open', amount, daysAgo % 40))
    else if (status === 'won') {
      c.deals.push(h.deal(product.deal(seats), rng() < 0.5 ? 'paid' : 'done', 'won', amount, daysAgo))
      c.orders.push(h.order(product.order, amount, daysAgo, 'due'))
    } else {
      const reason = pick(rng, REFUSALS)
      c.deals.push(h.deal(product.deal(seats), pick(rng, OPEN_STAGES), 'lost', amount, daysAgo, reason))
      if (!c.values.refusal_reasons!.includes(reason)) c.values.refusal_reasons!.push(reason)
    }
  }
  const repeatOrders = Math.floor(rng() * (tier === 'vip' ? 5 : tier === 'gold' ? 3 : 2))
  for (let k = 0; k < repeatOrders; k++) {
    const product = pick(rng, products)
    c.orders.push(h.order(product.order, Math.round((seats * product.unitPrice) / 400) * 100, 10 + Math.floor(rng() * 350), 'due'))
  }
  // About one customer in twelve has stopped paying: their newest order is unpaid and past due.
  if (tier !== 'vip' && rng() < 0.09) {
    const product = pick(rng, products)
    c.orders.push(h.order(product.order, Math.round((seats * product.unitPrice) / 200) * 100, 20 + Math.floor(rng() * 80), 'unpaid'))
  }
  const openDeal = c.deals.find((d) => d.status === 'open' && d.stage !== 'interest')
  if (openDeal && owner && rng() < 0.4) c.tasks.push(h.task('reminder', owner, `Follow up on "${openDeal.title}" (${openDeal.stage})`, -1 - Math.floor(rng() * 7)))
  return c
}

function customer(values: Partial<Omit<Insertable<CustomerTable>, 'id'>> & { name: string }, phones: DemoCustomer['phones'], needs: string[]): DemoCustomer {
  return {
    values: { company: null, owner_agent_id: null, tier: null, segment: null, language: 'ru', purchase_volume: 0, seasonality: null, refusal_reasons: [], blocked: false, ...values, needs },
    phones,
    calls: [],
    deals: [],
    orders: [],
    tasks: []
  }
}

/**
 * Derives what the customer row summarises from the rows themselves: purchase
 * volume from the orders, the last
 * agent and contact from the newest answered call, the overdue amount and days
 * from unpaid payments due before today, and call-back tasks for missed calls
 * (done when an answered call followed, open otherwise).
 */
function settle(c: DemoCustomer, today: string): DemoCustomer {
  c.values.purchase_volume = c.orders.reduce((sum, o) => sum + Number(o.values.amount), 0)
  c.calls.sort((a, b) => time(a.offered_at) - time(b.offered_at))
  const answered = c.calls.filter((k) => k.outcome === 'answered')
  const last = answered.at(-1)
  c.values.last_agent_id = last?.agent_id ?? null
  c.values.last_contact_at = last?.answered_at ?? null

  const todayMs = Date.parse(`${today}T00:00:00Z`)
  const overdue = c.orders.flatMap((o) => o.payments).filter((p) => p.paid_date === null && p.due_date < today)
  c.values.overdue_amount = overdue.reduce((sum, p) => sum + Number(p.amount), 0)
  c.values.overdue_days = Math.max(0, ...overdue.map((p) => Math.round((todayMs - Date.parse(`${p.due_date}T00:00:00Z`)) / DAY)))

  if (c.values.blocked) return c
  for (const call of c.calls) {
    if (call.outcome === 'answered') continue
    const offered = time(call.offered_at)
    const answeredLater = answered.find((k) => time(k.offered_at) > offered)
    c.tasks.push({
      kind: 'callback',
      assignee_agent_id: c.values.owner_agent_id ?? call.agent_id ?? null,
      title: `Call back ${c.values.name}: ${call.outcome} call on ${isoDate(offered)}`,
      due_at: new Date(offered + 2 * 3_600_000),
      status: answeredLater ? 'done' : 'open',
      created_at: new Date(offered),
      done_at: answeredLater ? answeredLater.answered_at : null
    })
  }
  return c
}

/** Builds history rows with realistic timings, every time relative to `now`. */
class History {
  private calls = 0

  constructor(
    private readonly rng: Rng,
    private readonly now: number
  ) {}

  /** A call on a weekday `daysAgo` days back, within business hours in Moscow (09:00–19:00, UTC+3). */
  call(caller: string, daysAgo: number, outcome: Outcome, agentId: string | null): CallRow {
    const rng = this.rng
    let day = Math.floor(this.now / DAY) - daysAgo
    while ([0, 6].includes(new Date(day * DAY).getUTCDay())) day -= 1
    const offered = day * DAY + (6 * 3600 + Math.floor(rng() * 10 * 3600)) * 1000
    const routed = offered + 20 + Math.floor(rng() * 60)
    const ringing = agentId ? routed + 100 + Math.floor(rng() * 300) : null
    let answered: number | null = null
    let ended: number
    if (outcome === 'answered') {
      answered = (ringing ?? routed) + 3000 + Math.floor(rng() * 40_000)
      ended = answered + (40 + Math.floor(rng() * 1100)) * 1000
    } else if (outcome === 'missed') {
      ended = (ringing ?? routed) + 20_000 + Math.floor(rng() * 10_000)
    } else {
      ended = routed + 5000 + Math.floor(rng() * 55_000)
    }
    this.calls += 1
    return {
      id: `demo-${String(this.calls).padStart(5, '0')}`,
      channel: 'sip',
      direction: 'inbound',
      caller,
      caller_name: null,
      dialed: weighted(rng, [[DEMO_LINES.website, 60], [DEMO_LINES.springCrm, 25], [DEMO_LINES.telephonyLaunch, 15]] as const),
      lead_id: null,
      agent_id: agentId,
      rule: null,
      outcome,
      offered_at: new Date(offered),
      routed_at: new Date(routed),
      ringing_at: ringing === null ? null : new Date(ringing),
      answered_at: answered === null ? null : new Date(answered),
      ended_at: new Date(ended),
      wait_seconds: ((answered ?? ended) - offered) / 1000,
      talk_seconds: answered === null ? null : (ended - answered) / 1000,
      trace: null
    }
  }

  deal(title: string, stage: string, status: 'open' | 'won' | 'lost', amount: number, daysAgo: number, lostReason: string | null = null): Row<DealTable> {
    const updated = this.now - daysAgo * DAY - Math.floor(this.rng() * DAY)
    return {
      lead_id: null,
      title,
      stage,
      status,
      amount,
      lost_reason: lostReason,
      created_at: new Date(updated - (7 + Math.floor(this.rng() * 60)) * DAY),
      updated_at: new Date(updated)
    }
  }

  /**
   * An order `daysAgo` days back, billed 14 days after (in two halves, 30 days
   * apart, when large). 'due': paid around the due date if that has passed, else
   * mostly still open; 'paid': all paid; 'unpaid': nothing paid.
   */
  order(product: string, amount: number, daysAgo: number, payment: 'due' | 'paid' | 'unpaid'): DemoCustomer['orders'][number] {
    const orderedDay = Math.floor(this.now / DAY) - daysAgo
    const today = Math.floor(this.now / DAY)
    const parts = amount > 1_000_000 ? [[amount / 2, 14], [amount / 2, 44]] : [[amount, 14]]
    const payments = parts.map(([part, after]) => {
      const dueDay = orderedDay + after!
      const paidDay = Math.min(today, dueDay - 10 + Math.floor(this.rng() * 15))
      const paid = payment === 'paid' || (payment === 'due' && (dueDay <= today || this.rng() < 0.3))
      return { amount: part!, due_date: isoDate(dueDay * DAY), paid_date: paid ? isoDate(paidDay * DAY) : null }
    })
    return { values: { product, amount, ordered_at: new Date(orderedDay * DAY + 8 * 3_600_000) }, payments }
  }

  /** An open task; `daysAgo` negative means due in the future. */
  task(kind: string, assignee: string, title: string, daysAgo: number): Row<TaskTable> {
    return { kind, lead_id: null, assignee_agent_id: assignee, title, due_at: new Date(this.now - daysAgo * DAY), status: 'open', done_at: null }
  }
}

function freshPhone(rng: Rng, taken: Set<string>): string {
  for (;;) {
    const phone = `+7${pick(rng, MOBILE_CODES)}${String(Math.floor(rng() * 10_000_000)).padStart(7, '0')}`
    if (!taken.has(phone)) {
      taken.add(phone)
      return phone
    }
  }
}

function time(value: Date | string | null | undefined): number {
  return value instanceof Date ? value.getTime() : value ? Date.parse(value) : 0
}


function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!
}

function weighted<T>(rng: Rng, options: readonly (readonly [T, number])[]): T {
  let roll = rng() * options.reduce((sum, [, w]) => sum + w, 0)
  for (const [value, w] of options) if ((roll -= w) < 0) return value
  return options[options.length - 1]![0]
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
