import pino from 'pino'
import t from 'tap'
import type { CustomerCard } from '../../src/crm/customer-card.js'
import { isPoolWait } from '../../src/errors.js'
import type { RoutedInteraction } from '../../src/interactions/interaction-router.js'
import { untilPoolFree } from '../../src/screenpop/card-cache.js'
import { CardEvents, type ScreenPopEvent } from '../../src/screenpop/card-events.js'
import { request, testDemoApp } from '../helpers/test-app.js'
import { eventsOf } from '../workflows/workflow-fixture.js'

const LINE = { number: '+74951234567', name: 'Spring ads', source: 'yandex', campaign: 'spring-crm', product: 'crm', costPerLead: 300 }

function routed(callId: string, customerId = '7'): RoutedInteraction {
  return {
    callId,
    caller: {
      phone: { ok: true, e164: '+79161234567', displayName: 'Ivan' },
      customer: { id: customerId, name: 'Ivan Petrov', ownerAgentId: 'a-anna', tier: 'vip', segment: null, language: null, overdueAmount: 0, overdueDays: 0, blocked: false, lastAgentId: null, lastContactAt: null, openDealStage: null }
    },
    line: LINE,
    rulesVersion: 'v1',
    degraded: false,
    decision: { interactionId: callId, rule: 'VIP customers', priority: 10, targets: [{ agentId: 'a-anna', reason: 'your customer', address: '', ringSeconds: 20, step: 'owner' }], final: { kind: 'queue', queue: 'q' }, trace: { rulesTried: [], steps: [] }, reason: 'your customer' }
  }
}

function setup(watching: { anna: boolean }) {
  const published: { agentId: string; event: ScreenPopEvent }[] = []
  const reads: number[] = []
  const loadCard = async (id: number) => {
    reads.push(id)
    return { customer: { name: 'Ivan Petrov' } } as CustomerCard
  }
  const cards = new CardEvents({
    hub: { publish: (agentId, event) => void published.push({ agentId, event }) },
    loadCard,
    logger: pino({ level: 'silent' }),
    watched: (agentId) => agentId === 'a-anna' && watching.anna,
    anyWatched: () => watching.anna
  })
  const offer = async (callId: string, customerId = '7') => {
    const r = routed(callId, customerId)
    cards.handle({ type: 'identified', callId, identity: r } as any)
    cards.handle({ type: 'offered', callId, agentId: 'a-anna', ringSeconds: 20, routed: r })
    await cards.settled()
    return published.filter((p) => p.event.type === 'card' && p.event.callId === callId).at(-1)!.event as any
  }
  return { cards, published, reads, offer }
}

t.test('an agent nobody watches gets the card without the history, and the history is never read', async (t) => {
  const { reads, offer } = setup({ anna: false })
  const card = await offer('c1')
  t.same(reads, [])
  t.match(card.who, { kind: 'customer', customer: { id: 7, name: 'Ivan Petrov' }, card: null, historyUnavailable: false, historyOmitted: true })
})

t.test('an agent whose page is open gets the card with the history', async (t) => {
  const { reads, offer } = setup({ anna: true })
  const card = await offer('c1')
  t.same(reads, [7])
  t.match(card.who, { kind: 'customer', card: { customer: { name: 'Ivan Petrov' } }, historyUnavailable: false })
  t.notOk('historyOmitted' in card.who)
})

t.test("a customer's card is read once for all of their calls in progress, and again once they all ended", async (t) => {
  const { cards, reads, offer } = setup({ anna: true })
  await offer('c1')
  await offer('c2')
  t.same(reads, [7], 'the second call shares the first one’s card')
  cards.handle({ type: 'ended', callId: 'c1', detail: {} } as any)
  await offer('c3')
  t.same(reads, [7], 'c2 still lasts')
  cards.handle({ type: 'ended', callId: 'c2', detail: {} } as any)
  cards.handle({ type: 'ended', callId: 'c3', detail: {} } as any)
  t.equal(cards.cache.size, 0, 'nothing kept once every call ended')
  await offer('c4')
  t.same(reads, [7, 7])
})

t.test("a customer's change makes the next call read their card afresh", async (t) => {
  const { cards, reads, offer } = setup({ anna: true })
  await offer('c1')
  cards.cache.customerChanged(7)
  await offer('c2')
  t.same(reads, [7, 7])
})

t.test('a card read is retried while the pool is only busy, and fails at once on an outage', async (t) => {
  let tries = 0
  const busy = async () => {
    if (++tries < 3) throw new Error('timeout exceeded when trying to connect')
    return 'card'
  }
  t.equal(await untilPoolFree(busy, isPoolWait), 'card')
  t.equal(tries, 3)
  let outages = 0
  const down = async () => {
    outages++
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
  }
  await t.rejects(untilPoolFree(down, isPoolWait), /ECONNREFUSED/)
  t.equal(outages, 1)
})

t.test('on the server, the owner gets the history only while their page is open', async (t) => {
  const { app, url } = await testDemoApp(t)
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: '+79161234567', dialed: LINE.number, callId: 'unwatched-1' } })
  await request(`${url}/v1/interactions/unwatched-1/ended`, { method: 'POST' })
  const frames: any[] = []
  const page = app.screenPops.subscribe('a-anna', null, { send: (f) => void frames.push(JSON.parse(f)), backlog: () => 0, resync: () => undefined })
  t.teardown(() => page.unsubscribe())
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: '+79161234567', dialed: LINE.number, callId: 'watched-1' } })
  for (let i = 0; i < 200 && !frames.some((f) => f.type === 'card'); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  const unwatched = eventsOf(app, 'a-anna').find((e) => e.type === 'card' && e.callId === 'unwatched-1')
  t.match(unwatched?.who, { kind: 'customer', card: null, historyOmitted: true })
  const watched = frames.find((f) => f.type === 'card' && f.callId === 'watched-1')
  t.ok(watched?.who.card.lastCalls.length > 0, 'with the history')
})
