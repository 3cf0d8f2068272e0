import t from 'tap'
import type { RouteStep } from '../../src/routing/types.js'
import { customer, queue, rule } from './fixtures/inputs.js'
import { floor, queueSettings, ruleSetWith } from './fixtures/waiting.js'

const sales: RouteStep = { kind: 'team', team: 'sales', strategy: 'longest-idle', ringSeconds: 20 }
const vipRule = rule('vip', { when: (c) => c.customer.tier === 'vip', priority: 10, steps: [sales], otherwise: queue('sales') })
const anyRule = rule('everyone', { steps: [sales], otherwise: queue('sales') })
const set = ruleSetWith([vipRule, anyRule], [queueSettings('sales')])
const vip = customer({ id: 'c-vip', tier: 'vip' })

t.test('a call that finds every agent busy waits in its queue with a position', async (t) => {
  const f = floor(['anna'], set)
  f.arrive('call-1')
  const d = f.arrive('call-2')
  t.same(d.targets, [])
  t.same(d.final, { kind: 'queue', queue: 'sales' })
  t.match(d.queued, { queue: 'sales', position: 1, priority: 0, kind: 'call' })
  t.match(d.trace.steps.at(-1), { step: 'queue sales', note: /waiting, position 1/ })
  t.equal(f.router.waiting('call-2')?.position, 1)
})

t.test('the freed agent takes the highest priority first, and the trace says why', async (t) => {
  const f = floor(['anna'], set)
  f.arrive('call-1')
  f.arrive('plain', customer({ id: 'c-2' }))
  f.env.advance(1000)
  f.arrive('vip', vip)
  f.env.advance(5000)
  const served = f.hangUp('call-1')
  t.equal(served.length, 1)
  t.equal(served[0]!.interactionId, 'vip')
  t.equal(served[0]!.decision.targets[0]!.agentId, 'anna')
  t.equal(served[0]!.waitedMs, 5000)
  t.match(served[0]!.decision.trace.steps.at(-1), { step: 'queue sales', chosen: ['anna'], note: /agent anna became free; picked at priority 10.*waited 5 s/ })
  t.equal(f.router.waiting('plain')?.position, 1)
})

t.test('between equal priorities the longest waiting goes first', async (t) => {
  const f = floor(['anna'], set)
  f.arrive('call-1')
  f.arrive('first')
  f.env.advance(1000)
  f.arrive('second')
  t.equal(f.router.waiting('second')?.position, 2)
  t.same(f.hangUp('call-1').map((s) => s.interactionId), ['first'])
  t.same(f.hangUp('first').map((s) => s.interactionId), ['second'])
})

t.test('a new arrival never takes an agent freed for an older waiting call of equal priority', async (t) => {
  const f = floor(['anna'], set)
  f.arrive('call-1')
  f.arrive('older')
  f.hangUp('call-1')
  const d = f.arrive('newer')
  t.same(d.targets, [], 'anna went to the older call')
  t.equal(f.router.progress('older')?.agentId, 'anna')
  t.equal(d.queued?.position, 1)
})

t.test('an agent with room for two takes the two calls in line', async (t) => {
  const f = floor(['anna'], set)
  f.arrive('call-1')
  f.arrive('w1')
  f.arrive('w2')
  f.router.ended('call-1')
  f.index.upsertAgent({ ...f.index.get('anna')!.profile, capacity: 2 })
  t.same(f.serve().map((s) => s.interactionId), ['w1', 'w2'])
  t.equal(f.index.get('anna')?.state.activeCalls, 2)
})

t.test('an agent who sets available takes the waiting call', async (t) => {
  const f = floor(['anna'], set)
  f.index.setAgentState('anna', 'away', f.env.now())
  f.arrive('call-1')
  t.equal(f.router.waiting('call-1')?.queue, 'sales', 'an agent away counts as able to serve')
  f.index.setAgentState('anna', 'available', f.env.now())
  t.same(f.serve().map((s) => s.interactionId), ['call-1'])
})

t.test('a call served once is never served again', async (t) => {
  const f = floor(['anna', 'boris'], set)
  f.arrive('c1')
  f.arrive('c2')
  f.arrive('w')
  t.equal(f.hangUp('c1').length, 1)
  t.same(f.hangUp('c2'), [])
  t.equal(f.router.waitingCount, 0)
})

t.test('a caller who hangs up while waiting leaves the queue and says how long they waited', async (t) => {
  const f = floor(['anna'], set)
  f.arrive('call-1')
  f.arrive('w')
  f.env.advance(12_000)
  t.match(f.router.abandon('w'), { interactionId: 'w', queue: 'sales', waitedMs: 12_000, kind: 'call' })
  t.equal(f.router.waiting('w'), null)
  t.equal(f.router.progress('w'), undefined)
  t.same(f.hangUp('call-1'), [])
  t.equal(f.router.abandon('call-1'), null, 'not waiting')
})

t.test('a caller who asks for a call-back keeps their place and is served as a call-back', async (t) => {
  const f = floor(['anna'], set)
  f.arrive('call-1')
  f.arrive('asks-back')
  f.arrive('behind')
  t.match(f.router.keepPlace('asks-back'), { position: 1, kind: 'callback' })
  const served = f.hangUp('call-1')
  t.same(served.map((s) => [s.interactionId, s.kind]), [['asks-back', 'callback']])
  t.equal(f.router.waiting('behind')?.position, 1)
  t.equal(f.router.keepPlace('asks-back'), null, 'no longer waiting')
})

t.test('queues list their calls best first with waits and estimates', async (t) => {
  const f = floor(['anna'], set)
  f.arrive('call-1')
  f.arrive('plain')
  f.env.advance(2000)
  f.arrive('vip', vip)
  f.env.advance(1000)
  const [sales] = f.router.queueSnapshots()
  t.equal(sales?.name, 'sales')
  t.equal(sales?.waiting, 2)
  t.equal(sales?.longestWaitMs, 3000)
  t.same(sales?.calls.map((c) => [c.interactionId, c.position, c.priority, c.waitedMs]), [['vip', 1, 10, 1000], ['plain', 2, 0, 3000]])
  t.ok(sales!.calls[1]!.estimatedWaitSeconds > sales!.calls[0]!.estimatedWaitSeconds, 'further back waits longer')
  t.same([...f.router.positions().keys()].sort(), ['plain', 'vip'])
})

t.test('the estimate follows the mean handle time of the calls that ended', async (t) => {
  const f = floor(['anna'], set)
  f.arrive('call-1')
  f.env.advance(60_000)
  f.hangUp('call-1')
  t.equal(f.router.meanHandleMs, 60_000)
  f.arrive('call-2')
  const d = f.arrive('w')
  t.equal(d.queued?.estimatedWaitSeconds, 60, 'first in line, one agent, 60 s per call')
})
