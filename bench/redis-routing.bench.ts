// Routing decisions with 1, 2 and 3 server processes sharing agents through Redis, against one
// process on its own: decisions/s, p50/p99 of POST /v1/route (the Redis confirmation included),
// reservations refused because another process took the agent first, double assignments.
// Needs PostgreSQL (BENCH_DATABASE_URL) and Redis (BENCH_REDIS_URL). `npm run bench:redis`.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Redis } from 'ioredis'
import pg from 'pg'
import { redisKeys } from '../src/presence/redis-keys.js'
import { withScripts } from '../src/presence/redis-scripts.js'
import { percentile } from './stats.js'

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const WORKERS = Number(process.env.BENCH_WORKERS ?? 48)
const AGENTS = Array.from({ length: 30 }, (_, i) => ({ id: `bench-${i}`, capacity: 1 + (i % 2) }))
const RULES = 'rules:\n  - name: everyone\n    route:\n      - team: floor\n        strategy: longest-idle\n        ring: 10m\n    otherwise:\n      queue: floor\n'

interface Server {
  url: string
  child: ChildProcess
}

async function start(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./redis-server-process.ts', import.meta.url).pathname], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
  return { url: `http://127.0.0.1:${port}`, child }
}

async function call(url: string, body?: unknown): Promise<any> {
  const res = await fetch(url, { method: body === undefined ? 'GET' : 'POST', headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  return res.json()
}

async function put(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`)
}

async function scenario(processes: number, shared: boolean): Promise<void> {
  const schema = `bench_${randomBytes(5).toString('hex')}`
  const prefix = `cti-bench-${randomBytes(4).toString('hex')}:`
  const db = new pg.Client({ connectionString: DATABASE_URL })
  await db.connect()
  await db.query(`create schema ${schema}`)
  const rulesDir = await mkdtemp(join(tmpdir(), 'cti-bench-rules-'))
  await writeFile(join(rulesDir, 'rules.yaml'), RULES)
  await writeFile(join(rulesDir, 'catalog.yaml'), 'teams: [floor]\n')
  await writeFile(join(rulesDir, 'calendar.yaml'), 'calendar:\n  timezone: UTC\n  hours:\n    mon-fri: 09:00-19:00\n')
  const env: Record<string, string> = { DATABASE_URL, BENCH_DB_SCHEMA: schema, RULES_DIR: rulesDir, RULES_WATCH: 'false', WRAP_UP_SECONDS: '0', LOG_LEVEL: 'silent', CALLER_CACHE_SIZE: '0' }
  if (shared) Object.assign(env, { REDIS_URL, REDIS_KEY_PREFIX: prefix })
  const servers: Server[] = [await start(env)]
  for (let i = 1; i < processes; i++) servers.push(await start(env))
  try {
    for (const server of servers) for (const a of AGENTS) await put(`${server.url}/v1/agents/${a.id}`, { name: a.id, sipUri: `sip:${a.id}@pbx`, team: 'floor', capacity: a.capacity })
    for (const a of AGENTS) await put(`${servers[0]!.url}/v1/agents/${a.id}/state`, { state: 'available' })
    if (!shared) for (const server of servers.slice(1)) for (const a of AGENTS) await put(`${server.url}/v1/agents/${a.id}/state`, { state: 'available' })
    await new Promise((resolve) => setTimeout(resolve, 500))

    const capacity = new Map(AGENTS.map((a) => [a.id, a.capacity]))
    const live = new Map<string, number>()
    const samples: number[] = []
    let doubles = 0
    let queued = 0
    let n = 0
    const until = Date.now() + SECONDS * 1000
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        const server = servers[w % servers.length]!
        while (Date.now() < until) {
          const callId = `c-${w}-${n++}`
          const t0 = process.hrtime.bigint()
          const routed = await call(`${server.url}/v1/route`, { caller: `+7916${String(1000000 + (n % 9000000))}`, dialed: null, callId })
          samples.push(Number(process.hrtime.bigint() - t0) / 1000)
          const agentId = routed.decision?.targets?.[0]?.agentId as string | undefined
          if (!agentId) {
            queued++
            continue
          }
          const held = (live.get(agentId) ?? 0) + 1
          live.set(agentId, held)
          if (held > capacity.get(agentId)!) doubles++
          // Released before the end is sent: the count can only miss a double, never invent one.
          live.set(agentId, live.get(agentId)! - 1)
          await call(`${server.url}/v1/interactions/${callId}/ended`, {})
        }
      })
    )
    samples.sort((a, b) => a - b)
    const label = shared ? `${processes} process${processes > 1 ? 'es' : ''}, Redis` : `${processes} process, no Redis`
    console.log(
      `${label.padEnd(22)} ${String(Math.round(samples.length / SECONDS)).padStart(6)} decisions/s  p50 ${(percentile(samples, 50) / 1000).toFixed(2).padStart(6)} ms  p99 ${(percentile(samples, 99) / 1000).toFixed(2).padStart(6)} ms  no agent free ${String(queued).padStart(5)}  double assignments ${doubles}`
    )
  } finally {
    for (const s of servers) s.child.kill('SIGTERM')
    await Promise.all(servers.map((s) => new Promise((resolve) => (s.child.exitCode !== null ? resolve(null) : s.child.once('exit', resolve)))))
    await rm(rulesDir, { recursive: true, force: true })
    await db.query(`drop schema ${schema} cascade`)
    await db.end()
    if (shared) {
      const redis = new Redis(REDIS_URL)
      const keys = await redis.keys(`${prefix}*`)
      if (keys.length > 0) await redis.del(...keys)
      redis.disconnect()
    }
  }
}

/** What the confirmation adds to a decision: the reserve script's round trip alone (then the release), one at a time. */
async function confirmationAlone(count: number): Promise<void> {
  const redis = withScripts(new Redis(REDIS_URL))
  const keys = redisKeys(`cti-bench-${randomBytes(4).toString('hex')}:`)
  const k = (id: string) => [keys.agent(id), keys.agentCalls(id), keys.agentLeases(id), keys.agentFinished(id)] as const
  await redis.cti_set_presence(...k('solo'), 'solo', keys.agentsChannel, Date.now(), 'available', Date.now())
  const samples: number[] = []
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint()
    await redis.cti_reserve(...k('solo'), 'solo', keys.agentsChannel, Date.now(), `call-${i}`, 'bench', 1, 15000)
    samples.push(Number(process.hrtime.bigint() - t0) / 1000)
    await redis.cti_finish(...k('solo'), 'solo', keys.agentsChannel, Date.now(), `call-${i}`, 0)
  }
  samples.sort((a, b) => a - b)
  console.log(`Redis confirmation alone (reserve script round trip): p50 ${percentile(samples, 50).toFixed(0)} µs  p99 ${percentile(samples, 99).toFixed(0)} µs over ${count}`)
  await redis.del(...k('solo'))
  redis.disconnect()
}

await confirmationAlone(5000)
console.log(`routing through HTTP, ${WORKERS} concurrent callers, ${AGENTS.length} agents, ${SECONDS} s each`)
await scenario(1, false)
for (const processes of [1, 2, 3]) await scenario(processes, true)
