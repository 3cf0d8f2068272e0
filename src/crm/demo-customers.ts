import type { Insertable } from 'kysely'
import { seededRandom } from '../seeded-random.js'
import { isoDate } from './customer-card.js'
import { DEMO_AGENTS, DEMO_CALLERS, DEMO_LINES, DEMO_PRODUCTS } from './demo-directory.js'
import { DAY, History, pick, shuffle, weighted, type DemoCustomer, type Rng } from './demo-history.js'
import type { CustomerTable } from './schema.js'

/**
 * The demo CRM's 300 customers: the tour's three callers, each showing a
 * different routing rule, then 297 generated ones with 90 days of calls and a
 * history of deals, orders, payments and tasks. Generated from a fixed seed
 * with every time relative to `now`, so the same `now` always gives the same rows.
 */

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
    [DEMO_PRODUCTS[0]!.need, DEMO_PRODUCTS[2]!.need]
  )
  // Weekend days move a call back by up to two days, so days 26 and 22 keep the missed call before the call-back.
  c.calls.push(h.call(DEMO_CALLERS.ivanPetrov, 40, 'answered', 'a-clara'), h.call(DEMO_CALLERS.ivanPetrov, 26, 'missed', 'a-anna'))
  c.calls.push(h.call(DEMO_CALLERS.ivanPetrov, 22, 'answered', 'a-anna'), h.call(DEMO_CALLERS.ivanPetrov, 9, 'answered', 'a-anna'), h.call(DEMO_CALLERS.ivanPetrov, 2, 'answered', 'a-anna'))
  c.deals.push(h.deal(DEMO_PRODUCTS[0]!.deal(100), 'done', 'won', 1_200_000, 300), h.deal(DEMO_PRODUCTS[1]!.deal(40), 'paid', 'won', 180_000, 150))
  c.deals.push(h.deal('CRM Enterprise, 120 seats', 'agreement', 'open', 1_440_000, 3))
  c.orders.push(h.order(DEMO_PRODUCTS[0]!.order, 1_200_000, 300, 'paid'), h.order(DEMO_PRODUCTS[1]!.order, 180_000, 150, 'paid'))
  c.orders.push(h.order(DEMO_PRODUCTS[2]!.order, 90_000, 60, 'paid'))
  c.tasks.push(h.task('reminder', 'a-anna', 'Send the signed agreement for CRM Enterprise, 120 seats', -1))
  return c
}

function olgaSmirnova(h: History): DemoCustomer {
  const c = customer(
    { name: 'Olga Smirnova', company: 'Flora Trade', owner_agent_id: 'a-boris', tier: 'standard', segment: 'smb', language: 'ru', seasonality: 'spring and autumn', refusal_reasons: ['price too high'] },
    [{ phone: DEMO_CALLERS.olgaSmirnova, kind: 'mobile' }],
    [DEMO_PRODUCTS[0]!.need]
  )
  c.calls.push(h.call(DEMO_CALLERS.olgaSmirnova, 61, 'answered', 'a-boris'), h.call(DEMO_CALLERS.olgaSmirnova, 20, 'answered', 'a-boris'), h.call(DEMO_CALLERS.olgaSmirnova, 3, 'missed', 'a-boris'))
  c.deals.push(h.deal(DEMO_PRODUCTS[0]!.deal(5), 'done', 'won', 57_500, 59), h.deal(DEMO_PRODUCTS[2]!.deal(5), 'offer', 'lost', 30_000, 25, 'price too high'))
  c.orders.push(h.order(DEMO_PRODUCTS[0]!.order, 38_500, 59, 'unpaid'), h.order(DEMO_PRODUCTS[0]!.order, 19_000, 200, 'paid'))
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
  const products = shuffle(rng, [...DEMO_PRODUCTS]).slice(0, 1 + Math.floor(rng() * 2))
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
  const colleagues = DEMO_AGENTS.filter((a) => a.team !== 'collections' && (a.skills[english ? 'lang:en' : 'lang:ru'] ?? 0) >= 5)
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
 * volume from the orders, the last agent and contact from the newest answered
 * call, the overdue amount and days from unpaid payments due before today, and
 * call-back tasks for missed calls (done when an answered call followed, open
 * otherwise).
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
