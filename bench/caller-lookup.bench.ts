import { readFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { sql, type Kysely } from 'kysely'
import { loadConfig } from '../src/config.js'
import { seededRandom } from '../src/seeded-random.js'
import { buildCustomerCard, isoDate } from '../src/crm/customer-card.js'
import { openDatabase } from '../src/crm/database.js'
import type { Database } from '../src/crm/schema.js'
import { CallerIdentifier } from '../src/identify/identify-caller.js'
import { normalizePhone } from '../src/identify/normalize-phone.js'
import { benchPhone, generateCrm, ownerOfPhone, holdsDataSet, type CrmSize } from './generate-crm.js'
import { formatBytes, summarize, type Summary } from './stats.js'

// Caller identification and card assembly against a million customers on the
// real PostgreSQL: cold (cache miss, one indexed query), warm (cache hit), the
// card, and throughput with several lookups in flight.
//
//   npm run bench:caller [-- --regenerate] [-- --customers 1000000 --phones 1500000]

const { values: args } = parseArgs({
  options: {
    regenerate: { type: 'boolean', default: false },
    customers: { type: 'string', default: '1000000' },
    phones: { type: 'string', default: '1500000' },
    agents: { type: 'string', default: '200' }
  }
})
const SIZE: CrmSize = { customers: Number(args.customers), phones: Number(args.phones), agents: Number(args.agents) }
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const SCHEMA = 'bench_crm'
const MIGRATIONS = fileURLToPath(new URL('../sql/', import.meta.url))
const SAMPLES = { cold: 20_000, coldConcurrent: 20_000, warm: 200_000, warmSet: 20_000, cards: 5_000, cardsConcurrent: 5_000, normalize: 20_000 }
const IN_FLIGHT = 8
// A tenth of cold lookups are numbers nobody has (new callers): the miss path costs a query too.
const UNKNOWN_SHARE = 0.1
const TARGETS_US = { cold: 1000, warm: 20, card: 5000 }

const config = loadConfig({ ...process.env, DATABASE_URL })
const rng = seededRandom(7)
let peakRss = 0

console.log(`caller lookup: ${SIZE.customers.toLocaleString('en')} customers, ${SIZE.phones.toLocaleString('en')} phones; node ${process.version}, ${availableParallelism()} cpus, pool ${config.DB_POOL_SIZE}`)
await ensureData()
// Other work on the machine shows in the tails; the load average says how much there was.
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')
console.log(`load average before measuring: ${load()}`)

const database = await openDatabase({ url: DATABASE_URL, dataDir: '', poolSize: config.DB_POOL_SIZE, timeoutMs: config.DB_TIMEOUT_MS, schema: SCHEMA })
// One variant today; a rival implementation (another query shape, another driver) goes beside it.
const variants = [{ label: 'precompiled, prepared', db: database.db }]
const today = isoDate(Date.now())
const results: Summary[] = []

// Fills both pools and warms PostgreSQL's caches for every plan shape; not measured.
for (const { db } of variants) {
  const warmup = new CallerIdentifier(db, config.DEFAULT_COUNTRY, 0)
  await concurrently(2000, IN_FLIGHT, async () => void (await warmup.identify(randomInput().raw)))
  await concurrently(500, IN_FLIGHT, async () => void (await buildCustomerCard(db, randomCustomer(), today)))
}

console.log('\nnumber parsing (libphonenumber, not memoised)')
{
  const samples: number[] = []
  for (let k = 0; k < SAMPLES.normalize; k++) {
    const { raw } = randomInput()
    const t0 = process.hrtime.bigint()
    normalizePhone(raw, config.DEFAULT_COUNTRY)
    samples.push(Number(process.hrtime.bigint() - t0))
  }
  results.push(summarize('normalize', samples))
}

for (const variant of variants) {
  console.log(`\ncold, ${variant.label}: cache off, every lookup queries the database`)
  const identifier = new CallerIdentifier(variant.db, config.DEFAULT_COUNTRY, 0)
  const lookup = async () => {
    const input = randomInput()
    check(input, (await identifier.identify(input.raw)).customer?.id ?? null)
  }
  results.push(await phase(`cold identify, ${variant.label}`, variant.db, SAMPLES.cold, 1, lookup))
  results.push(await phase(`  ${IN_FLIGHT} in flight`, variant.db, SAMPLES.coldConcurrent, IN_FLIGHT, lookup))
}

console.log('\nwarm: every lookup is a cache hit')
{
  const identifier = new CallerIdentifier(database.db, config.DEFAULT_COUNTRY, config.CALLER_CACHE_SIZE)
  // Each caller of the working set arrives in two formats (e.g. from SIP and from AMI).
  const set = Array.from({ length: SAMPLES.warmSet }, () => randomInput(0)).flatMap((input) => [input, { ...input, raw: format(input.e164, input.style + 3) }])
  for (const input of set) check(input, (await identifier.identify(input.raw)).customer?.id ?? null)
  results.push(
    await phase('warm identify', null, SAMPLES.warm, 1, async () => {
      const input = set[Math.floor(rng() * set.length)]!
      if ((await identifier.identify(input.raw)).customer?.id !== input.expected) throw new Error(`${input.raw}: wrong customer from the cache`)
    })
  )
}

for (const variant of variants) {
  console.log(`\ncard assembly, ${variant.label} (buildCustomerCard: one query with every part of the card)`)
  const card = async () => {
    const id = randomCustomer()
    if ((await buildCustomerCard(variant.db, id, today))?.customer.id !== id) throw new Error(`no card for customer ${id}`)
  }
  results.push(await phase(`card, ${variant.label}`, variant.db, SAMPLES.cards, 1, card))
  results.push(await phase(`  ${IN_FLIGHT} in flight`, variant.db, SAMPLES.cardsConcurrent, IN_FLIGHT, card))
}

const memory = process.memoryUsage()
console.log(`\nload average after measuring: ${load()}`)
console.log(`memory: rss ${formatBytes(memory.rss)} (peak ${formatBytes(peakRss)}), heap used ${formatBytes(memory.heapUsed)}`)
const verdict = (name: string, target: number) => {
  const s = results.find((r) => r.name === name)!
  return `${name}: p99 ${s.p99.toFixed(1)} µs ${s.p99 <= target ? '≤' : '>'} target ${target} µs${s.p99 <= target ? '' : '  MISSED'}`
}
console.log(
  [
    'targets (1 in flight):',
    ...variants.map((v) => verdict(`cold identify, ${v.label}`, TARGETS_US.cold)),
    verdict('warm identify', TARGETS_US.warm),
    ...variants.map((v) => verdict(`card, ${v.label}`, TARGETS_US.card))
  ].join('\n  ')
)
await database.close()

/** Generates the data set unless the schema already holds one of this size (or --regenerate). */
async function ensureData(): Promise<void> {
  const gen = await openDatabase({ url: DATABASE_URL, dataDir: '', poolSize: 2, timeoutMs: 600_000, schema: SCHEMA })
  try {
    if (!args.regenerate && (await holdsDataSet(gen.db, SCHEMA, SIZE))) {
      console.log(`reusing the data set in schema ${SCHEMA} (--regenerate to rebuild it)`)
      return
    }
    console.log(`generating the data set in schema ${SCHEMA}:`)
    const started = performance.now()
    await generateCrm(gen, SCHEMA, MIGRATIONS, SIZE, (line) => console.log(line))
    const counts = await sql<Record<string, number>>`
      select (select count(*) from customers)::int as customers, (select count(*) from customer_phones)::int as phones,
             (select count(*) from calls)::int as calls, (select count(*) from deals)::int as deals, (select count(*) from orders)::int as orders,
             (select count(*) from payments)::int as payments, (select count(*) from tasks)::int as tasks,
             pg_size_pretty(pg_database_size(current_database())) as size`.execute(gen.db)
    console.log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(counts.rows[0])}`)
  } finally {
    await gen.close()
  }
}

interface Input {
  raw: string
  e164: string
  style: number
  /** The customer id expected, or null for a number nobody has. */
  expected: string | null
}

/** A caller's number in one of the formats PBXs and SIP stacks send. */
function randomInput(unknownShare = UNKNOWN_SHARE): Input {
  const unknown = rng() < unknownShare
  const j = unknown ? SIZE.phones + Math.floor(rng() * 1_000_000) : Math.floor(rng() * SIZE.phones)
  const e164 = benchPhone(j)
  const style = Math.floor(rng() * 6)
  return { raw: format(e164, style), e164, style, expected: unknown ? null : String(ownerOfPhone(j, SIZE)) }
}

function format(e164: string, style: number): string {
  const n = e164.slice(2)
  const [code, a, b, c] = [n.slice(0, 3), n.slice(3, 6), n.slice(6, 8), n.slice(8)]
  switch (style % 6) {
    case 0:
      return `+7 ${code} ${a}-${b}-${c}`
    case 1:
      return `8 (${code}) ${a}-${b}-${c}`
    case 2:
      return `7${n}`
    case 3:
      return `sip:+7${n}@pbx.example.com;user=phone`
    case 4:
      return `"Caller" <sip:7${n}@10.0.0.1:5060>`
    default:
      return `tel:+7-${code}-${a}-${b}-${c}`
  }
}

function check(input: Input, found: string | null): void {
  if (found !== input.expected) throw new Error(`${input.raw}: expected customer ${input.expected}, identified ${found}`)
}

/**
 * Runs `count` operations with `inFlight` of them outstanding at any time and
 * prints per-operation latency, the rate, and CPU per operation. The pool is
 * filled first, so no measured operation waits for a new connection.
 */
async function phase(name: string, db: Kysely<Database> | null, count: number, inFlight: number, op: () => Promise<void>): Promise<Summary> {
  const cpu = cpuMeter(db ? await backendPids(db, config.DB_POOL_SIZE) : [])
  const run = await concurrently(count, inFlight, op)
  const summary = summarize(name, run.samples)
  console.log(`${''.padEnd(40)} ${Math.round(run.perSecond).toLocaleString('en')}/s; ${cpu(count)}`)
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
  return summary
}

/** Per-operation latency (ns) of `count` operations run `inFlight` at a time, and the rate per second. */
async function concurrently(count: number, inFlight: number, op: () => Promise<void>): Promise<{ samples: number[]; perSecond: number }> {
  const samples: number[] = []
  let started = 0
  const begin = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (started < count) {
        started++
        const t0 = process.hrtime.bigint()
        await op()
        samples.push(Number(process.hrtime.bigint() - t0))
      }
    })
  )
  return { samples, perSecond: count / (Number(process.hrtime.bigint() - begin) / 1e9) }
}

function randomCustomer(): number {
  return 1 + Math.floor(rng() * SIZE.customers)
}

/** The server processes behind every connection of the pool (it holds them all at once to ask). */
async function backendPids(db: Kysely<Database>, size: number): Promise<number[]> {
  const pids: number[] = []
  let release = () => {}
  const allHeld = new Promise<void>((resolve) => (release = resolve))
  await Promise.all(
    Array.from({ length: size }, () =>
      db.connection().execute(async (conn) => {
        pids.push((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]!.pid)
        if (pids.length === size) release()
        await allHeld
      })
    )
  )
  return pids
}

/**
 * Starts counting CPU time; the returned function says how much this process
 * and the given PostgreSQL backends used per operation since. Backends are read
 * from /proc, so their share shows only when PostgreSQL runs on this machine.
 */
function cpuMeter(backends: number[]): (operations: number) => string {
  // utime + stime of a process, in kernel clock ticks (10 ms on Linux); undefined when it is not visible.
  const ticks = (pid: number) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      return Number(fields[11]) + Number(fields[12])
    } catch {
      return undefined
    }
  }
  const node = process.cpuUsage()
  const server = new Map(backends.map((pid) => [pid, ticks(pid)]))
  return (operations) => {
    const used = process.cpuUsage(node)
    let serverTicks = 0
    let seen = 0
    for (const [pid, before] of server) {
      const after = ticks(pid)
      if (before === undefined || after === undefined) continue
      serverTicks += after - before
      seen++
    }
    const nodeUs = (used.user + used.system) / operations
    const serverUs = (serverTicks * 10_000) / operations
    return `CPU per operation: node ${nodeUs.toFixed(0)} µs${seen > 0 ? `, PostgreSQL ${serverUs.toFixed(0)} µs` : ''}`
  }
}

