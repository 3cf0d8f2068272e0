import t from 'tap'
import { request } from '../helpers/test-app.js'
import { CUSTOMER, floor, route, STRANGER } from './owner-fixture.js'

t.test("the owner's customer waits for the busy owner, then widens to the floor", async (t) => {
  const { url } = await floor(t, '2s', ['owner', 'other'])
  t.equal((await route(url, 'owner-busy', CUSTOMER)).body.decision.targets[0].agentId, 'owner')
  t.equal((await route(url, 'other-busy', STRANGER)).body.decision.targets[0].agentId, 'other')
  const waits = await route(url, 'loyal', CUSTOMER)
  t.equal(waits.status, 202)
  await request(`${url}/v1/interactions/other-busy/ended`, { method: 'POST' })
  const early = await request(`${url}/v1/interactions/loyal/wait?timeoutSeconds=1`, { method: 'POST' })
  t.equal(early.body.status, 'queued', 'another agent free is not offered while the owner is waited for')
  t.equal((await request(`${url}/v1/agents/other/state`)).body.status, 'available')
  const widened = await request(`${url}/v1/interactions/loyal/wait?timeoutSeconds=10`, { method: 'POST' })
  t.equal(widened.body.status, 'offered', 'after the wait the call widens and is served at once')
  t.equal(widened.body.decision.targets[0].agentId, 'other')
})
