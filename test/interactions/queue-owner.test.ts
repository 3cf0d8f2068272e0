import t from 'tap'
import { request } from '../helpers/test-app.js'
import { CUSTOMER, floor, route } from './owner-fixture.js'

t.test('a waiting call whose customer changes owner follows the new owner', async (t) => {
  const { url, customerId } = await floor(t, null, ['own-1', 'own-2'])
  t.equal((await route(url, 'first', CUSTOMER)).body.decision.targets[0].agentId, 'own-1')
  const waits = await route(url, 'second', CUSTOMER)
  t.equal(waits.status, 202, 'the customer waits for their busy owner')
  const poll = request(`${url}/v1/interactions/second/wait?timeoutSeconds=10`, { method: 'POST' })
  const patched = await request(`${url}/v1/customers/${customerId}`, { method: 'PATCH', body: { ownerAgentId: 'own-2' } })
  t.equal(patched.status, 200)
  const answer = await poll
  t.equal(answer.body.status, 'offered')
  t.equal(answer.body.decision.targets[0].agentId, 'own-2', 'the new owner is offered the call')
})
