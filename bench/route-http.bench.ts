/**
 * Whole calls over real HTTP: POST /v1/route, then POST /v1/interactions/:id/ended,
 * against a server with the demo CRM, on the embedded database and on the real
 * PostgreSQL. Each call's record, lead (new numbers) and call-back task (missed
 * calls; an answered call closes its caller's) are written as in production,
 * and every phase waits until they are before its CPU is counted.
 *
 *   npm run bench:http [-- --database embedded|postgres|both --calls 20000 --in-flight 32 --rate 2500]
 *
 * Phases: a warm-up (not reported), calls started at a steady rate (latency
 * under load; by default half the target rate), and a fixed number in flight
 * (the most calls per second). A phase's calls count as served once their
 * writes are done too: "with the writes" divides the calls by the phase's time
 * up to its last write, and is what the targets are judged on. The client runs in a process of its own
 * (bench/http-load.ts). CPU per call: the server process, PostgreSQL's
 * backends of this server (read from /proc), and the client.
 *
 * The clock is pinned to a Monday 11:00 in Moscow so the business-hours rules
 * route to agents; the 8 demo agents are soon all busy, so many calls wait in
 * the rule's queue until ended (202, then abandoned): the longest path.
 */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import pg from 'pg'
import pino from 'pino'
import { App } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { startDemoServer } from './demo-server.js'
import type { HttpPhase, HttpResult } from './http-load.js'
import { formatBytes, percentile } from './stats.js'

const { values: args } = parseArgs({
  options: {
    database: { type: 'string', default: 'both' },
    calls: { type: 'string', default: '20000' },
    'in-flight': { type: 'string', default: '32' },
    rate: { type: 'string' },
    'known-share': { type: 'string', default: '0.8' },
    'missed-share': { type: 'string', default: '0.3' }
  }
})
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const SCHEMA = 'bench_http'
const APP_NAME = 'cti-http-bench'
const TARGETS = { postgres: 5000, embedded: 2000 } as const
const LINES = ['+74951234567', '+74951234568', '+78005553535']
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')

console.log(`HTTP calls, route then ended: node ${process.version}, ${availableParallelism()} cpus, ${new Date().toISOString()}, load average ${load()}`)
const client = fork(fileURLToPath(new URL('./http-load.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
await once(client, 'message')
const kinds = args.database === 'both' ? (['embedded', 'postgres'] as const) : [args.database as 'embedded' | 'postgres']
for (const kind of kinds) await bench(kind)
client.send({ type: 'stop' })

async function bench(kind: 'embedded' | 'postgres'): Promise<void> {
  if (kind === 'postgres') await freshSchema()
  process.env.PGAPPNAME = APP_NAME
  const { app, base, stop } = kind === 'postgres' ? await startPostgresServer() : await startDemoServer()
  const known = (await app.database.db.selectFrom('customer_phones').select('phone').execute()).map((r) => r.phone)
  const target = TARGETS[kind]
  const rate = Number(args.rate ?? target / 2)
  const calls = Number(args.calls)
  console.log(`\n${kind === 'postgres' ? `PostgreSQL (schema ${SCHEMA})` : 'embedded database (PGlite)'}: ${known.length} known numbers, pool ${app.config.DB_POOL_SIZE}, load average ${load()}`)
  let phaseNo = 0
  const phase = (name: string, n: number, inFlight: number, r?: number): HttpPhase => ({
    name, base, calls: n, inFlight, rate: r, known, knownShare: Number(args['known-share']), lines: LINES,
    missedShare: Number(args['missed-share']), prefix: `hb${kind[0]}${Date.now().toString(36)}p${++phaseNo}`
  })
  const phases = [phase('warm-up', Math.min(3000, calls), 16), phase(`steady ${rate}/s`, Math.min(calls, Math.round(rate * 8)), 0, rate), phase(`${args['in-flight']} in flight`, calls, Number(args['in-flight']))]
  let peakRss = 0
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100)
  const rows: string[] = []
  let best = 0
  let steadyP99 = NaN
  for (const p of phases) {
    const backends = kind === 'postgres' ? await backendPids(app) : []
    const cpu = process.cpuUsage()
    const pgTicks = ticksOf(backends)
    const machine = machineTicks()
    client.send({ type: 'run', phase: p })
    const [{ result }] = (await once(client, 'message')) as [{ result: HttpResult }]
    const t0 = performance.now()
    await drain(app)
    const drainMs = performance.now() - t0
    const used = process.cpuUsage(cpu)
    const pgUs = kind === 'postgres' ? ((ticksOf(backends) ?? 0) - (pgTicks ?? 0)) * 10_000 : null
    const after = machineTicks()
    if (p.name === 'warm-up') continue
    const written = await writtenOf(app, p.prefix)
    const sortedCall = Float64Array.from(result.callNs).sort()
    const sortedRoute = Float64Array.from(result.routeNs).sort()
    const ms = (s: Float64Array, q: number) => (percentile(s, q) / 1e6).toFixed(2)
    const perSecond = result.calls / result.seconds
    // What the server sustains: a call counts once its record, lead and task are written.
    const withWrites = result.calls / (result.seconds + drainMs / 1000)
    const perCall = (us: number) => `${Math.round(us / result.calls)} µs`
    if (p.rate) steadyP99 = percentile(sortedCall, 99) / 1e6
    else best = withWrites
    rows.push(
      `  ${p.name.padEnd(16)} ${Math.round(perSecond).toLocaleString('en').padStart(6)} calls/s  call p50 ${ms(sortedCall, 50)} ms p99 ${ms(sortedCall, 99)} ms  ` +
        `(route p50 ${ms(sortedRoute, 50)} p99 ${ms(sortedRoute, 99)} ms)  n=${result.calls.toLocaleString('en')}, written ${drainMs.toFixed(0)} ms after the last call: ` +
        `${Math.round(withWrites).toLocaleString('en')} calls/s with the writes`,
      `  ${''.padEnd(16)} CPU per call: server ${perCall(used.user + used.system)}${kind === 'postgres' ? ` (+ PostgreSQL ${pgUs === null ? 'n/a' : perCall(pgUs)})` : ' (database inside)'}, client ${perCall(result.cpuUs)}; ` +
        `machine ${(((after.busy - machine.busy) / (after.total - machine.total)) * 100).toFixed(0)} % busy, load average ${load()}`,
      `  ${''.padEnd(16)} ${Object.entries(result.statuses).map(([s, n]) => `${s} ×${n.toLocaleString('en')}`).join(', ')}; written: ${written}`
    )
  }
  clearInterval(sampler)
  for (const row of rows) console.log(row)
  const memory = process.memoryUsage()
  console.log(`  server memory: rss ${formatBytes(memory.rss)} (peak ${formatBytes(peakRss)}), heap used ${formatBytes(memory.heapUsed)}`)
  console.log(
    `  targets: ${Math.round(best).toLocaleString('en')} calls/s with the writes ${best >= target ? '≥' : '<'} ${target.toLocaleString('en')}${best >= target ? '' : '  MISSED'}; ` +
      `p99 at ${rate}/s ${steadyP99.toFixed(2)} ms ${steadyP99 <= 10 ? '≤' : '>'} 10 ms${steadyP99 <= 10 ? '' : '  MISSED'}`
  )
  await stop()
}

/** Until every record, lead and task of the calls so far is written. */
async function drain(app: App): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await app.calls.flush()
    await app.workflows.settled()
  }
}

async function writtenOf(app: App, prefix: string): Promise<string> {
  const like = `${prefix}-%`
  const { rows } = await sql<{ calls: number; leads: number; tasks: number }>`select
    (select count(*)::int from calls where id like ${like}) as calls,
    (select count(*)::int from leads where first_call_id like ${like}) as leads,
    (select count(*)::int from tasks where call_id like ${like}) as tasks`.execute(app.database.db)
  const r = rows[0]!
  return `${r.calls.toLocaleString('en')} records, ${r.leads.toLocaleString('en')} new leads, ${r.tasks.toLocaleString('en')} call-back tasks`
}

/** As startDemoServer, on PostgreSQL in a schema of its own. */
async function startPostgresServer(): Promise<{ app: App; base: string; stop(): Promise<void> }> {
  const started = Date.now()
  const monday11 = Date.parse('2026-11-23T11:00:00+03:00')
  const config = loadConfig({ ...process.env, DATABASE_URL, LOG_LEVEL: 'silent', RULES_WATCH: 'false', DEMO_DATA: 'true' })
  const app = await App.create({ config, logger: pino({ level: 'silent' }), dbSchema: SCHEMA, now: () => monday11 + (Date.now() - started) })
  await app.prepare()
  await app.server.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.server.address()
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const loaded = await fetch(`${base}/v1/demo-data`, { method: 'POST' })
  if (loaded.status !== 201) throw new Error(`demo data not loaded: HTTP ${loaded.status} ${await loaded.text()}`)
  return { app, base, stop: () => app.stop() }
}

async function freshSchema(): Promise<void> {
  const admin = new pg.Client({ connectionString: DATABASE_URL })
  await admin.connect()
  await admin.query(`drop schema if exists ${SCHEMA} cascade`)
  await admin.query(`create schema ${SCHEMA}`)
  await admin.end()
}

/** The PostgreSQL backends serving this server's pools. */
async function backendPids(app: App): Promise<number[]> {
  const rows = await sql<{ pid: number }>`select pid from pg_stat_activity where application_name = ${APP_NAME}`.execute(app.database.db)
  return rows.rows.map((r) => r.pid)
}

/** utime + stime of these processes in clock ticks (10 ms); null when /proc does not show them. */
function ticksOf(pids: number[]): number | null {
  let sum = 0
  for (const pid of pids) {
    let stat: string
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch (err) {
      // PostgreSQL on another machine (or the backend gone): its CPU cannot be read here.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
    const fields = stat.split(') ')[1]!.split(' ')
    sum += Number(fields[11]) + Number(fields[12])
  }
  return sum
}

function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const total = fields.reduce((a, b) => a + b, 0)
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total }
}
