import { Redis } from 'ioredis'
import t from 'tap'
import { request } from '../helpers/test-app.js'
import { addAgents, clusterSetup, eventually, startServer, TEST_REDIS_URL, type ServerProcess } from './cluster.js'
import { redisKeys } from '../../src/presence/redis-keys.js'

/** 20 agents, capacities 1, 2 and 3: 40 slots in all. */
const AGENTS = Array.from({ length: 20 }, (_, i) => ({ id: `agent-${String(i).padStart(2, '0')}`, capacity: (i % 3) + 1 }))
const SLOTS = AGENTS.reduce((sum, a) => sum + a.capacity, 0)

async function statesOf(server: ServerProcess): Promise<Map<string, { status: string; activeCalls: number }>> {
  const res = await request(`${server.url}/v1/agents/states`)
  return new Map((res.body as { agentId: string; status: string; activeCalls: number }[]).map((s) => [s.agentId, s]))
}

/** Runs `count` tasks, `parallel` at a time. */
async function inParallel<T>(count: number, parallel: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count)
  let next = 0
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++
        results[i] = await task(i)
      }
    })
  )
  return results
}

t.test('three processes sharing agents through Redis', async (t) => {
  const setup = await clusterSetup(t)
  const first = await startServer(t, setup)
  const servers = [first, ...(await Promise.all([startServer(t, setup), startServer(t, setup)]))]
  await addAgents(first.url, AGENTS)
  for (const server of servers) {
    await eventually(async () => {
      const states = await statesOf(server)
      return AGENTS.every((a) => states.get(a.id)?.status === 'available')
    }, 10_000, 'every process sees every agent available')
  }

  t.test('thousands of concurrent route requests spread over the processes never give an agent more calls than their capacity', async (t) => {
    const responses = await inParallel(2000, 150, (i) =>
      request(`${servers[i % servers.length]!.url}/v1/route`, { method: 'POST', body: { caller: `+7916${String(1000000 + i)}`, dialed: null, callId: `load-${i}` } })
    )
    t.ok(responses.every((r) => r.status === 200), 'every request is answered')
    const given = new Map<string, number>()
    for (const r of responses) {
      const agentId = r.body.decision.targets[0]?.agentId as string | undefined
      if (agentId) given.set(agentId, (given.get(agentId) ?? 0) + 1)
    }
    const over = AGENTS.filter((a) => (given.get(a.id) ?? 0) > a.capacity)
    t.same(over, [], 'no agent was given more calls than their capacity')
    t.equal([...given.values()].reduce((s, n) => s + n, 0), SLOTS, 'every slot was filled, once')

    const redis = new Redis(TEST_REDIS_URL)
    t.teardown(() => redis.disconnect())
    const keys = redisKeys(setup.prefix)
    for (const a of AGENTS) t.ok((await redis.hlen(keys.agentCalls(a.id))) <= a.capacity, `${a.id} holds at most ${a.capacity} calls in Redis`)

    for (const server of servers) {
      await eventually(async () => {
        const states = await statesOf(server)
        return AGENTS.every((a) => states.get(a.id)?.activeCalls === a.capacity)
      }, 10_000, 'every process sees every agent at capacity')
    }
  })

  t.test('a call ended on the process that routed it frees its agent for the others', async (t) => {
    const redis = new Redis(TEST_REDIS_URL)
    t.teardown(() => redis.disconnect())
    const calls = Object.keys(await redis.hgetall(redisKeys(setup.prefix).agentCalls('agent-00')))
    t.equal(calls.length, 1, 'agent-00 (capacity 1) holds one call')
    // load-<i> was routed by process i % 3: the call lives there.
    const routedBy = Number(calls[0]!.slice('load-'.length)) % servers.length
    const ended = await request(`${servers[routedBy]!.url}/v1/interactions/${calls[0]}/ended`, { method: 'POST', body: {} })
    t.equal(ended.body.ended, true)
    const other = servers[(routedBy + 1) % servers.length]!
    await eventually(async () => (await statesOf(other)).get('agent-00')?.status === 'available', 10_000, 'another process sees agent-00 free')
    const routed = await request(`${other.url}/v1/route`, { method: 'POST', body: { caller: '+79160000001', dialed: null, callId: 'after-end' } })
    t.equal(routed.body.decision.targets[0]?.agentId, 'agent-00', 'the freed agent gets the next call, routed by another process')
  })
})
