import t from 'tap'
import { agentToken, request, testDemoApp } from '../helpers/test-app.js'

const IVAN = '+79161234567'

async function twoAgentsAndBorisDeal(t: Parameters<typeof testDemoApp>[0]) {
  const { url } = await testDemoApp(t)
  const anna = { authorization: `Bearer ${await agentToken(url, 'a-anna')}` }
  const boris = { authorization: `Bearer ${await agentToken(url, 'a-boris')}` }
  const customerId = (await request(`${url}/v1/customers/by-phone/${encodeURIComponent(IVAN)}/card`)).body.customer.id
  const deal = (await request(`${url}/v1/me/deals`, { method: 'POST', headers: boris, body: { customerId, title: 'Boris’s seats' } })).body
  return { url, anna, boris, customerId, deal }
}

t.test("an agent cannot move another agent's deal from their page: 404, and the deal stays as it was", async (t) => {
  const { url, anna, deal } = await twoAgentsAndBorisDeal(t)
  const moved = await request(`${url}/v1/me/deals/${deal.id}`, { method: 'PATCH', headers: anna, body: { stage: 'paid' } })
  t.equal(moved.status, 404)
  t.equal(moved.body.error, 'CTI_ERR_DEAL_NOT_FOUND', 'the same answer as for a deal that does not exist')
  const after = await request(`${url}/v1/deals/${deal.id}`)
  t.match(after.body, { stage: 'interest', status: 'open', agentId: 'a-boris' }, 'neither moved nor taken over')
  t.equal(after.body.steps.length, 1, 'no step recorded')
})

t.test("an agent cannot refuse another agent's deal either", async (t) => {
  const { url, anna, deal } = await twoAgentsAndBorisDeal(t)
  const lost = await request(`${url}/v1/me/deals/${deal.id}`, { method: 'PATCH', headers: anna, body: { lost: true, reason: 'price' } })
  t.equal(lost.status, 404)
  t.equal((await request(`${url}/v1/deals/${deal.id}`)).body.status, 'open')
})

t.test('the agent who owns the deal still moves it', async (t) => {
  const { url, boris, deal } = await twoAgentsAndBorisDeal(t)
  const moved = await request(`${url}/v1/me/deals/${deal.id}`, { method: 'PATCH', headers: boris, body: { stage: 'paid' } })
  t.match(moved, { status: 200, body: { stage: 'paid', status: 'won', agentId: 'a-boris' } })
})

t.test('a deal nobody holds is not any agent’s to change from their page; an admin still can', async (t) => {
  const { url, anna, customerId } = await twoAgentsAndBorisDeal(t)
  const unassigned = (await request(`${url}/v1/deals`, { method: 'POST', body: { customerId, title: 'Unassigned' } })).body
  t.equal((await request(`${url}/v1/me/deals/${unassigned.id}`, { method: 'PATCH', headers: anna, body: { stage: 'offer' } })).status, 404)
  const byAdmin = await request(`${url}/v1/deals/${unassigned.id}`, { method: 'PATCH', body: { stage: 'offer', agentId: 'a-anna' } })
  t.match(byAdmin.body, { stage: 'offer', agentId: 'a-anna' })
})
