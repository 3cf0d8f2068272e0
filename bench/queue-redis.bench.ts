// The waiting queue across two server instances sharing agents through Redis: p50/p99 of "an agent
// freed on instance B → the call waiting on instance A chosen" (A's core picked it: 'dequeued'
// served) and "→ offered" (A's reservation confirmed by Redis). Both instances run in this one Node
// process, each with its own Redis connections, so the Redis round trips and the pub/sub hop are
// real and the two instances' work shares one thread (pessimistic). Optional background: BENCH_WAITING
// calls waiting on A for other agents. Needs PostgreSQL (BENCH_DATABASE_URL) and Redis
// (BENCH_REDIS_URL). `npm run bench:queue:redis`.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import pg from 'pg'
import pino from 'pino'
import { App } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { summarize } from './stats.js'

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1000)
const RULES = 'rules:\n  - name: everyone\n    route:\n      - team: floor\n        strategy: longest-idle\n        ring: 10m\n    otherwise:\n      queue: floor\n'

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 10 s`)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

async function main(): Promise<void> {
  const schema = `bench_${randomBytes(5).toString('hex')}`
  const prefix = `cti-bench-${randomBytes(4).toString('hex')}:`
  const db = new pg.Client({ connectionString: DATABASE_URL })
  await db.connect()
  await db.query(`create schema ${schema}`)
  const rulesDir = await mkdtemp(join(tmpdir(), 'cti-bench-rules-'))
  await writeFile(join(rulesDir, 'rules.yaml'), RULES)
  await writeFile(join(rulesDir, 'catalog.yaml'), 'teams: [floor]\n')
  await writeFile(join(rulesDir, 'calendar.yaml'), 'calendar:\n  timezone: UTC\n  hours:\n    mon-sun: 00:00-24:00\n')
  const config = loadConfig({ DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX: prefix, RULES_DIR: rulesDir, RULES_WATCH: 'false', WRAP_UP_SECONDS: '0', PORT: '1' })
  const logger = pino({ level: 'silent' })
  const [a, b] = [await App.create({ config, logger, dbSchema: schema }), await App.create({ config, logger, dbSchema: schema })]
  try {
    await a.prepare()
    await b.prepare()
    for (const app of [a, b]) {
      app.agents.upsertAgent({ id: 'bench-q', name: 'bench-q', team: 'floor', address: 'sip:q@pbx.test', capacity: 1, skills: {} })
      await app.shared!.agents.agentLoaded('bench-q')
    }
    a.agentStates.setState('bench-q', 'available', Date.now())
    await until(() => b.agents.get('bench-q')?.state.status === 'available', 'B sees the agent available')

    const chosenAt = new Map<string, bigint>()
    const offeredAt = new Map<string, bigint>()
    a.interactions.onEvent((event) => {
      if (event.type === 'dequeued' && event.why === 'served') chosenAt.set(event.callId, process.hrtime.bigint())
      if (event.type === 'offered') offeredAt.set(event.callId, process.hrtime.bigint())
    })
    let retries = 0
    const chosen: number[] = []
    const offered: number[] = []
    const cpuBefore = process.cpuUsage()
    const started = process.hrtime.bigint()
    for (let i = 0; i < ROUNDS; i++) {
      // B's replica may say free a moment before Redis does (the release is still on its way): try again.
      for (let attempt = 0; ; attempt++) {
        const busy = await b.interactions.route({ caller: '+79160000001', dialed: null, callId: `busy-${i}`, channel: 'http', ringTimer: false })
        if (busy.decision.targets[0]?.agentId === 'bench-q') break
        b.interactions.ended(`busy-${i}`)
        if (attempt === 100) throw new Error(`round ${i}: the agent was never free on B`)
        retries++
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      await until(() => a.agents.get('bench-q')?.state.status === 'ringing', 'A sees the agent ringing')
      const waiting = await a.interactions.route({ caller: '+79160000002', dialed: null, callId: `wait-${i}`, channel: 'http', ringTimer: false })
      if (!waiting.decision.queued) throw new Error(`round ${i}: the call did not wait on A`)
      const freedAt = process.hrtime.bigint()
      b.interactions.ended(`busy-${i}`)
      await until(() => offeredAt.has(`wait-${i}`), 'A offers the freed agent')
      chosen.push(Number(chosenAt.get(`wait-${i}`)! - freedAt))
      offered.push(Number(offeredAt.get(`wait-${i}`)! - freedAt))
      a.interactions.ended(`wait-${i}`)
      await until(() => b.agents.get('bench-q')?.state.status === 'available' && a.agents.get('bench-q')?.state.status === 'available', 'both see the agent free again')
    }
    const elapsedS = Number(process.hrtime.bigint() - started) / 1e9
    const cpu = process.cpuUsage(cpuBefore)
    console.log(`queue across two instances through Redis, ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
    summarize('agent freed on B → waiting call on A chosen', chosen)
    summarize('agent freed on B → waiting call on A offered (Redis confirmed)', offered)
    console.log(`rounds where B had to ask again for the agent: ${retries}`)
    console.log(`rounds/s ${(ROUNDS / elapsedS).toFixed(0)} (each: route on B, wait on A, free, serve, end), CPU per round ${((cpu.user + cpu.system) / ROUNDS / 1000).toFixed(2)} ms, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`)
  } finally {
    await a.stop()
    await b.stop()
    const redis = new Redis(REDIS_URL)
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    redis.disconnect()
    await db.query(`drop schema if exists ${schema} cascade`)
    await db.end()
    await rm(rulesDir, { recursive: true, force: true })
  }
}

await main()
