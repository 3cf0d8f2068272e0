import t from 'tap'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { request } from '../helpers/test-app.js'
import { addAgents, clusterSetup, eventually, startServer, TEST_REDIS_URL } from './cluster.js'

t.test('while Redis is unreachable the answer says the routing is degraded, and why', async (t) => {
  const proxy = await startTcpProxy(Number(new URL(TEST_REDIS_URL).port || 6379))
  t.teardown(() => proxy.close())
  const setup = await clusterSetup(t, `redis://127.0.0.1:${proxy.port}`)
  const server = await startServer(t, setup)
  await addAgents(server.url, [{ id: 'agent-d', capacity: 1 }])

  const before = await request(`${server.url}/v1/route`, { method: 'POST', body: { caller: '+79161240001', dialed: null, callId: 'before-outage' } })
  t.match(before.body, { degraded: false, degradedReasons: [], decision: { targets: [{ agentId: 'agent-d' }] } })
  await request(`${server.url}/v1/interactions/before-outage/ended`, { method: 'POST' })

  proxy.down()
  await eventually(async () => (await request(`${server.url}/ready`)).status === 503, 5_000, '/ready says degraded')
  const during = await request(`${server.url}/v1/route`, { method: 'POST', body: { caller: '+79161240002', dialed: null, callId: 'during-outage' } })
  t.match(during.body, { degraded: true, degradedReasons: ['redis-unreachable'], decision: { targets: [{ agentId: 'agent-d' }] } }, 'routed on the replica, and the answer says so')
  const metrics = await request(`${server.url}/metrics`)
  t.match(metrics.body, /cti_reservations_unconfirmed_total\{outcome="kept"\} 1/)
  t.match(metrics.body, /cti_redis_degraded 1/)

  proxy.up()
  await eventually(async () => (await request(`${server.url}/ready`)).status === 200, 15_000, 'Redis back in /ready')
  t.match((await request(`${server.url}/metrics`)).body, /cti_redis_degraded 0/, 'the gauge falls back once Redis is back')
})
