import pino from 'pino'
import t from 'tap'
import type { CustomerCard } from '../../src/crm/customer-card.js'
import type { RoutedInteraction } from '../../src/interactions/interaction-router.js'
import { CardEvents, type ScreenPopEvent } from '../../src/screenpop/card-events.js'

const LINE = { number: '+74951234567', name: 'Spring ads', source: 'yandex', campaign: 'spring-crm', product: 'crm', costPerLead: 300 }

function routed(callId: string, customer: { id: string; name: string } | null, targets: { agentId: string; reason: string }[]): RoutedInteraction {
  return {
    callId,
    caller: {
      phone: { ok: true, e164: '+79161234567', displayName: 'Ivan' },
      customer: customer && { ...customer, ownerAgentId: 'a-anna', tier: 'vip', segment: null, language: null, overdueAmount: 0, overdueDays: 0, blocked: false, lastAgentId: null, lastContactAt: null, openDealStage: null }
    },
    line: LINE,
    rulesVersion: 'v1',
    degraded: false,
    decision: { interactionId: callId, rule: 'VIP customers', priority: 10, targets: targets.map((x) => ({ ...x, address: '', ringSeconds: 20, step: 'owner' })), final: { kind: 'queue', queue: 'q' }, trace: { rulesTried: [], steps: [] }, reason: targets[0]?.reason ?? 'queue' }
  }
}

function setup(loadCard: (id: number) => Promise<CustomerCard | null>) {
  const published: { agentId: string; event: ScreenPopEvent }[] = []
  const logs: any[] = []
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) })
  const cards = new CardEvents({ hub: { publish: (agentId, event) => void published.push({ agentId, event }) }, loadCard, logger, maxCalls: 2 })
  return { cards, published, logs }
}

t.test('a known caller: the card carries the customer card and the target reason', async (t) => {
  const card = { customer: { name: 'Ivan Petrov' } } as CustomerCard
  const { cards, published } = setup(async () => card)
  const r = routed('c1', { id: '7', name: 'Ivan Petrov' }, [{ agentId: 'a-anna', reason: 'your customer' }])
  cards.handle({ type: 'offered', callId: 'c1', agentId: 'a-anna', ringSeconds: 20, routed: r })
  await cards.settled()
  t.equal(published.length, 1)
  t.match(published[0], {
    agentId: 'a-anna',
    event: { type: 'card', callId: 'c1', title: 'Ivan Petrov', caller: { number: '+79161234567', displayName: 'Ivan' }, reason: 'your customer', line: { campaign: 'spring-crm', source: 'yandex' }, who: { kind: 'customer', customer: { id: 7, name: 'Ivan Petrov' }, card, historyUnavailable: false } }
  })
})

t.test('an unknown caller is a new lead from the line campaign', async (t) => {
  const { cards, published } = setup(async () => t.fail('no card is read for a lead') as never)
  cards.handle({ type: 'offered', callId: 'c1', agentId: 'a-igor', ringSeconds: 15, routed: routed('c1', null, [{ agentId: 'a-igor', reason: 'sales specialist' }]) })
  await cards.settled()
  t.match(published[0]!.event, { type: 'card', title: 'new lead from spring-crm', reason: 'sales specialist', ringSeconds: 15, who: { kind: 'lead', lead: true, campaign: 'spring-crm', line: '+74951234567' } })
})

t.test('the CRM down: the card goes out without history and the error is logged', async (t) => {
  const { cards, published, logs } = setup(async () => {
    throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
  })
  cards.handle({ type: 'offered', callId: 'c1', agentId: 'a-anna', ringSeconds: 20, routed: routed('c1', { id: '7', name: 'Ivan Petrov' }, [{ agentId: 'a-anna', reason: 'your customer' }]) })
  await cards.settled()
  t.match(published[0]!.event, { type: 'card', title: 'Ivan Petrov', who: { kind: 'customer', card: null, historyUnavailable: true } })
  t.match(logs, [{ msg: 'customer history unavailable; card sent without it', customerId: 7 }])
})

t.test("a call's events are published in order, after its card, even while the card is still being read", async (t) => {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  let reads = 0
  const { cards, published } = setup(async () => {
    reads++
    await gate
    return { customer: { name: 'Ivan Petrov' } } as CustomerCard
  })
  const r = routed('c1', { id: '7', name: 'Ivan Petrov' }, [{ agentId: 'a-anna', reason: 'your customer' }])
  cards.handle({ type: 'offered', callId: 'c1', agentId: 'a-anna', ringSeconds: 20, routed: r })
  cards.handle({ type: 'offer-failed', callId: 'c1', agentId: 'a-anna', why: 'busy' })
  r.decision = routed('c1', null, [{ agentId: 'a-oleg', reason: 'last worked with you' }]).decision
  cards.handle({ type: 'offered', callId: 'c1', agentId: 'a-oleg', ringSeconds: 20, routed: r })
  cards.handle({ type: 'answered', callId: 'c1', agentId: 'a-oleg' })
  cards.handle({ type: 'ended', callId: 'c1', detail: {} })
  t.same(published, [], 'nothing before the card is built')
  release()
  await cards.settled()
  t.equal(reads, 1, 'the card is read once per call')
  t.same(
    published.map((p) => [p.agentId, p.event.type]),
    [
      ['a-anna', 'card'],
      ['a-anna', 'missed'],
      ['a-oleg', 'card'],
      ['a-anna', 'taken-by-other'],
      ['a-oleg', 'answered'],
      ['a-anna', 'ended'],
      ['a-oleg', 'ended']
    ]
  )
  t.match(published[2]!.event, { reason: 'last worked with you' })
  t.match(published[3]!.event, { answeredBy: 'a-oleg' })
  t.match(published[1]!.event, { why: 'busy' })
})

t.test("who answered is named: a colleague's card says their name, or null when nobody knows it", async (t) => {
  const published: { agentId: string; event: ScreenPopEvent }[] = []
  const names: Record<string, string> = { 'a-boris': 'Boris Orlov' }
  const cards = new CardEvents({
    hub: { publish: (agentId, event) => void published.push({ agentId, event }) },
    loadCard: async () => null,
    logger: pino({ level: 'silent' }),
    nameOf: (agentId) => names[agentId] ?? null
  })
  for (const agentId of ['a-anna', 'a-boris']) cards.handle({ type: 'offered', callId: 'c1', agentId, ringSeconds: 20, routed: routed('c1', null, [{ agentId, reason: 'x' }]) })
  cards.handle({ type: 'answered', callId: 'c1', agentId: 'a-boris' })
  for (const agentId of ['a-anna', 'a-ghost']) cards.handle({ type: 'offered', callId: 'c2', agentId, ringSeconds: 20, routed: routed('c2', null, [{ agentId, reason: 'x' }]) })
  cards.handle({ type: 'answered', callId: 'c2', agentId: 'a-ghost' })
  await cards.settled()
  const answers = published.filter((p) => p.event.type !== 'card').map((p) => ({ agentId: p.agentId, ...p.event }))
  // Each call's events keep their order; two calls' interleave, so they are compared call by call.
  answers.sort((x, y) => String(x.callId).localeCompare(String(y.callId)) || x.agentId.localeCompare(y.agentId))
  t.same(answers, [
    { agentId: 'a-anna', type: 'taken-by-other', callId: 'c1', answeredBy: 'a-boris', answeredByName: 'Boris Orlov' },
    { agentId: 'a-boris', type: 'answered', callId: 'c1', answeredBy: 'a-boris', answeredByName: 'Boris Orlov' },
    { agentId: 'a-anna', type: 'taken-by-other', callId: 'c2', answeredBy: 'a-ghost', answeredByName: null },
    { agentId: 'a-ghost', type: 'answered', callId: 'c2', answeredBy: 'a-ghost', answeredByName: null }
  ])

  // Without nameOf (a hand-built CardEvents), the name is null and the page shows the id.
  const { cards: unnamed, published: plain } = setup(async () => null)
  for (const agentId of ['a-anna', 'a-boris']) unnamed.handle({ type: 'offered', callId: 'c3', agentId, ringSeconds: 20, routed: routed('c3', null, [{ agentId, reason: 'x' }]) })
  unnamed.handle({ type: 'answered', callId: 'c3', agentId: 'a-boris' })
  await unnamed.settled()
  t.match(plain.find((p) => p.event.type === 'taken-by-other')?.event, { answeredBy: 'a-boris', answeredByName: null })
})

t.test('events of calls not followed are ignored; old calls are forgotten past the limit', async (t) => {
  const { cards, published } = setup(async () => null)
  cards.handle({ type: 'answered', callId: 'nope', agentId: 'a' })
  cards.handle({ type: 'offer-failed', callId: 'nope', agentId: 'a', why: 'busy' })
  cards.handle({ type: 'ended', callId: 'nope', detail: {} })
  cards.handle({ type: 'final', callId: 'nope', decision: routed('nope', null, []).decision })
  for (const id of ['c1', 'c2', 'c3']) cards.handle({ type: 'offered', callId: id, agentId: 'a', ringSeconds: 5, routed: routed(id, null, [{ agentId: 'a', reason: 'x' }]) })
  cards.handle({ type: 'ended', callId: 'c1', detail: {} })
  cards.handle({ type: 'ended', callId: 'c3', detail: {} })
  await cards.settled()
  t.same(published.map((p) => `${p.event.type}:${p.event.callId}`), ['card:c1', 'card:c2', 'card:c3', 'ended:c3'])
})

t.test('a publish that throws is logged and does not stop later events', async (t) => {
  const logs: any[] = []
  const logger = pino({ level: 'error' }, { write: (line: string) => void logs.push(JSON.parse(line)) })
  let first = true
  const published: string[] = []
  const cards = new CardEvents({
    hub: {
      publish: (_agentId, event) => {
        if (first) {
          first = false
          throw new Error('boom')
        }
        published.push(event.type)
      }
    },
    loadCard: async () => null,
    logger
  })
  cards.handle({ type: 'offered', callId: 'c1', agentId: 'a', ringSeconds: 5, routed: routed('c1', null, [{ agentId: 'a', reason: 'x' }]) })
  cards.handle({ type: 'ended', callId: 'c1', detail: {} })
  await cards.settled()
  t.same(published, ['ended'])
  t.match(logs, [{ msg: 'screen-pop event not published' }])
})
