import t from 'tap'
import { request } from '../helpers/test-app.js'
import { addAgents, clusterSetup, eventually, startServer } from './cluster.js'

t.test('a customer created through one process is known at once to the others, whose cache had the number as unknown', async (t) => {
  const setup = await clusterSetup(t)
  const front = await startServer(t, setup)
  const back = await startServer(t, setup)
  await addAgents(front.url, [{ id: 'agent-c', capacity: 5 }])
  const before = await request(`${back.url}/v1/route/explain`, { method: 'POST', body: { caller: '+79165556677', dialed: null } })
  t.equal(before.body.customer, null, 'unknown, and cached as such')

  const created = await request(`${front.url}/v1/customers`, { method: 'POST', body: { name: 'Vera', phones: [{ phone: '+79165556677' }] } })
  t.equal(created.status, 201)
  await eventually(async () => {
    const after = await request(`${back.url}/v1/route/explain`, { method: 'POST', body: { caller: '+79165556677', dialed: null } })
    return after.body.customer?.name === 'Vera'
  }, 10_000, 'the other process identifies the new customer')
  t.pass('the invalidation reached the other process')
})
