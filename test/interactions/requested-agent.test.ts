import t from 'tap'
import { request, testDemoApp } from '../helpers/test-app.js'

const IVAN = '+79161234567'

t.test('an interaction naming its agent is offered to that agent, not to the owner', async (t) => {
  const { app } = await testDemoApp(t)
  const routed = await app.interactions.route({ caller: IVAN, dialed: null, callId: 'ctc-1', kind: 'callback', channel: 'ami', direction: 'outbound', ringTimer: false, agentId: 'a-boris' })
  t.same(routed.decision.targets.map((target) => target.agentId), ['a-boris'])
  t.equal(routed.decision.rule, 'requested agent a-boris')
  t.equal(routed.caller.customer?.name, 'Ivan Petrov', 'the caller is still identified for the card')
  t.equal(app.agents.get('a-boris')?.state.status, 'ringing')
})

t.test('a named agent who cannot take it: nobody else is offered, the answer says why', async (t) => {
  const { app, url } = await testDemoApp(t)
  await request(`${url}/v1/agents/a-boris/state`, { method: 'PUT', body: { state: 'away' } })
  const routed = await app.interactions.route({ caller: IVAN, dialed: null, callId: 'ctc-2', kind: 'callback', channel: 'ami', ringTimer: false, agentId: 'a-boris' })
  t.same(routed.decision.targets, [])
  t.match(routed.decision.final, { kind: 'reject', sipStatus: 480 })
  t.match(routed.decision.trace.steps[0]?.skipped, [{ agentId: 'a-boris', reason: 'away' }])
  t.equal(app.agents.get('a-anna')?.state.status, 'available', 'the owner is left alone')
})
