import { Redis } from 'ioredis'
import pg from 'pg'
import t from 'tap'
import { redisKeys } from '../../src/presence/redis-keys.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { request, TEST_DATABASE_URL } from '../helpers/test-app.js'
import { addAgents, clusterSetup, eventually, startServer, TEST_REDIS_URL, type ServerProcess } from './cluster.js'

const AGENTS = Array.from({ length: 6 }, (_, i) => ({ id: `agent-o${i}`, capacity: 1 + (i % 2) }))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Routes, answers and ends calls one after another on `server` until `stop()` says so; returns the call ids routed. */
async function traffic(server: ServerProcess, name: string, stop: () => boolean): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; !stop(); i++) {
    const callId = `${name}-${i}`
    const routed = await request(`${server.url}/v1/route`, { method: 'POST', body: { caller: `+7917${String(1000000 + i)}`, dialed: null, callId } })
    if (routed.status !== 200) throw new Error(`route ${callId}: ${routed.status}`)
    ids.push(callId)
    const agentId = routed.body.decision.targets[0]?.agentId as string | undefined
    if (!agentId) continue
    await request(`${server.url}/v1/interactions/${callId}/answered`, { method: 'POST', body: { agentId } })
    await request(`${server.url}/v1/interactions/${callId}/ended`, { method: 'POST' })
  }
  return ids
}

t.test('Redis lost in the middle of traffic: routing continues, no call record is lost, states converge', async (t) => {
  const proxy = await startTcpProxy(Number(new URL(TEST_REDIS_URL).port || 6379))
  t.teardown(() => proxy.close())
  const setup = await clusterSetup(t, `redis://127.0.0.1:${proxy.port}`)
  const servers = [await startServer(t, setup), await startServer(t, setup)]
  await addAgents(servers[0]!.url, AGENTS)
  for (const server of servers) {
    await eventually(async () => ((await request(`${server.url}/v1/agents/states`)).body as { status: string }[]).filter((s) => s.status === 'available').length === AGENTS.length, 10_000, 'agents available everywhere')
  }

  let stopped = false
  const running = servers.flatMap((server, s) => [0, 1, 2].map((w) => traffic(server, `p${s}w${w}`, () => stopped)))
  await sleep(500)
  proxy.down()
  await eventually(async () => (await request(`${servers[0]!.url}/ready`)).status === 503, 5_000, '/ready says degraded')
  const ready = await request(`${servers[0]!.url}/ready`)
  t.match(ready.body.checks.redis, { ok: false, detail: /degraded/ }, '/ready names Redis and the degraded mode')
  await sleep(1000)
  proxy.up()
  for (const server of servers) await eventually(async () => (await request(`${server.url}/ready`)).status === 200, 15_000, 'Redis back in /ready')
  await sleep(500)
  stopped = true
  const routed = (await Promise.all(running)).flat()
  t.ok(routed.length > 0, `${routed.length} calls routed across the outage`)

  const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await client.connect()
  t.teardown(() => client.end())
  await eventually(async () => {
    const { rows } = await client.query(`select count(*)::int as n from ${setup.schema}.calls`)
    return rows[0].n === routed.length
  }, 15_000, 'one call record per routed call')
  t.pass('no call record lost')

  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const keys = redisKeys(setup.prefix)
  let seen: unknown = null
  await eventually(async () => {
    const held = await Promise.all(AGENTS.map((a) => redis.hgetall(keys.agentCalls(a.id))))
    const replicas = await Promise.all(servers.map(async (server) => (await request(`${server.url}/v1/agents/states`)).body as { status: string; activeCalls: number }[]))
    seen = { held, replicas }
    return held.every((calls) => Object.keys(calls).length === 0) && replicas.every((states) => states.every((s) => s.status === 'available' && s.activeCalls === 0))
  }, 15_000, 'every agent free in Redis and in every replica').catch((err: Error) => {
    t.comment(JSON.stringify(seen))
    throw err
  })
  t.pass('states converged: every call ended, every agent available everywhere')
})
