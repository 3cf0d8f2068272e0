import { Redis } from 'ioredis'
import t from 'tap'
import { redisKeys } from '../../src/presence/redis-keys.js'
import { request, testApp } from '../helpers/test-app.js'
import { addAgents, clusterSetup, eventually, startServer, TEST_REDIS_URL } from './cluster.js'

/** How late after wrapUpUntil an agent may still be shown in wrap-up. */
const ON_TIME_MS = 500
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Routes, answers and ends one call on `url`; returns when the agent's wrap-up ends (ms). */
async function callThenWrapUp(url: string, agentId: string, callId: string): Promise<number> {
  const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: '+79161250001', dialed: null, callId } })
  if (routed.body.decision.targets[0]?.agentId !== agentId) throw new Error(`routed to ${JSON.stringify(routed.body.decision.targets)}`)
  await request(`${url}/v1/interactions/${callId}/answered`, { method: 'POST', body: { agentId } })
  await request(`${url}/v1/interactions/${callId}/ended`, { method: 'POST' })
  const state = await request(`${url}/v1/agents/${agentId}/state`)
  if (state.body.status !== 'wrap-up') throw new Error(`after the call: ${JSON.stringify(state.body)}`)
  return Date.parse(state.body.wrapUpUntil)
}

/** Polls `check` from now on; returns when it first held (ms), or null if not within `ms` of `after`. */
async function firstTime(check: () => Promise<boolean>, after: number, ms: number): Promise<number | null> {
  while (Date.now() < after + ms) {
    if (await check()) return Date.now()
    await sleep(20)
  }
  return (await check()) ? Date.now() : null
}

const lateness = (at: number | null, until: number) => (at === null ? 'never' : String(Math.max(0, at - until)))

t.test('one process: the wrap-up ends on time in the state API and in the index itself', async (t) => {
  const setup = await clusterSetup(t)
  const { url } = await testApp(t, { RULES_DIR: setup.rulesDir, WRAP_UP_SECONDS: '1' })
  await addAgents(url, [{ id: 'agent-w', capacity: 1 }])
  const until = await callThenWrapUp(url, 'agent-w', 'wrap-1')
  t.ok(until > Date.now(), 'in wrap-up until a second from now')

  await sleep(Math.max(0, until - Date.now()))
  // The gauge reads the index as it stands: available there only when something told it the time.
  const gauge = firstTime(async () => /cti_agents\{state="available"\} 1/.test((await request(`${url}/metrics`)).body), until, ON_TIME_MS + 1500)
  const api = firstTime(async () => (await request(`${url}/v1/agents/agent-w/state`)).body.status === 'available', until, ON_TIME_MS + 1500)
  const [gaugeAt, apiAt] = await Promise.all([gauge, api])
  t.comment(`available ${lateness(apiAt, until)} ms after wrapUpUntil in the state API, ${lateness(gaugeAt, until)} ms in the index`)
  t.ok(apiAt !== null && apiAt - until <= ON_TIME_MS, 'the state API shows the agent available on time')
  t.ok(gaugeAt !== null && gaugeAt - until <= ON_TIME_MS, 'the index frees the agent on time, unasked')
})

t.test('two processes: the wrap-up ends on time on both, and in Redis', async (t) => {
  const setup = await clusterSetup(t)
  const env = { WRAP_UP_SECONDS: '1' }
  const routing = await startServer(t, setup, env)
  const other = await startServer(t, setup, env)
  await addAgents(routing.url, [{ id: 'agent-x', capacity: 1 }])
  await eventually(async () => (await request(`${other.url}/v1/agents/agent-x/state`)).body.status === 'available', 10_000, 'the other process sees the agent')
  const until = await callThenWrapUp(routing.url, 'agent-x', 'wrap-2')
  await eventually(async () => (await request(`${other.url}/v1/agents/agent-x/state`)).body.status === 'wrap-up', 5_000, 'the other process sees the wrap-up')
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const agentKey = redisKeys(setup.prefix).agent('agent-x')
  t.equal(await redis.hget(agentKey, 'presence'), 'wrap-up', 'Redis holds the wrap-up')

  await sleep(Math.max(0, until - Date.now()))
  const seen = await Promise.all([
    ...[routing, other].map((server) => firstTime(async () => (await request(`${server.url}/v1/agents/agent-x/state`)).body.status === 'available', until, ON_TIME_MS + 1500)),
    firstTime(async () => (await redis.hget(agentKey, 'presence')) === 'available', until, ON_TIME_MS + 1500)
  ])
  t.comment(`available after wrapUpUntil: ${seen.map((at) => lateness(at, until)).join(' ms, ')} ms (routing process, other process, Redis)`)
  for (const [i, where] of ['the routing process', 'the other process', 'Redis'].entries()) {
    t.ok(seen[i] !== null && seen[i]! - until <= ON_TIME_MS, `${where} shows the agent available on time`)
  }
})
