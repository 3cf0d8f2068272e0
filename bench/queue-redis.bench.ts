// The waiting queue across two server instances sharing agents through Redis, each in its own
// process as in production: p50/p99 of "an agent freed on instance B → the call waiting on instance
// A chosen" (A's core picked it: 'dequeued' served) and "→ offered" (A's reservation confirmed by
// Redis). B runs here; A is bench/queue-redis-instance.ts, started with the same settings and driven
// over the IPC channel. Needs PostgreSQL (BENCH_DATABASE_URL) and Redis (BENCH_REDIS_URL).
// Before the rounds it measures the floor: a bare PUBLISH from B heard on A, paced as the rounds,
// which is what the machine charges for one hop between two processes through Redis.
// `npm run bench:queue:redis` (BENCH_ROUNDS=n, default 1000; BENCH_SETTLE_MS=n, default 0; BENCH_LOG_LEVEL=warn
// shows what instance B logs). Rounds that met a garbage-collection pause in either process are counted apart.
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import pg from 'pg'
import pino from 'pino'
import { App } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { upsertAgent } from '../src/crm/agent.repository.js'
import type { FromInstance, ToInstance } from './queue-redis-instance.js'
import { metPause, watchGcPauses } from './gc-pauses.js'
import { summarize } from './stats.js'

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1000)
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 0)
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
  const env = { DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX: prefix, RULES_DIR: rulesDir, RULES_WATCH: 'false', WRAP_UP_SECONDS: '0', PORT: '1' }
  const b = await App.create({ config: loadConfig(env), logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }), dbSchema: schema })
  const a = fork(new URL('./queue-redis-instance.ts', import.meta.url), { execArgv: process.execArgv, env: { ...process.env, BENCH_INSTANCE: JSON.stringify({ env, schema }) } })
  const waiters: ((m: FromInstance) => boolean)[] = []
  const stamps = new Map<string, bigint>()
  a.on('message', (m: FromInstance) => {
    if (m.type === 'chosen' || m.type === 'offered') stamps.set(`${m.type} ${m.callId}`, BigInt(m.at))
    const i = waiters.findIndex((w) => w(m))
    if (i >= 0) waiters.splice(i, 1)
  })
  /** Sends a command to A and waits for the message that `until` accepts. */
  const ask = <T extends FromInstance>(command: ToInstance | null, until: (m: FromInstance) => m is T): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`instance A did not answer ${JSON.stringify(command)} within 10 s`)), 10_000)
      waiters.push((m) => (until(m) ? (clearTimeout(timer), resolve(m), true) : false))
      if (command !== null) a.send(command)
    })
  const is = <K extends FromInstance['type']>(type: K, callId?: string) => (m: FromInstance): m is Extract<FromInstance, { type: K }> => m.type === type && (callId === undefined || ('callId' in m && m.callId === callId))
  try {
    await b.prepare()
    await ask(null, is('ready'))
    // In the database too, as an admin would add them: leads and records name the agent.
    await upsertAgent(b.database.db, { id: 'bench-q', name: 'bench-q', sipUri: 'sip:q@pbx.test', extension: null, team: 'floor', capacity: 1, language: 'ru', skills: {} })
    b.agents.upsertAgent({ id: 'bench-q', name: 'bench-q', team: 'floor', address: 'sip:q@pbx.test', capacity: 1, skills: {} })
    await b.shared!.agents.agentLoaded('bench-q')
    b.agentStates.setState('bench-q', 'available', Date.now())
    await ask({ cmd: 'await-status', status: 'available' }, is('status'))

    /** The same two processes with nothing but a Redis pub/sub hop between them: what the machine itself costs. */
    async function probeFloor(): Promise<number[]> {
      const channel = `${prefix}probe`
      await ask({ cmd: 'probe', channel }, is('probing'))
      const publisher = new Redis(REDIS_URL)
      const hops: number[] = []
      try {
        for (let i = 0; i < Math.min(ROUNDS, 500); i++) {
          await new Promise((resolve) => setTimeout(resolve, Math.max(SETTLE_MS, 1)))
          const heard = ask(null, (m): m is Extract<FromInstance, { type: 'heard' }> => m.type === 'heard' && m.seq === String(i))
          const sentAt = process.hrtime.bigint()
          await publisher.publish(channel, String(i))
          hops.push(Number(BigInt((await heard).at) - sentAt))
        }
      } finally {
        publisher.disconnect()
      }
      return hops
    }
    const floor = await probeFloor()

    let retries = 0
    const chosen: number[] = []
    const offered: number[] = []
    const cpuBefore = process.cpuUsage()
    const gc = watchGcPauses()
    const windows: [number, number][] = []
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
      await ask({ cmd: 'await-status', status: 'ringing' }, is('status'))
      const routed = await ask({ cmd: 'route', callId: `wait-${i}` }, is('routed', `wait-${i}`))
      if (!routed.queued) throw new Error(`round ${i}: the call did not wait on A`)
      // BENCH_SETTLE_MS: the call waits a while before the agent frees up, as calls do, so that both
      // instances have finished their work for the arrival (records, boards) when it is freed.
      if (SETTLE_MS > 0) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
      const offer = ask(null, is('offered', `wait-${i}`))
      const freedAt = process.hrtime.bigint()
      b.interactions.ended(`busy-${i}`)
      await offer
      const chosenAt = stamps.get(`chosen wait-${i}`)!
      chosen.push(Number(chosenAt - freedAt))
      windows.push([Number(freedAt), Number(chosenAt)])
      offered.push(Number(stamps.get(`offered wait-${i}`)! - freedAt))
      a.send({ cmd: 'end', callId: `wait-${i}` } satisfies ToInstance)
      await ask({ cmd: 'await-status', status: 'available' }, is('status'))
      await until(() => b.agents.get('bench-q')?.state.status === 'available', 'B sees the agent free again')
    }
    const elapsedS = Number(process.hrtime.bigint() - started) / 1e9
    const cpu = process.cpuUsage(cpuBefore)
    const stopped = await ask({ cmd: 'stop' }, is('stopped'))
    gc.stop()
    // Which rounds met a garbage-collection pause in either process between "freed" and "chosen".
    const paused = windows.map(([from, to]) => metPause(gc.pauses, from, to) || metPause(stopped.gcPauses, from, to))

    console.log(`queue across two instances (two processes) through Redis, ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.version}`)
    summarize('agent freed on B → waiting call on A chosen', chosen)
    summarize('agent freed on B → waiting call on A offered (Redis confirmed)', offered)
    summarize(`… of the ${paused.filter(Boolean).length} rounds that met a GC pause in either process`, chosen.filter((_, i) => paused[i]))
    summarize('… of the rounds that met none', chosen.filter((_, i) => !paused[i]))
    summarize(`floor: a bare PUBLISH on B heard on A, paced as the rounds (${SETTLE_MS} ms apart)`, floor)
    console.log(`rounds where B had to ask again for the agent: ${retries}`)
    console.log(`rounds/s ${(ROUNDS / elapsedS).toFixed(0)} (each: route on B, wait on A, free, serve, end); CPU per round: B ${((cpu.user + cpu.system) / ROUNDS / 1000).toFixed(2)} ms, A ${(stopped.cpuUs / ROUNDS / 1000).toFixed(2)} ms; B's heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`)
  } finally {
    if (a.connected) a.kill()
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
