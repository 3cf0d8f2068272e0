import { Redis } from 'ioredis'
import pino from 'pino'
import t from 'tap'
import { RedisAgentStateStore } from '../../src/presence/redis-agent-state-store.js'
import { redisKeys } from '../../src/presence/redis-keys.js'
import { RedisLink } from '../../src/presence/redis-link.js'
import { AgentIndex, CallRouter } from '../../src/routing/index.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { clusterSetup, TEST_REDIS_URL } from './cluster.js'

const TIMEOUT_MS = 50
/** Past the timeout, so the first reserve times out and a second is due while the call ends. */
const DELAY_MS = 120

t.test('a call that ends while its reservation waits for Redis leaves nothing held there, even when the second attempt arrives after the release', async (t) => {
  const setup = await clusterSetup(t)
  const proxy = await startTcpProxy(Number(new URL(TEST_REDIS_URL).port || 6379))
  t.teardown(() => proxy.close())
  const now = () => Date.now()
  const logger = pino({ level: 'silent' })
  const index = new AgentIndex()
  index.upsertAgent({ id: 'agent-e', name: 'Elena', team: 'floor', address: 'sip:agent-e@pbx.test', capacity: 1, skills: {} })
  const router = new CallRouter({ index, env: { now, random: Math.random }, wrapUpSeconds: 0 })
  const link = new RedisLink({ url: `redis://127.0.0.1:${proxy.port}`, commandTimeoutMs: TIMEOUT_MS, logger, now })
  const keys = redisKeys(setup.prefix)
  const store = new RedisAgentStateStore({ link, keys, index, router, processId: 'p1', leaseMs: 15_000, wrapUpSeconds: 0, logger, now })
  t.teardown(async () => {
    store.stop()
    await link.close()
  })
  t.ok(await link.connect(), 'connected through the proxy')
  await store.loadAll()
  link.markInSync()
  store.setState('agent-e', 'available', 1)

  proxy.delay(DELAY_MS)
  const confirming = store.confirmReservation('agent-e', 'call-1', 30)
  // The caller hangs up after the first reserve went out and before the second does.
  await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / 2))
  store.handle({ type: 'ended', callId: 'call-1', detail: {} })
  const outcome = await confirming
  t.not(outcome, 'confirmed', `the ended call is not confirmed (${outcome})`)

  proxy.delay(0)
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  // Every command sent has reached Redis well before this: the proxy held each back DELAY_MS at most.
  await new Promise((resolve) => setTimeout(resolve, DELAY_MS * 8))
  t.same(await redis.hkeys(keys.agentCalls('agent-e')), [], 'nothing of the ended call is held in Redis')
})
