import { loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { sql, type Kysely } from 'kysely'
import pg from 'pg'
import pino from 'pino'
import { App } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/crm/database.js'
import { migrate } from '../src/crm/migrate.js'
import type { Database } from '../src/crm/schema.js'
import { seededRandom } from '../src/seeded-random.js'
import { MIGRATIONS_DIR } from '../src/wire/crm.js'
import { formatBytes, percentile } from './stats.js'

// GET /v1/calls over 10,000,000 call records spread over two years, through the
// real HTTP server on the real PostgreSQL: one agent over a week, one caller,
// one customer, a line over a day, an outcome over a day, a rule over a week,
// the newest calls, and the fifth page of an agent's week (keyset). The history
// is generated once, set-based, in its own schema (`bench_calls`), and kept.
//
//   npm run bench:calls [-- --calls 10000000] [-- --requests 200] [-- --regenerate]

const { values: args } = parseArgs({ options: { calls: { type: 'string', default: '10000000' }, requests: { type: 'string', default: '200' }, regenerate: { type: 'boolean', default: false } } })
const CALLS = Number(args.calls)
const REQUESTS = Number(args.requests)
const DAYS = 730
const START = Date.parse('2025-01-01T00:00:00Z')
const AGENTS = 200
const CUSTOMERS = 100_000
const CALLERS = 2_000_000
const CHUNK = 1_000_000
const SCHEMA = 'bench_calls'
const url = loadConfig().DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const RULES = ['VIP customers', 'owner first', 'spring campaign', 'english speakers', 'after hours', 'debtors', 'new callers', 'default']

/** Keeps the schema when it holds the calls asked for; otherwise (or with --regenerate) starts it afresh, so a generation cut short never leaves it half-indexed. */
async function prepareSchema(): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const held = await client.query<{ n: number }>(`select count(*)::int as n from pg_class c join pg_namespace s on s.oid = c.relnamespace where s.nspname = $1 and c.relname = 'calls'`, [SCHEMA])
  const complete = held.rows[0]!.n > 0 && (await client.query<{ n: number }>(`select count(*)::int as n from ${SCHEMA}.calls`)).rows[0]!.n === CALLS
  if (args.regenerate || !complete) await client.query(`drop schema if exists ${SCHEMA} cascade`)
  await client.query(`create schema if not exists ${SCHEMA}`)
  await client.end()
}

/** Fills calls in chunks with its indexes set aside (rebuilt once at the end) and its roll-up triggers off: only reads are timed here. */
async function generate(db: Kysely<Database>): Promise<void> {
  const have = (await sql<{ n: number }>`select count(*)::int as n from calls`.execute(db)).rows[0]!.n
  if (have === CALLS) return
  console.log(`${SCHEMA}: generating ${CALLS.toLocaleString('en')} call records over ${DAYS} days (once)…`)
  const started = performance.now()
  await sql`insert into agents (id, name, extension, team_id) select 'h-' || g, 'Agent ' || g, (2000 + g)::text, null from generate_series(1, ${AGENTS}::int) g on conflict do nothing`.execute(db)
  if ((await sql<{ n: number }>`select count(*)::int as n from customers`.execute(db)).rows[0]!.n < CUSTOMERS) {
    await sql`insert into customers (id, name) select g, 'Customer ' || g from generate_series(1, ${CUSTOMERS}::int) g on conflict do nothing`.execute(db)
  }
  const indexes = (await sql<{ name: string; def: string }>`select indexname as name, indexdef as def from pg_indexes where schemaname = current_schema() and tablename = 'calls' and indexname <> 'calls_pkey'`.execute(db)).rows
  for (const index of indexes) await sql`drop index ${sql.ref(index.name)}`.execute(db)
  await sql`alter table calls disable trigger user`.execute(db)
  const step = (DAYS * 86_400) / CALLS
  for (let lo = 1; lo <= CALLS; lo += CHUNK) {
    const hi = Math.min(CALLS, lo + CHUNK - 1)
    await sql`
      insert into calls (id, channel, direction, kind, caller, dialed, customer_id, agent_id, rule, outcome, source, campaign, offered_at, answered_at, ended_at, wait_seconds, talk_seconds)
      select 'h' || g, 'sip', 'inbound', 'call', '+7900' || lpad((g % ${CALLERS}::int)::text, 7, '0'), '+74951234' || (560 + g % 10),
        case when g % 5 < 3 then g % ${CUSTOMERS}::int + 1 end, 'h-' || (g % ${AGENTS}::int + 1), (${sql.val(RULES)}::text[])[g % ${RULES.length}::int + 1], outcome,
        (array['yandex-direct','google-ads','website','partners','tv'])[g % 5 + 1], (array['spring','launch','organic','partner','tv'])[g % 5 + 1],
        ts, case when outcome = 'answered' then ts + interval '8 seconds' end, ts + interval '200 seconds', 8, case when outcome = 'answered' then 192 end
      from (
        select g, to_timestamp(${START / 1000}::float8 + round((g * ${step}::float8)::numeric, 3)::float8) as ts,
          case when g % 100 < 78 then 'answered' when g % 100 < 90 then 'missed' when g % 100 < 97 then 'abandoned' else 'busy' end as outcome
        from generate_series(${lo}::int, ${hi}::int) g
      ) s`.execute(db)
    process.stdout.write(`  ${hi.toLocaleString('en')} rows, ${((performance.now() - started) / 1000).toFixed(0)} s\n`)
  }
  await sql`alter table calls enable trigger user`.execute(db)
  for (const index of indexes) {
    const t0 = performance.now()
    await sql.raw(index.def).execute(db)
    console.log(`  index ${index.name} ${((performance.now() - t0) / 1000).toFixed(0)} s`)
  }
  await sql`analyze calls`.execute(db)
  console.log(`generated in ${((performance.now() - started) / 1000).toFixed(0)} s`)
}

const random = seededRandom(16)
const pick = (n: number) => Math.floor(random() * n)
const day = () => START + pick(DAYS - 8) * 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()
const phone = (n: number) => `+7900${String(n).padStart(7, '0')}`

/** Each search, with fresh parameters per request. */
const SEARCHES: Record<string, () => string> = {
  'one agent over a week': () => {
    const from = day()
    return `agent=h-${pick(AGENTS) + 1}&from=${iso(from)}&to=${iso(from + 7 * 86_400_000)}`
  },
  'one caller (any format)': () => `caller=${encodeURIComponent(`8 900 ${String(pick(CALLERS)).padStart(7, '0')}`)}`,
  'one customer': () => `customer=${pick(CUSTOMERS) + 1}`,
  'a line over a day': () => {
    const from = day()
    return `line=%2B74951234${560 + pick(10)}&from=${iso(from)}&to=${iso(from + 86_400_000)}`
  },
  'abandoned over a day': () => {
    const from = day()
    return `outcome=abandoned&from=${iso(from)}&to=${iso(from + 86_400_000)}`
  },
  'a rule over a week': () => {
    const from = day()
    return `rule=${encodeURIComponent(RULES[pick(RULES.length)]!)}&from=${iso(from)}&to=${iso(from + 7 * 86_400_000)}`
  },
  'newest calls, no filter': () => ''
}

async function get(base: string, query: string): Promise<{ next: string | null; count: number }> {
  const response = await fetch(`${base}/v1/calls?${query}`)
  if (response.status !== 200) throw new Error(`GET /v1/calls?${query}: ${response.status} ${await response.text()}`)
  const body = (await response.json()) as { calls: unknown[]; next: string | null }
  return { next: body.next, count: body.calls.length }
}

/** Times `REQUESTS` requests one after the other; `run` returns the rows of the page, and may time only part of its work itself. */
async function measure(name: string, run: () => Promise<number | { rows: number; ms: number }>): Promise<void> {
  const samples: number[] = []
  let rows = 0
  const cpu = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now()
    const result = await run()
    const took = performance.now() - start
    rows += typeof result === 'number' ? result : result.rows
    samples.push(typeof result === 'number' ? took : result.ms)
  }
  const wall = (performance.now() - t0) / 1000
  const used = process.cpuUsage(cpu)
  samples.sort((a, b) => a - b)
  const cpuPerOp = (used.user + used.system) / 1000 / REQUESTS
  console.log(
    `${name.padEnd(34)} p50 ${percentile(samples, 50).toFixed(1).padStart(7)} ms  p99 ${percentile(samples, 99).toFixed(1).padStart(7)} ms  ${(REQUESTS / wall).toFixed(0).padStart(5)} req/s  server+client CPU ${cpuPerOp.toFixed(2)} ms/req  ${(rows / REQUESTS).toFixed(0)} rows/page`
  )
}

await prepareSchema()
const database = await openDatabase({ url, dataDir: '', poolSize: 4, timeoutMs: 600_000, schema: SCHEMA })
await migrate(database.db, MIGRATIONS_DIR)
await generate(database.db)
await database.close()

const config = loadConfig({ DATABASE_URL: url, PORT: '1', RULES_WATCH: 'false' })
const app = await App.create({ config: { ...config, PORT: 0 }, logger: pino({ level: 'silent' }), dbSchema: SCHEMA })
await app.prepare()
await app.server.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.server.address()
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

console.log(`\nGET /v1/calls over ${CALLS.toLocaleString('en')} call records, ${REQUESTS} requests each, one at a time, pages of 50`)
console.log(`${new Date().toISOString()}  load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores shared)`)
// A first pass warms the pool and the plan caches; it is not counted.
for (const search of Object.values(SEARCHES)) await get(base, search())
for (const [name, search] of Object.entries(SEARCHES)) await measure(name, async () => (await get(base, search())).count)
await measure("fifth page of an agent's week", async () => {
  const from = day()
  const query = `agent=h-${pick(AGENTS) + 1}&from=${iso(from)}&to=${iso(from + 7 * 86_400_000)}`
  let page = await get(base, query)
  for (let i = 1; i < 4 && page.next; i++) page = await get(base, `${query}&after=${page.next}`)
  if (!page.next) throw new Error(`${query}: fewer than five pages; generate more calls (--calls)`)
  const start = performance.now()
  const fifth = await get(base, `${query}&after=${page.next}`)
  return { rows: fifth.count, ms: performance.now() - start }
})
const memory = process.memoryUsage()
console.log(`memory: rss ${formatBytes(memory.rss)}, heap used ${formatBytes(memory.heapUsed)}`)
console.log(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
await app.stop()
