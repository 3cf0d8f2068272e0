import { Redis } from 'ioredis'
import t from 'tap'
import { redisKeys } from '../../src/presence/redis-keys.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { request } from '../helpers/test-app.js'
import { addAgents, clusterSetup, eventually, startServer, TEST_REDIS_URL } from './cluster.js'

/** Longer than the slow process's REDIS_TIMEOUT_MS twice over, so both its attempts time out before either reaches Redis. */
const DELAY_MS = 600

t.test('a reservation Redis did not confirm in time is not kept as if it were', async (t) => {
  const proxy = await startTcpProxy(Number(new URL(TEST_REDIS_URL).port || 6379))
  t.teardown(() => proxy.close())
  const setup = await clusterSetup(t)
  const slow = await startServer(t, setup, { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_TIMEOUT_MS: '100' })
  const healthy = await startServer(t, setup)
  await addAgents(healthy.url, [{ id: 'agent-u', capacity: 1 }])
  for (const server of [slow, healthy]) {
    await eventually(async () => (await request(`${server.url}/v1/agents/agent-u/state`)).body.status === 'available', 10_000, 'both processes see the agent available')
  }

  proxy.delay(DELAY_MS)
  const first = await request(`${slow.url}/v1/route`, { method: 'POST', body: { caller: '+79161230001', dialed: null, callId: 'through-slow' } })
  const second = await request(`${healthy.url}/v1/route`, { method: 'POST', body: { caller: '+79161230002', dialed: null, callId: 'through-healthy' } })
  const answered = []
  for (const [routed, server] of [[first, slow], [second, healthy]] as const) {
    const agentId = routed.body.decision.targets[0]?.agentId
    if (agentId !== 'agent-u') continue
    const res = await request(`${server.url}/v1/interactions/${routed.body.callId}/answered`, { method: 'POST', body: { agentId } })
    if (res.status === 200) answered.push(routed.body.callId)
  }
  t.same(answered, ['through-healthy'], 'agent-u (capacity 1) talks on one call only, the one Redis confirmed')
  t.match(first.body, { degraded: true, degradedReasons: ['redis-timeout'], decision: { targets: [] } }, 'the slow process answers with its final action and says why')
  t.match(second.body, { degraded: false, degradedReasons: [] })

  const ready = await request(`${slow.url}/ready`)
  t.equal(ready.status, 503, '/ready is not ready while reservations go unconfirmed')
  t.match(ready.body.checks.redis, { ok: false, detail: /degraded/ })
  const metrics = await request(`${slow.url}/metrics`)
  t.match(metrics.body, /cti_reservations_unconfirmed_total\{outcome="withdrawn"\} 1/, 'the withdrawn reservation is counted')
  t.match(metrics.body, /cti_redis_degraded 1/)

  proxy.delay(0)
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const calls = redisKeys(setup.prefix).agentCalls('agent-u')
  // The late attempts reach Redis after the healthy process's reservation: refused, then released by call id.
  await eventually(async () => JSON.stringify(Object.keys(await redis.hgetall(calls))) === '["through-healthy"]', 5_000, 'Redis holds the confirmed call alone')
  t.pass('nothing of the unconfirmed reservation is left in Redis')
})
