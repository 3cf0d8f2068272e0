import t from 'tap'
import { agentToken, request } from '../helpers/test-app.js'
import { openPage } from '../screenpop/fixtures/page-client.js'
import { ORDINARY, queueApp, route } from '../api/queue-fixture.js'

t.test("the agent's page is told how many wait for the agent and for their team", async (t) => {
  const { url } = await queueApp(t, ['a1'])
  const owned = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Oleg Owned', ownerAgentId: 'a1', phones: [{ phone: ORDINARY[2] }] } })
  t.equal(owned.status, 201)
  const page = await openPage(url, { token: await agentToken(url, 'a1') })
  t.teardown(() => page.socket.close())
  await page.next((m) => m.type === 'hello')

  await route(url, 'busy-1', ORDINARY[0]!)
  t.equal((await route(url, 'team-caller', ORDINARY[1]!)).status, 202)
  t.equal((await route(url, 'own-customer', ORDINARY[2]!)).status, 202)
  t.match(await page.next((m) => m.type === 'waiting' && m.forTeam === 2), { type: 'waiting', forYou: 1, forTeam: 2 }, 'one caller is their customer, both wait for the team')

  // Only what is sent after the hang-up counts: the first arrival alone was already "1 for the team".
  const before = new Set(page.messages)
  await request(`${url}/v1/interactions/team-caller/ended`, { method: 'POST' })
  t.match(await page.next((m) => !before.has(m) && m.type === 'waiting'), { forYou: 1, forTeam: 1 }, 'a caller who hangs up no longer counts')
  t.notOk(page.events().some((m) => m.type === 'waiting' && m.forTeam === 0), 'nothing is sent while nobody waits')
})
