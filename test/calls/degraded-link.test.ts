import t from 'tap'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { MONDAY_11_MSK, request, testApp } from '../helpers/test-app.js'

const IVAN = '+79161234567'
const SPRING_LINE = '+74951234567'

t.test('a call identified during a database outage is linked to its customer when its record is written', async (t) => {
  const proxy = await startTcpProxy(5432)
  t.teardown(() => proxy.close())
  const { app, url } = await testApp(t, { DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/test`, DB_TIMEOUT_MS: '300', DEMO_DATA: 'true' }, { now: () => MONDAY_11_MSK })
  t.equal((await request(`${url}/v1/demo-data`, { method: 'POST' })).status, 201)
  const ivan = (await request(`${url}/v1/customers/by-phone/${encodeURIComponent(IVAN)}/card`)).body.customer
  app.identifier.cache.clear()

  proxy.down()
  const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'outage-1' } })
  t.equal(routed.body.degraded, true, 'routed as an unknown caller while the CRM was away')
  t.equal(routed.body.customer, null)
  const agentId = routed.body.decision.targets[0]?.agentId
  await request(`${url}/v1/interactions/outage-1/answered`, { method: 'POST', body: { agentId } })
  await request(`${url}/v1/interactions/outage-1/ended`, { method: 'POST' })

  proxy.up()
  await app.calls.flush()
  const row = await app.database.db.selectFrom('calls').select(['customer_id', 'degraded']).where('id', '=', 'outage-1').executeTakeFirstOrThrow()
  t.same(row, { customer_id: ivan.id, degraded: true }, 'the record names the customer, and still says how it was routed')
  const card = await request(`${url}/v1/customers/by-phone/${encodeURIComponent(IVAN)}/card`)
  t.ok(card.body.lastCalls.some((c: { id: string }) => c.id === 'outage-1'), "the call is on the customer's card")
})
