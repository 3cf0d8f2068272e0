import pino from 'pino'
import t from 'tap'
import type { CustomerCard } from '../../src/crm/customer-card.js'
import type { RoutedInteraction } from '../../src/interactions/interaction-router.js'
import { CardEvents, type ScreenPopEvent } from '../../src/screenpop/card-events.js'

const LINE = { number: '+74951234567', name: 'Spring ads', source: 'yandex', campaign: 'spring-crm', product: 'crm', costPerLead: 300 }

function routed(callId: string): RoutedInteraction {
  return {
    callId,
    caller: {
      phone: { ok: true, e164: '+79161234567', displayName: 'Ivan' },
      customer: { id: '7', name: 'Ivan Petrov', ownerAgentId: 'a-anna', tier: 'vip', segment: null, language: null, overdueAmount: 0, overdueDays: 0, blocked: false, lastAgentId: null, lastContactAt: null, openDealStage: null }
    },
    line: LINE,
    rulesVersion: 'v1',
    degraded: false,
    decision: { interactionId: callId, rule: 'VIP customers', priority: 10, targets: [{ agentId: 'a-anna', reason: 'your customer', address: '', ringSeconds: 20, step: 'owner' }], final: { kind: 'queue', queue: 'q' }, trace: { rulesTried: [], steps: [] }, reason: 'your customer' }
  }
}

function setup(loadCard: (id: number) => Promise<CustomerCard | null>) {
  const published: { agentId: string; event: ScreenPopEvent }[] = []
  const cards = new CardEvents({ hub: { publish: (agentId, event) => void published.push({ agentId, event }) }, loadCard, logger: pino({ level: 'silent' }) })
  return { cards, published }
}

t.test('the customer card is read as soon as the caller is identified, before any offer', async (t) => {
  const reads: number[] = []
  const { cards } = setup(async (id) => (reads.push(id), { customer: { name: 'Ivan Petrov' } } as CustomerCard))
  const { decision: _decision, ...identity } = routed('c1')
  cards.handle({ type: 'identified', callId: 'c1', identity })
  t.same(reads, [7], 'read at identification')
  cards.handle({ type: 'offered', callId: 'c1', agentId: 'a-anna', ringSeconds: 20, routed: routed('c1') })
  await cards.settled()
  t.same(reads, [7], 'and not again for the offer')
})

t.test('an offer hands back the publishing of its card, which settles once the card is published', async (t) => {
  let answer!: (card: CustomerCard) => void
  const { cards, published } = setup(() => new Promise((resolve) => (answer = resolve)))
  const sent = cards.handle({ type: 'offered', callId: 'c1', agentId: 'a-anna', ringSeconds: 20, routed: routed('c1') })
  t.ok(sent instanceof Promise, 'a promise for the offer')
  let settled = false
  void sent!.then(() => (settled = true))
  await new Promise((resolve) => setTimeout(resolve, 10))
  t.notOk(settled, 'not settled while the CRM is read')
  t.equal(published.length, 0)
  answer({ customer: { name: 'Ivan Petrov' } } as CustomerCard)
  await sent
  t.match(published, [{ agentId: 'a-anna', event: { type: 'card', callId: 'c1' } }], 'settled once the card is out')
  t.equal(cards.handle({ type: 'ringing', callId: 'c1', agentId: 'a-anna' }), undefined, 'other events hand back nothing')
})
