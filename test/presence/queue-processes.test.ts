import { Redis } from 'ioredis'
import pg from 'pg'
import t from 'tap'
import { request, TEST_DATABASE_URL } from '../helpers/test-app.js'
import { addAgents, clusterSetup, eventually, QUEUE_RULES, startServer, TEST_REDIS_URL } from './cluster.js'

/** The calls waiting in queue "floor", as Redis holds them. */
async function waitingInRedis(prefix: string): Promise<string[]> {
  const redis = new Redis(TEST_REDIS_URL)
  try {
    return await redis.zrange(`${prefix}{queue}:q:floor`, 0, -1)
  } finally {
    redis.disconnect()
  }
}

async function outcomeOf(schema: string, callId: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await client.connect()
  try {
    const { rows } = await client.query(`select outcome from ${schema}.calls where id = $1`, [callId])
    return (rows[0]?.outcome as string | undefined) ?? null
  } finally {
    await client.end()
  }
}

t.test('an agent freed on one process takes the call waiting on the other', async (t) => {
  const setup = await clusterSetup(t, TEST_REDIS_URL, QUEUE_RULES)
  const a = await startServer(t, setup)
  const b = await startServer(t, setup)
  await addAgents(a.url, [{ id: 'agent-q', capacity: 1 }])
  await eventually(async () => (await request(`${b.url}/v1/agents/agent-q/state`)).body.status === 'available', 10_000, 'process B sees the agent')

  const busy = await request(`${b.url}/v1/route`, { method: 'POST', body: { caller: '+79163330001', dialed: null, callId: 'on-b' } })
  t.equal(busy.body.decision.targets[0]?.agentId, 'agent-q')
  await eventually(async () => (await request(`${a.url}/v1/agents/agent-q/state`)).body.status === 'ringing', 10_000, 'process A sees the agent ringing')
  const waiting = await request(`${a.url}/v1/route`, { method: 'POST', body: { caller: '+79163330002', dialed: null, callId: 'waits-on-a' } })
  t.equal(waiting.status, 202, 'the call waits on process A')
  await eventually(async () => (await waitingInRedis(setup.prefix)).includes('waits-on-a'), 5000, 'the waiting call is in Redis')

  const poll = request(`${a.url}/v1/interactions/waits-on-a/wait?timeoutSeconds=20`, { method: 'POST' })
  await request(`${b.url}/v1/interactions/on-b/ended`, { method: 'POST' })
  const answer = await poll
  t.equal(answer.body.status, 'offered', 'process A offers the agent process B freed')
  t.equal(answer.body.decision.targets[0].agentId, 'agent-q')
  await eventually(async () => (await waitingInRedis(setup.prefix)).length === 0, 5000, 'the served call left the queue in Redis')
  await eventually(async () => (await request(`${b.url}/v1/agents/agent-q/state`)).body.status === 'ringing', 10_000, 'process B sees the agent ringing for A')
})

t.test("a dead process's waiting calls are taken over and ended as failed with a record, never left waiting", async (t) => {
  const setup = await clusterSetup(t, TEST_REDIS_URL, QUEUE_RULES)
  const env = { QUEUE_PROCESS_TIMEOUT_SECONDS: '2' }
  const doomed = await startServer(t, setup, env)
  const survivor = await startServer(t, setup, env)
  await addAgents(survivor.url, [{ id: 'agent-d', capacity: 1 }])
  await eventually(async () => (await request(`${doomed.url}/v1/agents/agent-d/state`)).body.status === 'available', 10_000, 'the doomed process sees the agent')
  await request(`${survivor.url}/v1/route`, { method: 'POST', body: { caller: '+79163330011', dialed: null, callId: 'keeps-agent' } })
  await eventually(async () => (await request(`${doomed.url}/v1/agents/agent-d/state`)).body.status === 'ringing', 10_000, 'the doomed process sees the agent ringing')

  const orphan = await request(`${doomed.url}/v1/route`, { method: 'POST', body: { caller: '+79163330012', dialed: null, callId: 'orphan' } })
  t.equal(orphan.status, 202)
  await eventually(async () => (await waitingInRedis(setup.prefix)).includes('orphan'), 5000, 'the waiting call is in Redis')

  await doomed.kill()
  await eventually(async () => (await waitingInRedis(setup.prefix)).length === 0, 15_000, 'the survivor takes the call over')
  await eventually(async () => (await outcomeOf(setup.schema, 'orphan')) === 'failed', 10_000, 'the call is recorded as failed')
})
