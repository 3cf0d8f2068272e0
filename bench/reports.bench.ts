import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { sql, type Kysely } from 'kysely'
import pg from 'pg'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/crm/database.js'
import { migrate } from '../src/crm/migrate.js'
import type { Database } from '../src/crm/schema.js'
import { agentsReport } from '../src/reports/agents-report.js'
import { lossesReport } from '../src/reports/losses-report.js'
import { reportRows } from '../src/reports/report-query.js'
import type { ReportRequest } from '../src/reports/report-request.js'
import { sourcesReport } from '../src/reports/sources-report.js'

// The three reports against 10,000,000 call records spread over two years (about
// 13,700 a day), with their offers, half a million leads, tasks and deals, on the
// real PostgreSQL. The history is generated once, set-based, in its own schema
// (`bench_reports`), and kept: later runs only time the reports.
//
//   npm run bench:reports [-- --calls 10000000] [-- --regenerate]

const { values: args } = parseArgs({ options: { calls: { type: 'string', default: '10000000' }, regenerate: { type: 'boolean', default: false }, runs: { type: 'string', default: '5' } } })
const CALLS = Number(args.calls)
const DAYS = 730
const START = '2024-01-01T00:00:00Z'
const SCHEMA = 'bench_reports'
const url = loadConfig().DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

async function prepareSchema(): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  if (args.regenerate) await client.query(`drop schema if exists ${SCHEMA} cascade`)
  await client.query(`create schema if not exists ${SCHEMA}`)
  await client.end()
}

async function generate(db: Kysely<Database>): Promise<void> {
  const count = async (table: string) => (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db)).rows[0]!.n
  const step = (DAYS * 86_400) / CALLS
  const started = performance.now()
  // Each table is filled once; a run that stopped half-way goes on where it stopped.
  const phase = async (name: string, table: string, ...queries: ReturnType<typeof sql>[]) => {
    if ((await count(table)) > 0) return
    const t0 = performance.now()
    for (const query of queries) await query.execute(db)
    console.log(`  ${name.padEnd(28)} ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  }
  console.log(`${SCHEMA}: ${CALLS.toLocaleString('en')} call records over ${DAYS} days (generated once)…`)
  await phase('agents, teams, customers', 'teams', sql`
    insert into teams (id, name, lead_agent_id) select 'team-' || g, 'Team ' || g, 'b-' || g from generate_series(1, 5) g`,
    sql`insert into agents (id, name, extension, team_id) select 'b-' || g, 'Agent ' || g, (1000 + g)::text, 'team-' || (g % 5 + 1) from generate_series(1, 50) g`,
    sql`insert into customers (name) select 'Customer ' || g from generate_series(1, 50000) g`)
  await phase('calls', 'calls', sql`
    insert into calls (id, channel, direction, kind, caller, dialed, source, campaign, agent_id, outcome, offered_at, answered_at, ended_at, wait_seconds, talk_seconds, lead_id)
    select 'b' || g, 'sip', 'inbound', 'call', '+7900' || lpad((g % 2000000)::text, 7, '0'),
      '+749500000' || (g % 5), (array['yandex-direct','google-ads','website','partners','tv'])[g % 5 + 1], (array['spring','launch','organic','partner','tv'])[g % 5 + 1],
      'b-' || (g % 50 + 1), outcome, ts,
      case when outcome = 'answered' then ts + make_interval(secs => wait) end,
      ts + make_interval(secs => wait + talk), wait, case when outcome = 'answered' then talk end,
      case when g % 20 = 0 then g / 20 end
    from (
      select g, ${START}::timestamptz + make_interval(secs => g * ${step}::float8) as ts,
        (random() * 60)::numeric(10, 3) as wait, (random() * 600)::numeric(10, 3) as talk,
        case when r < 0.78 then 'answered' when r < 0.9 then 'missed' when r < 0.97 then 'abandoned' else 'busy' end as outcome
      from (select g, random() as r from generate_series(1, ${CALLS}::int) g) x
    ) s`)
  await phase('offers (call steps)', 'call_events', sql`
    insert into call_events (call_id, at, kind, agent_id)
    select id, offered_at, 'offered', agent_id from calls
    union all
    select id, offered_at + interval '20 seconds', 'offer-failed', agent_id from calls where outcome in ('missed', 'busy')`)
  await phase('leads', 'leads', sql`
    insert into leads (id, phone, line_number, source, campaign, cost, agent_id, customer_id, status, lost_reason, created_at, converted_at, lost_at)
    select g, '+7901' || lpad(g::text, 7, '0'), '+749500000' || (g * 20 % 5),
      (array['yandex-direct','google-ads','website','partners','tv'])[g * 20 % 5 + 1], (array['spring','launch','organic','partner','tv'])[g * 20 % 5 + 1],
      (array[1200, 900, 0, 500, 2000])[g * 20 % 5 + 1], 'b-' || (g % 50 + 1),
      case when g % 10 = 0 then g / 10 end, case when g % 10 = 0 then 'converted' when g % 7 = 0 then 'lost' else 'new' end,
      case when g % 10 <> 0 and g % 7 = 0 then (array['price','competitor','no-need','timing'])[g % 4 + 1] end,
      ${START}::timestamptz + make_interval(secs => g * 20 * ${step}::float8),
      case when g % 10 = 0 then ${START}::timestamptz + make_interval(secs => g * 20 * ${step}::float8) + interval '3 days' end,
      case when g % 10 <> 0 and g % 7 = 0 then ${START}::timestamptz + make_interval(secs => g * 20 * ${step}::float8) + interval '5 days' end
    from generate_series(1, ${Math.floor(CALLS / 20)}::int) g`)
  await phase('tasks and deals', 'tasks', sql`
    insert into tasks (kind, title, assignee_agent_id, due_at, status, done_at)
    select 'callback', 'Call back', 'b-' || (g % 50 + 1), ${START}::timestamptz + make_interval(secs => g * 50 * ${step}::float8),
      case when g % 4 = 0 then 'open' else 'done' end,
      case when g % 4 <> 0 then ${START}::timestamptz + make_interval(secs => g * 50 * ${step}::float8 + (g % 7200)) end
    from generate_series(1, ${Math.floor(CALLS / 50)}::int) g`,
    sql`insert into deals (customer_id, title, stage, status, lost_reason, closed_at, created_at, updated_at)
    select g % 50000 + 1, 'Deal ' || g, (array['interest','invoice','agreement','offer','done','paid'])[g % 6 + 1],
      case when g % 6 = 5 then 'won' when g % 3 = 0 then 'lost' else 'open' end,
      case when g % 6 <> 5 and g % 3 = 0 then (array['price','competitor','no-need','timing'])[g % 4 + 1] end,
      ${START}::timestamptz + make_interval(secs => g * 100 * ${step}::float8),
      ${START}::timestamptz + make_interval(secs => g * 100 * ${step}::float8), now()
    from generate_series(1, ${Math.floor(CALLS / 100)}::int) g`)
  // VACUUM sets the visibility map: without it an index-only scan still reads every heap page.
  await sql`vacuum analyze`.execute(db)
  console.log(`generated in ${((performance.now() - started) / 1000).toFixed(0)} s`)
}

async function time(name: string, run: () => Promise<unknown[]>): Promise<void> {
  const runs = Number(args.runs)
  const samples: number[] = []
  let rows = 0
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    rows = (await run()).length
    samples.push(performance.now() - t0)
  }
  samples.sort((a, b) => a - b)
  console.log(`${name.padEnd(34)} rows ${String(rows).padStart(3)}  median ${samples[Math.floor(runs / 2)]!.toFixed(0).padStart(6)} ms  max ${samples.at(-1)!.toFixed(0).padStart(6)} ms`)
}

await prepareSchema()
const database = await openDatabase({ url, dataDir: '', poolSize: 2, timeoutMs: 60_000, schema: SCHEMA })
await migrate(database.db, new URL('../sql/', import.meta.url).pathname)
// Generating runs for minutes on a busy machine: on a connection without the pool's statement timeout.
const generator = await database.unhurried()
await generate(generator.db).finally(() => generator.close())
// Ranges end mid-day, so each has two partial days read from the records themselves.
const end = new Date('2025-11-30T13:37:00Z')
const now = Date.parse('2025-12-31T00:00:00Z')
for (const days of [1, 7, 30, 90, 365]) {
  const req = <G extends string>(groupBy: G): ReportRequest<G> => ({ from: new Date(end.getTime() - days * 86_400_000), to: end, groupBy, format: 'json' })
  console.log(`\n${days} day(s), about ${Math.round((CALLS / DAYS) * days).toLocaleString('en')} calls:`)
  await time('sources by source', () => reportRows(database.db, sourcesReport(database.db, req('source'))))
  await time('sources by line', () => reportRows(database.db, sourcesReport(database.db, req('line'))))
  await time('agents', () => reportRows(database.db, agentsReport(database.db, req('agent'), now)))
  await time('losses by step', () => reportRows(database.db, lossesReport(database.db, req('step'))))
}
await database.close()
