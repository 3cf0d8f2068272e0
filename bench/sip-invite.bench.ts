/**
 * INVITE → 302 through the SIP adapter of a whole server (redirect mode) on the
 * real PostgreSQL, with 10,000 agents and 1,000,000 customers loaded. A second
 * process (bench/sip-load.ts) plays drachtio-server on its framed TCP protocol
 * and the PBX behind it: real INVITE texts from known customers and unknown
 * numbers, timed from the INVITE leaving to the 302 arriving.
 *
 *   npm run bench:sip [-- --calls 30000 --in-flight 32 --rate 500 --regenerate]
 *
 * Three measured phases: one call at a time (the path alone), calls started
 * at a steady rate (latency under load), and a fixed number in flight (the
 * most calls per second; latency there is mostly queueing: in flight ÷ rate).
 *
 * The rules are the shipped ones with business hours open round the clock, so
 * a known customer's call goes to their owner first. Every 302 ends the call
 * and gives the reservation back, so agents never run out. Call records are
 * written as in production (batched, off the call path) and deleted afterwards.
 */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import pino from 'pino'
import { App } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { upsertAgent } from '../src/crm/agent.repository.js'
import { openDatabase } from '../src/crm/database.js'
import { seededRandom } from '../src/seeded-random.js'
import { benchPhone, generateCrm, holdsDataSet, type CrmSize } from './generate-crm.js'
import type { LoadCaller, LoadPhase, LoadResult } from './sip-load.js'
import { formatBytes, percentile } from './stats.js'

const { values: args } = parseArgs({
  options: {
    regenerate: { type: 'boolean', default: false },
    calls: { type: 'string', default: '30000' },
    'in-flight': { type: 'string', default: '32' },
    rate: { type: 'string', default: '500' },
    'known-share': { type: 'string', default: '0.8' }
  }
})
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const SCHEMA = 'bench_sip'
// Generated agent ids have four digits (b-0001 … b-9999); the 10,000th is added beside them.
const SIZE: CrmSize = { customers: 1_000_000, phones: 1_500_000, agents: 9_999 }
const EXTRA_AGENT = 'b-10000'
const MIGRATIONS = fileURLToPath(new URL('../sql/', import.meta.url))
const RULES = fileURLToPath(new URL('../routing-rules/', import.meta.url))
const LINES = ['+74951234567', '+74951234568', '+78005553535']
const CALLS = Number(args.calls)
const IN_FLIGHT = Number(args['in-flight'])
const RATE = Number(args.rate)
const KNOWN_SHARE = Number(args['known-share'])
const KNOWN_POOL = 50_000
const TARGETS = { callsPerSecond: 2500, p99Ms: 10, cpuPerCallUs: 350 }

const rng = seededRandom(11)
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')
console.log(`SIP INVITE → 302: node ${process.version}, ${availableParallelism()} cpus, load average ${load()}`)
await ensureData()
const callers = await pickCallers()
const rulesDir = await openRules()

const child = fork(fileURLToPath(new URL('./sip-load.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
const [{ port }] = (await once(child, 'message')) as [{ port: number }]
const config = loadConfig({
  ...process.env,
  DATABASE_URL,
  RULES_DIR: rulesDir,
  RULES_WATCH: 'false',
  LOG_LEVEL: 'silent',
  SIP_DRACHTIO_HOST: '127.0.0.1',
  SIP_DRACHTIO_PORT: String(port),
  SIP_DRACHTIO_SECRET: 'cymru',
  SIP_MODE: 'redirect'
})
// The pool's connections are named, so their PostgreSQL backends' CPU can be found and counted.
process.env.PGAPPNAME = 'cti-sip-bench'
const app = await App.create({ config, logger: pino({ level: 'silent' }), dbSchema: SCHEMA })
await app.prepare()
let available = 0
for (const view of app.agents.snapshot()) if (app.agentStates.setState(view.profile.id, 'available', Date.now())) available++
console.log(`server: ${app.agents.snapshot().length.toLocaleString('en')} agents in the index (${available.toLocaleString('en')} available), pool ${config.DB_POOL_SIZE}, caller cache ${config.CALLER_CACHE_SIZE.toLocaleString('en')}`)

let peakRss = 0
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100)
const phases: LoadPhase[] = [
  { name: 'warm-up (not reported)', calls: Math.min(5000, CALLS), inFlight: IN_FLIGHT, callers, lines: LINES },
  { name: 'one call at a time', calls: Math.max(1000, Math.round(CALLS / 15)), inFlight: 1, callers, lines: LINES },
  { name: `steady ${RATE}/s`, calls: RATE * 10, inFlight: 0, rate: RATE, callers, lines: LINES },
  { name: `${IN_FLIGHT} in flight`, calls: CALLS, inFlight: IN_FLIGHT, callers, lines: LINES }
]
const results: { result: LoadResult; serverUs: number; postgresUs: number | null; machineBusy: number }[] = []
for (const phase of phases) {
  const backends = await backendPids()
  const cpu = process.cpuUsage()
  const postgres = ticksOf(backends)
  const machine = machineTicks()
  child.send({ type: 'run', phase })
  const [{ result }] = (await once(child, 'message')) as [{ result: LoadResult }]
  const used = process.cpuUsage(cpu)
  if (phase.name.startsWith('warm-up')) continue
  const postgresTicks = ticksOf(backends)
  const after = machineTicks()
  results.push({
    result,
    serverUs: used.user + used.system,
    postgresUs: postgres === null || postgresTicks === null ? null : (postgresTicks - postgres) * 10_000,
    machineBusy: (after.busy - machine.busy) / (after.total - machine.total)
  })
}
clearInterval(sampler)
child.send({ type: 'stop' })

console.log(`\nload average after measuring: ${load()}`)
console.log('time the server adds, INVITE written → final response read (stand-in and callers in a second process):')
for (const { result, serverUs, postgresUs, machineBusy } of results) {
  const sorted = Float64Array.from(result.samplesNs).sort()
  const ms = (p: number) => (percentile(sorted, p) / 1e6).toFixed(2).padStart(6)
  const perCall = (us: number) => `${Math.round(us / result.calls)} µs`
  const statuses = Object.entries(result.statuses).map(([status, n]) => `${status} ×${n.toLocaleString('en')}`).join(', ')
  console.log(
    `  ${result.name.padEnd(20)} n=${result.calls.toLocaleString('en').padStart(6)}  p50 ${ms(50)} ms  p99 ${ms(99)} ms  p99.9 ${ms(99.9)} ms  ` +
      `${Math.round(result.calls / result.seconds).toLocaleString('en').padStart(5)} calls/s`
  )
  console.log(
    `  ${''.padEnd(20)} CPU per call: server ${perCall(serverUs)}, PostgreSQL ${postgresUs === null ? 'n/a' : perCall(postgresUs)}, stand-in and callers ${perCall(result.cpuUs)}; ` +
      `machine ${(machineBusy * 100).toFixed(0)} % busy`
  )
  console.log(`  ${''.padEnd(20)} responses: ${statuses}; owner first on ${result.matched.toLocaleString('en')} of ${result.checked.toLocaleString('en')} calls that should reach their owner`)
}
const memory = process.memoryUsage()
console.log(`server memory: rss ${formatBytes(memory.rss)} (peak ${formatBytes(peakRss)}), heap used ${formatBytes(memory.heapUsed)}`)
const loadedRun = results.at(-1)!
const loaded = loadedRun.result
const cpuPerCall = loadedRun.postgresUs === null ? null : (loadedRun.serverUs + loadedRun.postgresUs) / loaded.calls
const steady = results.find((r) => r.result.name.startsWith('steady'))!.result
const rate = loaded.calls / loaded.seconds
const p99 = percentile(Float64Array.from(steady.samplesNs).sort(), 99) / 1e6
console.log(
  `targets: ${Math.round(rate).toLocaleString('en')} calls/s with ${IN_FLIGHT} in flight ${rate >= TARGETS.callsPerSecond ? '≥' : '<'} ${TARGETS.callsPerSecond.toLocaleString('en')}${rate >= TARGETS.callsPerSecond ? '' : '  MISSED'}; ` +
    `p99 at ${RATE}/s ${p99.toFixed(2)} ms ${p99 <= TARGETS.p99Ms ? '≤' : '>'} ${TARGETS.p99Ms} ms${p99 <= TARGETS.p99Ms ? '' : '  MISSED'}; ` +
    (cpuPerCall === null ? 'server + PostgreSQL CPU per call n/a' : `server + PostgreSQL CPU per call ${Math.round(cpuPerCall)} µs ${cpuPerCall <= TARGETS.cpuPerCallUs ? '≤' : '>'} ${TARGETS.cpuPerCallUs} µs${cpuPerCall <= TARGETS.cpuPerCallUs ? '' : '  MISSED'}`)
)

await app.calls.flush()
// Deleting tens of thousands of records also updates the report roll-ups: no request timeout for that.
const cleanup = await app.database.unhurried()
await sql`delete from call_events where call_id like 'sipbench-%'`.execute(cleanup.db)
const removed = await sql`delete from calls where id like 'sipbench-%'`.execute(cleanup.db)
await cleanup.close()
console.log(`call records written, then removed: ${Number(removed.numAffectedRows ?? 0).toLocaleString('en')}`)
await app.stop()
await rm(rulesDir, { recursive: true, force: true })

/** Generates the data set unless the schema holds one of this size (or --regenerate); adds the 10,000th agent. */
async function ensureData(): Promise<void> {
  const gen = await openDatabase({ url: DATABASE_URL, dataDir: '', poolSize: 2, timeoutMs: 600_000, schema: SCHEMA })
  try {
    if (!args.regenerate && (await holdsDataSet(gen.db, SCHEMA, SIZE))) {
      console.log(`reusing the data set in schema ${SCHEMA} (--regenerate to rebuild it)`)
    } else {
      console.log(`generating the data set in schema ${SCHEMA} (a few minutes):`)
      await generateCrm(gen, SCHEMA, MIGRATIONS, SIZE, (line) => console.log(line))
    }
    await upsertAgent(gen.db, { id: EXTRA_AGENT, name: 'Agent 10000', sipUri: 'sip:agent10000@pbx.example.com', extension: '12000', team: 'support', capacity: 1, skills: { 'lang:ru': 6, 'product:crm': 7 } })
  } finally {
    await gen.close()
  }
}

/**
 * Known customers (random phones of the generated set) and unknown numbers.
 * For a known customer the rules ring the owner first unless the customer is
 * blocked or overdue (then collections): those calls are checked to reach
 * the owner in the first Contact.
 */
async function pickCallers(): Promise<LoadCaller[]> {
  const db = await openDatabase({ url: DATABASE_URL, dataDir: '', poolSize: 1, timeoutMs: 60_000, schema: SCHEMA })
  try {
    const phones = Array.from({ length: KNOWN_POOL }, () => benchPhone(Math.floor(rng() * SIZE.phones)))
    const rows = await sql<{ phone: string; owner_uri: string | null }>`
      select p.phone, case when not c.blocked and c.overdue_days <= 30 then a.sip_uri end as owner_uri
      from customer_phones p join customers c on c.id = p.customer_id left join agents a on a.id = c.owner_agent_id
      where p.phone = any(${phones})`.execute(db.db)
    const known = rows.rows.map((r): LoadCaller => ({ from: rng() < 0.5 ? r.phone : `8${r.phone.slice(2)}`, expectedFirst: r.owner_uri }))
    const unknownCount = Math.round((known.length * (1 - KNOWN_SHARE)) / KNOWN_SHARE)
    const unknown = Array.from({ length: unknownCount }, (): LoadCaller => ({ from: benchPhone(SIZE.phones + Math.floor(rng() * 1_000_000)), expectedFirst: null }))
    const all = [...known, ...unknown]
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1))
      ;[all[i], all[j]] = [all[j]!, all[i]!]
    }
    console.log(`callers: ${known.length.toLocaleString('en')} known customers, ${unknown.length.toLocaleString('en')} unknown numbers`)
    return all
  } finally {
    await db.close()
  }
}

/** The PostgreSQL backends serving this process's pool (it is full after the warm-up). */
async function backendPids(): Promise<number[]> {
  const rows = await sql<{ pid: number }>`select pid from pg_stat_activity where application_name = 'cti-sip-bench'`.execute(app.database.db)
  return rows.rows.map((r) => r.pid)
}

/** utime + stime of these processes in clock ticks (10 ms); null when /proc does not show them (PostgreSQL elsewhere). */
function ticksOf(pids: number[]): number | null {
  let sum = 0
  for (const pid of pids) {
    const stat = readProc(`/proc/${pid}/stat`)
    if (stat === null) return null
    const fields = stat.split(') ')[1]!.split(' ')
    sum += Number(fields[11]) + Number(fields[12])
  }
  return sum
}

/** The whole machine's busy and total CPU ticks: other work on it shows in the tails. */
function machineTicks(): { busy: number; total: number } {
  const fields = (readProc('/proc/stat') ?? 'cpu 0 0 0 1').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const total = fields.reduce((a, b) => a + b, 0)
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
  return { busy: total - idle, total }
}

function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

/** The shipped rules with the business hours open every day, all day. */
async function openRules(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sip-bench-rules-'))
  for (const file of await readdir(RULES)) {
    if (file.endsWith('.yaml') && file !== 'calendar.yaml') await copyFile(join(RULES, file), join(dir, file))
  }
  await writeFile(join(dir, 'calendar.yaml'), 'calendar:\n  timezone: Europe/Moscow\n  hours:\n    mon-sun: 00:00-24:00\n')
  return dir
}
