/**
 * Our server against the ceiling, through a real drachtio-server, driven by
 * sipp over UDP. Set DRACHTIO_BENCH_SIP to drachtio-server's SIP address
 * (host:port) and, if not 127.0.0.1:9022 / cymru, DRACHTIO_BENCH_ADMIN and
 * DRACHTIO_BENCH_SECRET; without DRACHTIO_BENCH_SIP it says it skipped.
 *
 *   npm run bench:sip:real [-- --rates 250,500,1000,1500,2000,2500 --seconds 20]
 *
 * BENCH_CPU_PROF_DIR=<dir> has our server write a V8 CPU profile of each run.
 *
 * Both answer in redirect mode from the data set of bench:sip (1,000,000
 * customers in schema bench_sip; run npm run bench:sip once to make it): our
 * whole server (rules, caller lookup, records…) in a child process, and the
 * ceiling (bench/ceiling-redirect-app.ts: a drachtio-srf app answering 302 to
 * the owner from an in-memory map). At each rate the ceiling runs, then ours,
 * each after a short warm-up, only one connected to drachtio-server at a time.
 *
 * Every known caller's answer is checked: the first Contact must be their
 * owner (a wrong or missing one counts as a failed call). A negative control
 * runs the ceiling against shuffled expectations first: the check must fail.
 * Strict: 0 failed and 0 retransmissions; lenient: 0 failed and retransmissions
 * on at most 0.1 % of calls. CPU per call is split between drachtio-server,
 * node (the app's process) and PostgreSQL (this server's backends), from /proc.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync, readdirSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { openDatabase } from '../src/crm/database.js'
import { seededRandom } from '../src/seeded-random.js'
import { benchPhone } from './generate-crm.js'
import { sippScenario } from './sip-real-scenario.js'

const { values: args } = parseArgs({ options: { rates: { type: 'string', default: '250,500,1000,1500,2000,2500' }, seconds: { type: 'string', default: '20' } } })
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const SCHEMA = 'bench_sip'
const APP_NAME = 'cti-sip-real'
const [ADMIN_HOST, ADMIN_PORT] = (process.env.DRACHTIO_BENCH_ADMIN ?? '127.0.0.1:9022').split(':') as [string, string]
const SECRET = process.env.DRACHTIO_BENCH_SECRET ?? 'cymru'
/** BENCH_CPU_PROF_DIR: our server writes a V8 CPU profile of each run there (bench/cpu-profile-breakdown.ts reads it). */
const profiling = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : []
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')

if (!process.env.DRACHTIO_BENCH_SIP) {
  console.log('bench:sip:real skipped: set DRACHTIO_BENCH_SIP to a drachtio-server SIP address (host:port), and DRACHTIO_BENCH_ADMIN / DRACHTIO_BENCH_SECRET if not 127.0.0.1:9022 / cymru')
} else if (spawnSync('sipp', ['-v']).error) {
  console.log('bench:sip:real skipped: sipp is not installed (apt-get install sip-tester)')
} else {
  await main(process.env.DRACHTIO_BENCH_SIP)
}

interface Caller {
  phone: string
  /** The owner's SIP user the first Contact must name; '-' when any answer will do (unknown, blocked, overdue). */
  expected: string
}

interface RunResult {
  app: 'ceiling' | 'ours'
  rate: number
  calls: number
  failed: number
  wrong: number
  wrongBy: Record<string, number>
  retransmissions: number
  cpuUs: { drachtio: number | null; node: number; postgres: number | null }
}

async function main(target: string): Promise<void> {
  const rates = args.rates!.split(',').map(Number)
  const seconds = Number(args.seconds)
  const work = await mkdtemp(join(tmpdir(), 'sip-real-'))
  const rng = seededRandom(15)
  console.log(`bench:sip:real ${new Date().toISOString()}, load average ${load()}, drachtio-server SIP ${target}, admin ${ADMIN_HOST}:${ADMIN_PORT}`)
  const { callers, owners } = await pickCallers(rng)
  const mapFile = join(work, 'owners.json')
  await writeFile(mapFile, JSON.stringify(owners))
  const scenario = join(work, 'uac.xml')
  await writeFile(scenario, sippScenario)
  const csv = (list: Caller[]) => 'SEQUENTIAL\n' + list.map((c) => `${c.phone};${c.expected};`).join('\n') + '\n'
  const callersFile = join(work, 'callers.csv')
  await writeFile(callersFile, csv(callers))
  const shuffled = callers.map((c, i) => ({ ...c, expected: callers[(i + 7) % callers.length]!.expected }))
  const controlFile = join(work, 'control.csv')
  await writeFile(controlFile, csv(shuffled))
  const drachtioPid = findPid('drachtio')

  const run = async (app: 'ceiling' | 'ours', rate: number, file: string, runSeconds: number): Promise<RunResult> => {
    const child = app === 'ceiling' ? fork(fileURLToPath(new URL('./ceiling-redirect-app.ts', import.meta.url)), [ADMIN_HOST, ADMIN_PORT, SECRET, mapFile], { execArgv: ['--import', 'tsx'] }) : fork(fileURLToPath(new URL('./sip-real-server.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx', ...profiling], env: { ...process.env, PGAPPNAME: APP_NAME } })
    await waitFor(child, 'ready')
    await sipp(target, scenario, file, Math.max(50, rate / 4), Math.max(100, rate), work, 'warm')
    const backends = app === 'ours' ? await backendPids() : []
    child.send({ type: 'mark' })
    const before = { drachtio: drachtioPid === null ? null : ticksOf([drachtioPid]), postgres: ticksOf(backends) }
    const outcome = await sipp(target, scenario, file, rate, rate * runSeconds, work, `${app}-${rate}`)
    const after = { drachtio: drachtioPid === null ? null : ticksOf([drachtioPid]), postgres: ticksOf(backends) }
    child.send({ type: 'stop' })
    const [{ us }] = (await once(child, 'message')) as [{ us: number }]
    await once(child, 'exit')
    const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : (b - a) * 10_000)
    return { app, rate, ...outcome, cpuUs: { drachtio: delta(before.drachtio, after.drachtio), node: us, postgres: app === 'ours' ? delta(before.postgres, after.postgres) : 0 } }
  }

  const control = await run('ceiling', rates[0]!, controlFile, 5)
  console.log(`negative control (ceiling, shuffled owners): ${control.wrong} of ${control.calls} calls counted wrong — ${control.wrong > 0 ? 'the check can fail' : 'THE CHECK DID NOT FAIL: the figures below are not checked'}`)
  const results: RunResult[] = []
  for (const rate of rates) {
    for (const app of ['ceiling', 'ours'] as const) {
      const result = await run(app, rate, callersFile, seconds)
      results.push(result)
      const perCall = (us: number | null) => (us === null ? 'n/a' : `${(us / 1000 / result.calls).toFixed(3)} ms`)
      console.log(
        `${app.padEnd(8)} ${String(rate).padStart(5)}/s  calls ${result.calls}  failed ${result.failed} (wrong first Contact ${result.wrong}${result.wrong > 0 ? `: ${Object.entries(result.wrongBy).map(([what, n]) => `${what} ${n}`).join(', ')}` : ''})  retransmissions ${result.retransmissions}  ` +
          `CPU per call: drachtio ${perCall(result.cpuUs.drachtio)}, node ${perCall(result.cpuUs.node)}, PostgreSQL ${perCall(result.cpuUs.postgres)}  load average ${load()}`
      )
    }
  }
  for (const app of ['ceiling', 'ours'] as const) {
    const mine = results.filter((r) => r.app === app)
    const strict = Math.max(0, ...mine.filter((r) => r.failed === 0 && r.retransmissions === 0).map((r) => r.rate))
    const lenient = Math.max(0, ...mine.filter((r) => r.failed === 0 && r.retransmissions <= r.calls / 1000).map((r) => r.rate))
    console.log(`${app}: strict max ${strict} calls/s, lenient max ${lenient} calls/s`)
  }
  await cleanUp()
  await rm(work, { recursive: true, force: true })
}

/** 90 % known customers with their expected owner, 10 % numbers the CRM does not hold. */
async function pickCallers(rng: () => number): Promise<{ callers: Caller[]; owners: Record<string, string> }> {
  const db = await openDatabase({ url: DATABASE_URL, dataDir: '', poolSize: 1, timeoutMs: 60_000, schema: SCHEMA })
  try {
    const phones = Array.from({ length: 50_000 }, () => benchPhone(Math.floor(rng() * 1_500_000)))
    const rows = await sql<{ phone: string; owner_uri: string | null; checked: boolean }>`
      select p.phone, a.sip_uri as owner_uri, (not c.blocked and c.overdue_days <= 30) as checked
      from customer_phones p join customers c on c.id = p.customer_id left join agents a on a.id = c.owner_agent_id
      where p.phone = any(${phones})`.execute(db.db)
    if (rows.rows.length === 0) throw new Error(`no customers in schema ${SCHEMA}: run npm run bench:sip once to generate them`)
    const owners: Record<string, string> = {}
    const callers: Caller[] = []
    for (const r of rows.rows) {
      if (r.owner_uri) owners[r.phone] = r.owner_uri
      const user = r.checked && r.owner_uri ? /sips?:([^@]+)@/.exec(r.owner_uri)![1]! : '-'
      callers.push({ phone: r.phone, expected: user })
    }
    for (let i = 0, n = Math.round(rows.rows.length / 9); i < n; i++) callers.push({ phone: benchPhone(1_500_000 + Math.floor(rng() * 1_000_000)), expected: '-' })
    for (let i = callers.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1))
      ;[callers[i], callers[j]] = [callers[j]!, callers[i]!]
    }
    return { callers, owners }
  } finally {
    await db.close()
  }
}

/** One sipp run; failed = sipp's failed calls plus known callers whose first Contact was not their owner. */
async function sipp(target: string, scenario: string, callers: string, rate: number, calls: number, dir: string, name: string) {
  const log = join(dir, `${name}.log`)
  const stat = join(dir, `${name}.csv`)
  const child = spawn('sipp', ['-sf', scenario, '-inf', callers, '-s', '+74951234567', '-r', String(rate), '-m', String(calls), '-i', '127.0.0.1', '-p', '0', '-t', 'u1', '-cid_str', 'sip-real-%u-%p@%s', '-nostdin', '-timeout', `${Math.ceil(calls / rate) + 30}s`, '-trace_logs', '-log_file', log, '-trace_stat', '-stf', stat, '-fd', '3600', target], { stdio: 'ignore' })
  await once(child, 'close')
  const lines = (await readFile(stat, 'utf8')).trim().split('\n')
  const header = lines[0]!.split(';')
  const last = lines.at(-1)!.split(';')
  const field = (name: string) => Number(last[header.indexOf(name)] ?? 0)
  let wrong = 0
  let answered = 0
  /** What the wrong answers were: a 302 to another agent, or a status instead of a 302 (503: shed). */
  const wrongBy: Record<string, number> = {}
  for (const line of (await readFile(log, 'utf8').catch(() => '')).split('\n')) {
    const [tag, expected, status, first] = line.trim().split('|')
    if (tag !== 'R') continue
    answered++
    if (expected === '-' || (status === '302' && first === expected)) continue
    wrong++
    const what = status === '302' ? '302 to another agent' : status!
    wrongBy[what] = (wrongBy[what] ?? 0) + 1
  }
  return { calls: answered, failed: field('FailedCall(C)') + wrong, wrong, wrongBy, retransmissions: field('Retransmissions(C)') }
}

async function waitFor(child: ChildProcess, type: string): Promise<void> {
  for (;;) {
    const [message] = (await once(child, 'message')) as [{ type: string }]
    if (message.type === type) return
  }
}

async function backendPids(): Promise<number[]> {
  const db = await openDatabase({ url: DATABASE_URL, dataDir: '', poolSize: 1, timeoutMs: 10_000, schema: SCHEMA })
  try {
    return (await sql<{ pid: number }>`select pid from pg_stat_activity where application_name = ${APP_NAME}`.execute(db.db)).rows.map((r) => r.pid)
  } finally {
    await db.close()
  }
}

async function cleanUp(): Promise<void> {
  const db = await openDatabase({ url: DATABASE_URL, dataDir: '', poolSize: 1, timeoutMs: 600_000, schema: SCHEMA })
  try {
    await sql`delete from call_events where call_id in (select id from calls where channel = 'sip' and id like '%sip-real%')`.execute(db.db)
    await sql`delete from calls where channel = 'sip' and id like '%sip-real%'`.execute(db.db)
  } finally {
    await db.close()
  }
}

/** The pid of the process whose command is `name` (the drachtio-server on this machine), or null. */
function findPid(name: string): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) return Number(entry)
    } catch {
      // The process ended while listing.
      continue
    }
  }
  return null
}

/** utime + stime of these processes in clock ticks (10 ms); null when /proc does not show one. */
function ticksOf(pids: number[]): number | null {
  let sum = 0
  for (const pid of pids) {
    let stat: string
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch {
      return null
    }
    const fields = stat.split(') ')[1]!.split(' ')
    sum += Number(fields[11]) + Number(fields[12])
  }
  return sum
}
