import { fork, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import t from 'tap'
import { redisKeys } from '../../src/presence/redis-keys.js'
import { seededRandom } from '../../src/seeded-random.js'
import { childEnv } from '../helpers/child-env.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'
import { clusterSetup, TEST_REDIS_URL } from './cluster.js'

// Three processes racing through slowed connections: about 40 s on two quiet cores, several times
// that beside a busy neighbour, so the file has a longer time than the suite's default.
t.setTimeout(600_000)

const PROCESS = new URL('./reserving-process.ts', import.meta.url).pathname
const PROCESSES = 3
const RESERVATIONS = 100_000
const TIMEOUT_MS = 50
/** 40 agents, capacities 1, 2 and 3: 80 slots, fewer than the calls held at once, so processes race for the last ones. */
const AGENTS = Array.from({ length: 40 }, (_, i) => ({ id: `agent-${String(i).padStart(2, '0')}`, capacity: (i % 3) + 1 }))
const CAPACITY = new Map(AGENTS.map((a) => [a.id, a.capacity]))
/** Delays each process's Redis connection switches between: none, slow but in time, and past REDIS_TIMEOUT_MS. */
const DELAYS = [0, 0, 0, 0, 5, 20, TIMEOUT_MS + 30, TIMEOUT_MS * 3]

interface Result {
  name: string
  asked: number
  outcomes: Record<string, number>
  routedWithNobody: number
  ms: number
  holds: [string, number, number][]
}

/** The most holds of one agent at any moment, from every process's holds (µs of the shared clock). */
function mostAtOnce(holds: [string, number, number][]): Map<string, number> {
  const edges = new Map<string, [number, number][]>()
  for (const [agentId, from, to] of holds) {
    let list = edges.get(agentId)
    if (!list) edges.set(agentId, (list = []))
    list.push([from, 1], [to, -1])
  }
  const most = new Map<string, number>()
  for (const [agentId, list] of edges) {
    // At the same instant a release counts before a hold: the store let the second in after the first left.
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1])
    let now = 0
    let max = 0
    for (const [, d] of list) max = Math.max(max, (now += d))
    most.set(agentId, max)
  }
  return most
}

t.test(`${RESERVATIONS} reservations by ${PROCESSES} processes through Redis connections that slow down past REDIS_TIMEOUT_MS: no agent ever over capacity`, { timeout: 600_000 }, async (t) => {
  const setup = await clusterSetup(t)
  const dir = await mkdtemp(join(tmpdir(), 'cti-reservations-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const proxies: TcpProxy[] = []
  for (let i = 0; i < PROCESSES; i++) proxies.push(await startTcpProxy(Number(new URL(TEST_REDIS_URL).port || 6379)))
  t.teardown(() => proxies.forEach((p) => p.close()))

  const children: ChildProcess[] = proxies.map((proxy, i) =>
    fork(PROCESS, [], {
      execArgv: ['--import', 'tsx'],
      env: childEnv({
        NAME: `p${i}`,
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        REDIS_KEY_PREFIX: setup.prefix,
        REDIS_TIMEOUT_MS: String(TIMEOUT_MS),
        AGENTS: JSON.stringify(AGENTS),
        RESERVATIONS: String(Math.ceil(RESERVATIONS / PROCESSES)),
        PARALLEL: '40',
        OUT: join(dir, `p${i}.json`)
      }),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
  )
  t.teardown(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')))
  const message = (child: ChildProcess, what: string) =>
    new Promise<void>((resolve, reject) => {
      child.on('message', (m) => m === what && resolve())
      child.once('exit', (code) => reject(new Error(`reserving process exited with ${code} before '${what}'`)))
    })
  await Promise.all(children.map((c) => message(c, 'ready')))

  // Each connection changes its delay every 200 ms, on its own schedule.
  const random = seededRandom(12)
  const switching = setInterval(() => proxies.forEach((p) => p.delay(DELAYS[Math.floor(random() * DELAYS.length)]!)), 200)
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const keys = redisKeys(setup.prefix)
  let overInRedis = 0
  let looks = 0
  // Redis's own view, looked at while the traffic runs.
  const watching = setInterval(() => {
    const pipeline = redis.pipeline()
    for (const a of AGENTS) pipeline.hlen(keys.agentCalls(a.id))
    void pipeline.exec().then((results) => {
      looks++
      results?.forEach(([, n], i) => (overInRedis += (n as number) > AGENTS[i]!.capacity ? 1 : 0))
    })
  }, 20)
  const started = Date.now()
  const done = Promise.all(children.map((c) => message(c, 'done')))
  for (const c of children) c.send('go')
  await done
  clearInterval(switching)
  clearInterval(watching)
  proxies.forEach((p) => p.delay(0))
  const wallMs = Date.now() - started

  const results: Result[] = await Promise.all(children.map(async (_, i) => JSON.parse(await readFile(join(dir, `p${i}.json`), 'utf8')) as Result))
  const asked = results.reduce((sum, r) => sum + r.asked, 0)
  const outcomes = results.reduce<Record<string, number>>((sum, r) => {
    for (const [k, v] of Object.entries(r.outcomes)) sum[k] = (sum[k] ?? 0) + v
    return sum
  }, {})
  t.comment(`${asked} reservations asked of Redis in ${wallMs} ms: ${JSON.stringify(outcomes)}; ${results.reduce((s, r) => s + r.routedWithNobody, 0)} routes found nobody free; Redis looked at ${looks} times`)
  t.ok(asked >= RESERVATIONS, `${asked} reservations across the processes`)
  t.ok(outcomes.unconfirmed! > 0, 'some confirmations timed out (the delays worked)')
  t.equal(outcomes.degraded ?? 0, 0, 'Redis was never unreachable, so nothing was kept unconfirmed')

  const over = [...mostAtOnce(results.flatMap((r) => r.holds))].filter(([agentId, most]) => most > CAPACITY.get(agentId)!)
  t.same(over, [], 'no agent was ever held by more calls than their capacity, at any moment')
  t.equal(overInRedis, 0, 'Redis never held more calls on an agent than their capacity')
  const left = await Promise.all(AGENTS.map((a) => redis.hlen(keys.agentCalls(a.id))))
  t.same(left.filter((n) => n > 0), [], 'every call released: nothing leaked in Redis once the traffic ended')
})
