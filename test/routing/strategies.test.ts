import t from 'tap'
import { CallRouter } from '../../src/routing/call-router.js'
import { decide } from '../../src/routing/decide.js'
import { AgentIndex } from '../../src/routing/agent-index.js'
import type { RouteStep, RoutingEnv, Strategy } from '../../src/routing/types.js'
import { agent, call, indexOf, MINUTE, rule, rules, seeded, T0, testEnv } from './fixtures/inputs.js'

const teamStep = (strategy: Strategy): RouteStep => ({ kind: 'team', team: 'sales', strategy, ringSeconds: 20 })
const tvStep = (strategy: Strategy, min = 1): RouteStep => ({ kind: 'skills', skills: [{ skill: 'tv', minProficiency: min }], strategy, ringSeconds: 20 })

function order(index: AgentIndex, step: RouteStep, env: RoutingEnv = testEnv(), maxTargets = 10): string[] {
  const d = decide({ interaction: call(), customer: null, line: null, rules: rules([rule('r', { steps: [step] })]), maxTargets }, index, env)
  return d.targets.map((x) => x.agentId)
}

/** Makes the agents available one minute apart, in the given order. */
function availableInOrder(index: AgentIndex, ids: string[]): void {
  ids.forEach((id, i) => index.setAgentState(id, 'available', T0 - 60 * MINUTE + i * MINUTE))
}

const sales = (...ids: string[]) => ids.map((id) => agent(id, { team: 'sales' }))

t.test('longest-idle offers first whoever became free first', async (t) => {
  const index = indexOf(sales('a', 'b', 'c'), 'offline')
  availableInOrder(index, ['b', 'c', 'a'])
  t.same(order(index, teamStep('longest-idle')), ['b', 'c', 'a'])
})

t.test('longest-idle puts an agent back at the end once they have taken a call', async (t) => {
  const index = indexOf(sales('a', 'b', 'c'))
  index.reserve('a', T0)
  index.answered('a', T0)
  index.ended('a', T0 + MINUTE, 0)
  t.same(order(index, teamStep('longest-idle')), ['b', 'c', 'a'])
})

t.test('longest-idle across proficiency levels follows idle time, not level', async (t) => {
  const index = indexOf([agent('a', { skills: { tv: 9 } }), agent('b', { skills: { tv: 2 } }), agent('c', { skills: { tv: 5 } })], 'offline')
  availableInOrder(index, ['c', 'a', 'b'])
  t.same(order(index, tvStep('longest-idle')), ['c', 'a', 'b'])
})

t.test('fewest-calls offers first whoever took fewest calls today, longest idle among equals', async (t) => {
  const index = new AgentIndex()
  const counts: Record<string, number> = { a: 2, b: 0, c: 1, d: 0 }
  for (const [id, n] of Object.entries(counts)) index.upsertAgent(agent(id, { team: 'sales' }), { callsToday: n })
  availableInOrder(index, ['d', 'c', 'b', 'a'])
  t.same(order(index, teamStep('fewest-calls')), ['d', 'b', 'c', 'a'])
})

t.test('fewest-calls across proficiency levels', async (t) => {
  const index = indexOf([agent('a', { skills: { tv: 9 } }), agent('b', { skills: { tv: 3 } }), agent('c', { skills: { tv: 6 } })])
  index.reserve('a', T0)
  index.answered('a', T0)
  index.ended('a', T0, 0)
  t.same(order(index, tvStep('fewest-calls')), ['b', 'c', 'a'])
})

t.test('best-skill offers the highest proficiency first, longest idle among equals', async (t) => {
  const index = indexOf(
    [agent('a', { skills: { tv: 5 } }), agent('b', { skills: { tv: 9 } }), agent('c', { skills: { tv: 9 } }), agent('d', { skills: { tv: 2 } })],
    'offline'
  )
  availableInOrder(index, ['a', 'b', 'c', 'd'])
  t.same(order(index, tvStep('best-skill', 3)), ['b', 'c', 'a'], 'd is below the minimum')
})

t.test('best-skill ranks by the first required skill only', async (t) => {
  const index = indexOf([agent('a', { skills: { tv: 4, en: 10 } }), agent('b', { skills: { tv: 8, en: 3 } })])
  const step: RouteStep = { kind: 'skills', skills: [{ skill: 'tv', minProficiency: 1 }, { skill: 'en', minProficiency: 1 }], strategy: 'best-skill', ringSeconds: 20 }
  t.same(order(index, step), ['b', 'a'])
})

t.test('best-skill over a team, which has no skill to rank by, is longest idle', async (t) => {
  const index = indexOf(sales('a', 'b'), 'offline')
  availableInOrder(index, ['b', 'a'])
  t.same(order(index, teamStep('best-skill')), ['b', 'a'])
})

t.test('round-robin goes around the team in a fixed order, whoever is idle longest', async (t) => {
  const env = testEnv()
  const index = indexOf(sales('a', 'b', 'c'), 'offline')
  availableInOrder(index, ['c', 'b', 'a'])
  const router = new CallRouter({ index, env, wrapUpSeconds: 0, maxTargets: 1 })
  const taken: string[] = []
  for (let i = 0; i < 5; i++) {
    const id = `call-${i}`
    const d = router.route({ interaction: call({ id }), customer: null, line: null, rules: rules([rule('r', { steps: [teamStep('round-robin')] })]) })
    taken.push(d.targets[0]!.agentId)
    router.answered(id, d.targets[0]!.agentId)
    router.ended(id)
    env.advance(MINUTE)
  }
  t.same(taken, ['a', 'b', 'c', 'a', 'b'])
})

t.test('round-robin skips members who are not free and continues after them', async (t) => {
  const index = indexOf(sales('a', 'b', 'c', 'd'))
  index.reserve('b', T0)
  index.setAgentState('c', 'away', T0)
  t.same(order(index, teamStep('round-robin')), ['d', 'a'], 'b was offered last: d is next, then round to a')
})

t.test('round-robin over a skill merges proficiency levels in registration order', async (t) => {
  const index = indexOf([agent('a', { skills: { tv: 3 } }), agent('b', { skills: { tv: 9 } }), agent('c', { skills: { tv: 3 } }), agent('d', { skills: { tv: 6 } })])
  index.reserve('b', T0)
  index.release('b', T0)
  t.same(order(index, tvStep('round-robin')), ['c', 'd', 'a', 'b'])
})

t.test('deciding or explaining does not move the round-robin turn; only an offer does', async (t) => {
  const env = testEnv()
  const index = indexOf(sales('a', 'b', 'c'))
  const router = new CallRouter({ index, env, wrapUpSeconds: 0 })
  const input = { interaction: call(), customer: null, line: null, rules: rules([rule('r', { steps: [teamStep('round-robin')] })]) }
  t.equal(router.explain(input).targets[0]?.agentId, 'a')
  t.equal(decide(input, index, env).targets[0]?.agentId, 'a')
  t.equal(router.route(input).targets[0]?.agentId, 'a')
  router.cancel('call-1')
  t.equal(router.explain(input).targets[0]?.agentId, 'b')
})

t.test('random picks the candidate the injected random number points at', async (t) => {
  const index = indexOf(sales('a', 'b', 'c', 'd'))
  t.same(order(index, teamStep('random'), testEnv(T0, () => 0.6), 1), ['c'])
  t.same(order(index, teamStep('random'), testEnv(T0, () => 0), 1), ['a'])
  t.same(order(index, teamStep('random'), testEnv(T0, () => 0.99), 1), ['d'])
})

t.test('random spreads interactions evenly over the candidates', async (t) => {
  const index = indexOf(sales('a', 'b', 'c', 'd'))
  const env = testEnv(T0, seeded(42))
  const counts = new Map<string, number>()
  for (let i = 0; i < 4000; i++) {
    const [first] = order(index, teamStep('random'), env, 1)
    counts.set(first!, (counts.get(first!) ?? 0) + 1)
  }
  for (const id of ['a', 'b', 'c', 'd']) t.ok(Math.abs(counts.get(id)! - 1000) < 150, `${id} chosen ${counts.get(id)} times of 4000`)
})

t.test('random still finds the one agent left when almost everyone is excluded', async (t) => {
  const ids = Array.from({ length: 30 }, (_, i) => `a${i}`)
  const index = indexOf(sales(...ids))
  const exclude = new Set(ids.filter((id) => id !== 'a17'))
  const d = decide(
    { interaction: call(), customer: null, line: null, rules: rules([rule('r', { steps: [teamStep('random')] })]), exclude },
    index,
    testEnv(T0, seeded(7))
  )
  t.same(d.targets.map((x) => x.agentId), ['a17'])
})

t.test('random over a skill draws from every level at or above the minimum', async (t) => {
  const index = indexOf([agent('a', { skills: { tv: 2 } }), agent('b', { skills: { tv: 9 } }), agent('c', { skills: { tv: 5 } })])
  const all = order(index, tvStep('random', 3), testEnv(T0, seeded(3)))
  t.same(all.slice().sort(), ['b', 'c'])
})
