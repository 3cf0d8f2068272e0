import t from 'tap'
import type { RouteStep } from '../../src/routing/types.js'
import { agent, customer, queue, rule, T0 } from './fixtures/inputs.js'
import { floor, queueSettings, ruleSetWith } from './fixtures/waiting.js'

const owner: RouteStep = { kind: 'owner', ringSeconds: 20, waitSeconds: 30 }
const sales: RouteStep = { kind: 'team', team: 'sales', strategy: 'longest-idle', ringSeconds: 20 }
const set = ruleSetWith([rule('vip', { priority: 10, steps: [owner, sales], otherwise: queue('vip') })], [queueSettings('vip')])
const olgasCustomer = customer({ id: 'c-1', ownerAgentId: 'olga' })

/** Olga (the owner) on a call, Boris free. */
function busyOwner() {
  const f = floor(['olga', 'boris'], set)
  f.router.route(f.input('olgas-call'))
  f.router.answered('olgas-call', 'olga')
  t.equal(f.router.progress('olgas-call')?.agentId, 'olga')
  return f
}

t.test('a customer whose owner is on another call waits for the owner, not the free team', async (t) => {
  const f = busyOwner()
  const d = f.router.route(f.input('vip-call', olgasCustomer))
  t.same(d.targets, [])
  t.match(d.queued, { queue: 'vip', position: 1 })
  t.match(d.trace.steps.find((s) => s.step === 'wait for owner'), { note: /busy: waiting up to 30 s/ })
  t.equal(f.index.get('boris')?.state.status, 'available')
})

t.test('the owner freeing up within the wait takes the call', async (t) => {
  const f = busyOwner()
  f.router.route(f.input('vip-call', olgasCustomer))
  f.env.advance(10_000)
  const served = f.hangUp('olgas-call')
  t.same(served.map((s) => [s.interactionId, s.decision.targets[0]?.agentId]), [['vip-call', 'olga']])
  t.equal(served[0]?.decision.targets[0]?.reason, 'your customer')
})

t.test('when the wait for the owner runs out the call widens to the team, and the trace says so', async (t) => {
  const f = busyOwner()
  f.router.route(f.input('vip-call', olgasCustomer))
  t.equal(f.router.nextDueAt(), T0 + 30_000)
  f.env.advance(30_000)
  const [widened] = f.router.dueWaits(f.env.now())
  t.match(widened, { kind: 'widened', interactionId: 'vip-call', queue: 'vip', waitedMs: 30_000, steps: ['team sales'] })
  t.equal(widened?.kind === 'widened' ? widened.served?.decision.targets[0]?.agentId : null, 'boris')
  t.match(widened?.kind === 'widened' ? widened.served?.decision.trace.steps.at(-1) : null, { step: 'queue vip', note: /wait for the earlier steps ran out/ })
})

t.test('after widening with everyone busy the call waits for any of them', async (t) => {
  const f = busyOwner()
  f.router.route(f.input('boris-call'))
  f.router.answered('boris-call', 'boris')
  f.router.route(f.input('vip-call', olgasCustomer))
  f.env.advance(30_000)
  const [widened] = f.router.dueWaits(f.env.now())
  t.match(widened, { kind: 'widened', served: null })
  t.same(f.hangUp('boris-call').map((s) => [s.interactionId, s.decision.targets[0]?.agentId]), [['vip-call', 'boris']])
})

for (const [state, why] of [['away', 'offline or away'], ['offline', 'offline or away']] as const) {
  t.test(`an owner who is ${state} is never waited for`, async (t) => {
    const f = floor(['olga', 'boris'], set)
    f.index.setAgentState('olga', state, f.env.now())
    const d = f.router.route(f.input('vip-call', olgasCustomer))
    t.equal(d.targets[0]?.agentId, 'boris')
    t.match(d.trace.steps.find((s) => s.step === 'wait for owner'), { note: `${why}: not waited for` })
  })
}

t.test('outside business hours the owner is never waited for', async (t) => {
  const f = busyOwner()
  f.env.set(Date.UTC(2024, 10, 12, 20, 0))
  const d = f.router.route(f.input('vip-call', olgasCustomer))
  t.equal(d.targets[0]?.agentId, 'boris')
  t.match(d.trace.steps.find((s) => s.step === 'wait for owner'), { note: 'outside business hours: not waited for' })
})

t.test('a waiting call whose customer gets a new owner follows the new owner', async (t) => {
  const f = busyOwner()
  f.index.upsertAgent(agent('ivan', { team: 'sales' }))
  f.index.setAgentState('ivan', 'busy', f.env.now())
  f.router.route(f.input('boris-call'))
  f.router.answered('boris-call', 'boris')
  f.router.route(f.input('vip-call', olgasCustomer))
  t.same(f.router.customerChanged('c-1', { ...olgasCustomer, ownerAgentId: 'ivan' }), [], 'Ivan is busy: the call now waits for him')
  t.same(f.hangUp('olgas-call'), [], 'the old owner freeing up does not take it')
  f.index.setAgentState('ivan', 'available', f.env.now())
  t.same(f.serve().map((s) => [s.interactionId, s.decision.targets[0]?.agentId]), [['vip-call', 'ivan']])
})

t.test('a waiting call whose new owner is free is served at once', async (t) => {
  const f = busyOwner()
  f.router.route(f.input('boris-call'))
  f.router.answered('boris-call', 'boris')
  f.index.upsertAgent(agent('ivan', { team: 'support' }))
  f.index.setAgentState('ivan', 'available', f.env.now())
  f.serve()
  f.router.route(f.input('vip-call', olgasCustomer))
  const served = f.router.customerChanged('c-1', { ...olgasCustomer, ownerAgentId: 'ivan' })
  t.same(served.map((s) => [s.interactionId, s.decision.targets[0]?.agentId]), [['vip-call', 'ivan']])
})

t.test('a free owner who would be waited for rings first, with the later steps\' agents to fall back on', async (t) => {
  const f = floor(['olga', 'boris'], set)
  const d = f.router.route(f.input('vip-call', olgasCustomer))
  t.same(d.targets.map((x) => [x.agentId, x.step]), [['olga', 'owner'], ['boris', 'team']])
  t.equal(d.queued, undefined)
  t.equal(f.index.get('olga')?.state.status, 'ringing')
  t.equal(f.index.get('boris')?.state.status, 'available', 'only the first target is reserved')
})
