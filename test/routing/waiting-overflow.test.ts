import t from 'tap'
import type { RouteStep } from '../../src/routing/types.js'
import { queue, rule, T0 } from './fixtures/inputs.js'
import { floor, queueSettings, ruleSetWith } from './fixtures/waiting.js'

const sales: RouteStep = { kind: 'team', team: 'sales', strategy: 'longest-idle', ringSeconds: 20 }
const toVoicemail = { kind: 'voicemail', mailbox: 'sales', callbackTask: true } as const
const everyone = rule('everyone', { steps: [sales], otherwise: queue('sales') })

t.test('a call that reaches the longest wait leaves with the overflow', async (t) => {
  const set = ruleSetWith([everyone], [queueSettings('sales', { maxWaitSeconds: 60, overflow: toVoicemail })])
  const f = floor(['anna'], set)
  f.arrive('call-1')
  f.arrive('w')
  t.equal(f.router.nextDueAt(), T0 + 60_000)
  f.env.advance(59_999)
  t.same(f.router.dueWaits(f.env.now()), [], 'not yet')
  f.env.advance(1)
  t.same(f.router.dueWaits(f.env.now()), [
    { kind: 'overflow', interactionId: 'w', queue: 'sales', final: toVoicemail, waitedMs: 60_000, reason: 'waited 60 s in queue sales, its longest wait' }
  ])
  t.equal(f.router.progress('w'), undefined, 'the interaction left the core')
  t.equal(f.router.nextDueAt(), null)
})

t.test('an arrival over the most calls waiting gets the overflow at once', async (t) => {
  const set = ruleSetWith([everyone], [queueSettings('sales', { maxWaiting: 1, overflow: toVoicemail })])
  const f = floor(['anna'], set)
  f.arrive('call-1')
  f.arrive('w1')
  const d = f.arrive('w2')
  t.same(d.final, toVoicemail)
  t.equal(d.queued, undefined)
  t.match(d.trace.steps.at(-1), { step: 'queue sales', note: 'queue sales is full (1 waiting): overflow to voicemail' })
  t.equal(d.reason, 'queue sales is full (1 waiting): voicemail sales and a call-back task')
})

t.test('with every fitting agent offline the overflow applies at once', async (t) => {
  const set = ruleSetWith([everyone], [queueSettings('sales', { overflow: toVoicemail })])
  const f = floor(['anna'], set)
  f.index.setAgentState('anna', 'offline', f.env.now())
  const d = f.arrive('w')
  t.same(d.final, toVoicemail)
  t.match(d.trace.steps.at(-1), { note: /nobody who could take it from queue sales is logged in/ })
})

t.test('a queue set to wait when nobody is logged in keeps the call', async (t) => {
  const set = ruleSetWith([everyone], [queueSettings('sales', { whenNobodyLoggedIn: 'wait' })])
  const f = floor(['anna'], set)
  f.index.setAgentState('anna', 'offline', f.env.now())
  t.match(f.arrive('w').queued, { queue: 'sales', position: 1 })
  f.index.setAgentState('anna', 'available', f.env.now())
  t.same(f.serve().map((s) => s.interactionId), ['w'])
})

t.test('an overflow into another queue moves the call there, keeping its place by arrival', async (t) => {
  const set = ruleSetWith(
    [rule('first', { when: (c) => c.caller.number === '+1', steps: [sales], otherwise: queue('sales') }), rule('other', { steps: [sales], otherwise: queue('general') })],
    [queueSettings('sales', { maxWaitSeconds: 60, overflow: queue('general') }), queueSettings('general', { overflow: toVoicemail })]
  )
  const f = floor(['anna'], set)
  f.arrive('call-1')
  const early = f.router.route({ ...f.input('early'), interaction: { ...f.input('early').interaction, caller: '+1' } })
  t.equal(early.queued?.queue, 'sales')
  f.env.advance(1000)
  f.arrive('late')
  f.env.advance(59_000)
  const [moved] = f.router.dueWaits(f.env.now())
  t.match(moved, { kind: 'moved', interactionId: 'early', from: 'sales', queue: 'general', waitedMs: 60_000 })
  t.same(f.hangUp('call-1').map((s) => [s.interactionId, s.queue]), [['early', 'general']], 'it arrived first')
})

t.test('an overflow loop built in code stops at voicemail instead of going round', async (t) => {
  const set = ruleSetWith([everyone], [
    queueSettings('sales', { maxWaiting: 0, overflow: queue('general') }),
    queueSettings('general', { maxWaiting: 0, overflow: queue('sales') })
  ])
  const f = floor(['anna'], set)
  f.arrive('call-1')
  const d = f.arrive('w')
  t.equal(d.final.kind, 'voicemail')
  t.ok(d.trace.steps.filter((s) => s.step.startsWith('queue ')).length <= 10)
})

t.test('calls that waited and hung up long before their longest wait are not held by its timer', async (t) => {
  const set = ruleSetWith([everyone], [queueSettings('sales', { maxWaitSeconds: 600, overflow: toVoicemail })])
  const f = floor(['anna'], set)
  f.arrive('call-1')
  for (let i = 0; i < 10_000; i++) {
    f.arrive(`w-${i}`)
    f.router.abandon(`w-${i}`)
  }
  t.equal(f.router.waitingCount, 0)
  t.ok(f.router.queueTimersHeld <= 1100, `${f.router.queueTimersHeld} timers held after 10,000 waits came and went within their 600 s`)
  f.arrive('w-last')
  f.env.advance(600_000)
  t.match(f.router.dueWaits(f.env.now()), [{ kind: 'overflow', interactionId: 'w-last' }], 'the live wait still overflows on time')
})
