import t from 'tap'
import { request } from '../helpers/test-app.js'
import { addAgents, clusterSetup, eventually, startServer } from './cluster.js'

t.test("a killed process's reservations expire and its agents ring again for the others", async (t) => {
  const setup = await clusterSetup(t)
  const env = { RESERVATION_TTL_SECONDS: '1' }
  const doomed = await startServer(t, setup, env)
  const survivor = await startServer(t, setup, env)
  await addAgents(doomed.url, [{ id: 'agent-k', capacity: 1 }])
  await eventually(async () => (await request(`${survivor.url}/v1/agents/agent-k/state`)).body.status === 'available', 10_000, 'the survivor sees the agent')

  const routed = await request(`${doomed.url}/v1/route`, { method: 'POST', body: { caller: '+79163334455', dialed: null, callId: 'orphan' } })
  t.equal(routed.body.decision.targets[0]?.agentId, 'agent-k')
  await eventually(async () => (await request(`${survivor.url}/v1/agents/agent-k/state`)).body.status === 'ringing', 10_000, 'the survivor sees the agent ringing')
  const refused = await request(`${survivor.url}/v1/route`, { method: 'POST', body: { caller: '+79163334466', dialed: null, callId: 'while-ringing' } })
  t.same(refused.body.decision.targets, [], 'nobody is free while the agent rings for the other process')

  await doomed.kill()
  await eventually(async () => (await request(`${survivor.url}/v1/agents/agent-k/state`)).body.status === 'available', 10_000, 'the reservation expires')
  const next = await request(`${survivor.url}/v1/route`, { method: 'POST', body: { caller: '+79163334477', dialed: null, callId: 'after-death' } })
  t.equal(next.body.decision.targets[0]?.agentId, 'agent-k', 'the agent takes calls again')
})
