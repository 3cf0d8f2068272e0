import t from 'tap'
import { CallRouter, type RouteInput } from '../../src/routing/call-router.js'
import type { AgentIndex } from '../../src/routing/agent-index.js'
import type { RouteStep } from '../../src/routing/types.js'
import { agent, call, customer, indexOf, MINUTE, rule, rules, T0, testEnv } from './fixtures/inputs.js'

const owner: RouteStep = { kind: 'owner', ringSeconds: 25 }
const sales: RouteStep = { kind: 'team', team: 'sales', strategy: 'longest-idle', ringSeconds: 20 }
const set = rules([rule('main', { steps: [owner, sales], otherwise: { kind: 'queue', queue: 'sales' } })])

function setup(ids = ['olga', 'ivan', 'anna']) {
  const env = testEnv()
  const index = indexOf(ids.map((id) => agent(id, { team: 'sales' })))
  const router = new CallRouter({ index, env, wrapUpSeconds: 30 })
  return { env, index, router }
}

const input = (id = 'call-1', ownerAgentId: string | null = 'olga'): RouteInput => ({
  interaction: call({ id }),
  customer: customer({ ownerAgentId }),
  line: null,
  rules: set
})

const status = (index: AgentIndex, id: string) => index.get(id)?.state.status

t.test('route reserves the first target at once', async (t) => {
  const { index, router } = setup()
  const d = router.route(input())
  t.equal(d.targets[0]?.agentId, 'olga')
  t.equal(status(index, 'olga'), 'ringing')
  t.same(router.progress('call-1'), { interactionId: 'call-1', agentId: 'olga', answered: false, failed: [] })
})

t.test('a second interaction decided while the first rings gets another agent', async (t) => {
  const { router } = setup()
  router.route(input('call-1'))
  const d = router.route(input('call-2'))
  t.equal(d.targets[0]?.agentId, 'ivan')
  t.same(d.trace.steps[0]?.skipped, [{ agentId: 'olga', reason: 'at-capacity' }])
})

t.test('a ring timeout moves the interaction to the next target and never back', async (t) => {
  const { env, index, router } = setup()
  router.route(input())
  env.advance(25_000)
  const d = router.next('call-1', 'olga', 'ring-timeout')
  t.equal(d?.targets[0]?.agentId, 'ivan')
  t.equal(status(index, 'olga'), 'available', 'released')
  t.equal(status(index, 'ivan'), 'ringing')
  t.same(d?.trace.steps[0]?.skipped, [{ agentId: 'olga', reason: 'excluded' }])
  const again = router.next('call-1', 'ivan', 'declined')
  t.equal(again?.targets[0]?.agentId, 'anna')
  t.same(router.progress('call-1')?.failed, [
    { agentId: 'olga', why: 'ring-timeout' },
    { agentId: 'ivan', why: 'declined' }
  ])
})

t.test('when every agent has failed, next gives the final action and holds nobody', async (t) => {
  const { index, router } = setup(['olga'])
  router.route(input())
  const d = router.next('call-1', 'olga', 'busy')
  t.same(d?.targets, [])
  t.same(d?.final, { kind: 'queue', queue: 'sales' })
  t.equal(router.progress('call-1')?.agentId, null)
  t.equal(status(index, 'olga'), 'available')
})

t.test('answered then ended puts the agent through wrap-up and back', async (t) => {
  const { env, index, router } = setup()
  router.route(input())
  env.advance(5000)
  t.equal(router.answered('call-1', 'olga'), true)
  t.match(index.get('olga')?.state, { status: 'busy', callsToday: 1 })
  env.advance(3 * MINUTE)
  t.equal(router.ended('call-1'), true)
  t.equal(status(index, 'olga'), 'wrap-up')
  t.equal(router.activeInteractions, 0)
  env.advance(30_000)
  t.equal(router.route(input('call-2')).targets[0]?.agentId, 'olga', 'wrap-up over by the next decision')
})

t.test('answered by an agent the interaction did not reserve is refused', async (t) => {
  const { router } = setup()
  router.route(input())
  t.equal(router.answered('call-1', 'ivan'), false)
  t.equal(router.answered('nope', 'olga'), false)
  t.equal(router.answered('call-1', 'olga'), true)
  t.equal(router.answered('call-1', 'olga'), false, 'only once')
  t.equal(router.next('call-1', 'olga', 'busy'), null, 'an answered interaction has no next target')
})

t.test('cancel before answer releases the agent without wrap-up', async (t) => {
  const { index, router } = setup()
  router.route(input())
  t.equal(router.cancel('call-1'), true)
  t.equal(status(index, 'olga'), 'available')
  t.equal(router.cancel('call-1'), false, 'already gone')
  t.equal(router.next('call-1', 'olga', 'ring-timeout'), null)
})

t.test('a queued interaction routed again later keeps its failed agents excluded', async (t) => {
  const { env, index, router } = setup(['olga', 'ivan'])
  index.setAgentState('ivan', 'away', T0)
  router.route(input())
  const queued = router.next('call-1', 'olga', 'declined')
  t.same(queued?.targets, [])
  env.advance(MINUTE)
  index.setAgentState('ivan', 'available', env.now())
  t.equal(router.route(input()).targets[0]?.agentId, 'ivan')
})

t.test('routing an interaction again gives back what it held first', async (t) => {
  const { index, router } = setup()
  router.route(input())
  router.route(input('call-1', 'ivan'))
  t.equal(status(index, 'olga'), 'available')
  t.equal(status(index, 'ivan'), 'ringing')
})

t.test('explain reserves nobody and lists members who were not eligible', async (t) => {
  const { index, router } = setup()
  index.setAgentState('ivan', 'away', T0)
  const d = router.explain(input('call-1', null))
  t.equal(status(index, 'anna'), 'available')
  t.same(d.targets.map((x) => x.agentId), ['olga', 'anna'])
  t.same(d.trace.steps[1]?.skipped, [{ agentId: 'ivan', reason: 'away' }])
})

t.test('the router refuses nonsense options', async (t) => {
  const { index, env } = setup()
  t.throws(() => new CallRouter({ index, env, wrapUpSeconds: -1 }), RangeError)
  t.throws(() => new CallRouter({ index, env, wrapUpSeconds: 0, maxTargets: 0 }), RangeError)
})
