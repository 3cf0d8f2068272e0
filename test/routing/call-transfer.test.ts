import t from 'tap'
import { CallRouter, type RouteInput } from '../../src/routing/call-router.js'
import type { AgentIndex } from '../../src/routing/agent-index.js'
import type { RouteStep, RuleSet } from '../../src/routing/types.js'
import { agent, call, customer, indexOf, rule, rules, testEnv } from './fixtures/inputs.js'

// A blind transfer in the core: the talking agent hands the call on; the new agent is reserved
// and the first goes into wrap-up in one synchronous stretch, or nothing changes at all.

const sales: RouteStep = { kind: 'team', team: 'sales', strategy: 'longest-idle', ringSeconds: 20 }
const set = rules([rule('main', { steps: [sales], otherwise: { kind: 'queue', queue: 'sales' } })])
const toAgent = (agentId: string): RuleSet => rules([rule(`to ${agentId}`, { steps: [{ kind: 'agent', agentId, ringSeconds: 20 }], otherwise: { kind: 'reject', cause: `${agentId} cannot take it`, sipStatus: 480 } })])

function talking(ids = ['anna', 'boris', 'clara']) {
  const env = testEnv()
  const index = indexOf(ids.map((id) => agent(id, { team: 'sales' })))
  const router = new CallRouter({ index, env, wrapUpSeconds: 30 })
  const first = router.route(input(set))
  const fromAgentId = first.targets[0]!.agentId
  router.answered('call-1', fromAgentId)
  return { env, index, router, fromAgentId }
}

const input = (ruleSet: RuleSet): RouteInput => ({ interaction: call({ id: 'call-1' }), customer: customer({ ownerAgentId: null }), line: null, rules: ruleSet })
const status = (index: AgentIndex, id: string) => index.get(id)?.state.status

t.test('a transfer to a named colleague reserves them and puts the transferring agent into wrap-up', async (t) => {
  const { index, router, fromAgentId } = talking()
  const to = fromAgentId === 'boris' ? 'clara' : 'boris'
  const d = router.transfer('call-1', fromAgentId, toAgent(to))
  t.equal(d?.targets[0]?.agentId, to)
  t.equal(status(index, to), 'ringing')
  t.equal(status(index, fromAgentId), 'wrap-up')
  t.same(router.progress('call-1'), { interactionId: 'call-1', agentId: to, answered: false, failed: [] })
})

t.test('a transfer to a team never chooses the transferring agent', async (t) => {
  const { router, fromAgentId } = talking(['anna', 'boris'])
  const d = router.transfer('call-1', fromAgentId, set)
  t.not(d?.targets[0]?.agentId, fromAgentId)
  t.equal(d?.targets.length, 1, 'the only other agent')
})

t.test('a transfer nobody can take changes nothing: the call stays with its agent', async (t) => {
  const { index, router, fromAgentId } = talking(['anna'])
  const d = router.transfer('call-1', fromAgentId, set)
  t.same(d?.targets, [])
  t.equal(status(index, fromAgentId), 'busy')
  t.same(router.progress('call-1'), { interactionId: 'call-1', agentId: fromAgentId, answered: true, failed: [] })
})

t.test('only the agent talking on the call can transfer it', async (t) => {
  const { router, fromAgentId } = talking()
  t.equal(router.transfer('call-1', fromAgentId === 'anna' ? 'boris' : 'anna', set), null)
  t.equal(router.transfer('call-2', fromAgentId, set), null)
})

t.test('a transfer not taken can go back to the agent who made it once their wrap-up allows', async (t) => {
  const { env, index, router, fromAgentId } = talking(['anna', 'boris'])
  const to = fromAgentId === 'anna' ? 'boris' : 'anna'
  router.transfer('call-1', fromAgentId, toAgent(to))
  const next = router.next('call-1', to, 'ring-timeout')
  t.same(next?.targets, [], 'the named colleague was the only one')
  t.equal(router.returnTo('call-1', fromAgentId, toAgent(fromAgentId))?.targets.length, 0, 'still in wrap-up: not free for it yet')
  env.advance(31_000)
  index.tick(env.now())
  const back = router.returnTo('call-1', fromAgentId, toAgent(fromAgentId))
  t.equal(back?.targets[0]?.agentId, fromAgentId)
  t.equal(status(index, fromAgentId), 'ringing')
})

t.test('the new agent answering makes the call theirs; ending it puts them into wrap-up', async (t) => {
  const { index, router, fromAgentId } = talking()
  const to = fromAgentId === 'boris' ? 'clara' : 'boris'
  router.transfer('call-1', fromAgentId, toAgent(to))
  t.ok(router.answered('call-1', to))
  t.ok(router.ended('call-1'))
  t.equal(status(index, to), 'wrap-up')
})
