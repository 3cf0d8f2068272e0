import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { CrmDatabase } from '../src/crm/database.js'
import { migrate } from '../src/crm/migrate.js'
import type { Database } from '../src/crm/schema.js'

/**
 * A large, deterministic CRM for the benchmarks, generated inside PostgreSQL
 * (generate_series and hashint8 arithmetic; sending rows from Node would be
 * far slower). Every value is a function of its row number, so the benchmark
 * can compute which customer owns phone number j without asking the database.
 *
 * Per customer on average: 1.5 phones, 3 calls, 1 deal, 2 orders, 2 payments
 * and about 0.45 tasks. One customer in twelve has an unpaid, overdue payment.
 */

/** Bump when the shape of the generated data changes: a stored set of another version is rebuilt. */
export const GENERATOR_VERSION = 1

export interface CrmSize {
  customers: number
  /** At least `customers` and at most twice as many: every customer has one number, some two. */
  phones: number
  agents: number
}

const MOBILE_CODES = ['916', '903', '926', '915', '905', '985', '967', '977', '999', '925']

/**
 * Phone number j in E.164. j ↦ (code, suffix) is a bijection (the suffix
 * multiplier is coprime with 10^7), so numbers are unique for j < 10^8 and
 * every j at or past `size.phones` is a number nobody has.
 */
export function benchPhone(j: number): string {
  return `+7${MOBILE_CODES[j % 10]}${String((Math.floor(j / 10) * 3_874_207) % 10_000_000).padStart(7, '0')}`
}

/** The customer who owns phone number j: the first `customers` numbers go one each, the rest to every other customer. */
export function ownerOfPhone(j: number, size: CrmSize): number {
  return j < size.customers ? j + 1 : ((j - size.customers) * 2) % size.customers + 1
}

/** The size a stored data set was generated at, or null when there is none of this generator version. */
export async function storedSize(db: Kysely<Database>): Promise<CrmSize | null> {
  const exists = await sql<{ found: boolean }>`select to_regclass('bench_generated') is not null as found`.execute(db)
  if (!exists.rows[0]?.found) return null
  const row = await sql<CrmSize & { version: number }>`select customers, phones, agents, version from bench_generated`.execute(db)
  const stored = row.rows[0]
  return stored && stored.version === GENERATOR_VERSION ? { customers: stored.customers, phones: stored.phones, agents: stored.agents } : null
}

/** True when `schema` (the search path of `db`) already holds a data set of exactly this size, to be reused. */
export async function holdsDataSet(db: Kysely<Database>, schema: string, size: CrmSize): Promise<boolean> {
  const stored = await sql<{ found: boolean }>`select exists (select 1 from pg_namespace where nspname = ${schema}) as found`.execute(db)
  const found = stored.rows[0]?.found ? await storedSize(db) : null
  return found !== null && found.customers === size.customers && found.phones === size.phones && found.agents === size.agents
}

/**
 * Rebuilds the schema of `database` (which must be a schema of its own) at
 * `size`: migrations, then the rows, then indexes and foreign keys, then
 * VACUUM ANALYZE. Foreign keys and secondary indexes are dropped while loading
 * and rebuilt afterwards, exactly as the migrations define them; loading runs
 * on two connections at once. Returns the seconds each phase took.
 */
export async function generateCrm(database: CrmDatabase, schema: string, migrationsDir: string, size: CrmSize, log: (line: string) => void): Promise<Record<string, number>> {
  if (size.phones < size.customers || size.phones > 2 * size.customers) throw new Error('phones must be between customers and twice customers')
  const { db } = database
  const timings: Record<string, number> = {}
  const timed = async (name: string, run: () => Promise<unknown>) => {
    const started = performance.now()
    await run()
    timings[name] = (performance.now() - started) / 1000
    log(`  ${name.padEnd(28)} ${timings[name]!.toFixed(1).padStart(7)} s`)
  }
  const exec = (query: RawBuilder<unknown>) =>
    db.connection().execute(async (conn) => {
      await sql`set statement_timeout = 0`.execute(conn)
      await sql`set maintenance_work_mem = '512MB'`.execute(conn)
      await sql`set synchronous_commit = off`.execute(conn)
      await query.execute(conn)
    })

  await timed('schema and migrations', async () => {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db)
    await sql`create schema ${sql.id(schema)}`.execute(db)
    await migrate(db, migrationsDir)
    await defineFunctions(db)
  })
  const { indexes, foreignKeys } = await dropIndexesAndForeignKeys(db, schema)
  // The report roll-ups are kept by triggers that need their indexes: built once at the end instead.
  await sql`alter table calls disable trigger user`.execute(db)
  await sql`alter table call_events disable trigger user`.execute(db)

  const { customers: N, phones: P, agents: A } = size
  await timed('directory (teams, agents)', () => exec(directorySql(A)))
  // Two connections, one per core, each taking the next job as it finishes; the largest jobs go first.
  const half = Math.ceil(N / 2)
  await timed('rows (2 connections)', () =>
    inLanes([
      () => timed('calls, first half', () => exec(callsSql(1, half, A))),
      () => timed('calls, second half', () => exec(callsSql(half + 1, N, A))),
      () => timed('customers', () => exec(customersSql(N, A))),
      () => timed('customer_phones', () => exec(phonesSql(N, P))),
      () => timed('deals', () => exec(dealsSql(N))),
      () => timed('payments', () => exec(paymentsSql(N))),
      () => timed('orders', () => exec(ordersSql(N))),
      () => timed('tasks', () => exec(tasksSql(N, A)))
    ])
  )
  await timed('sequences', () => exec(sql`select setval(pg_get_serial_sequence('customers', 'id'), ${N}::bigint), setval(pg_get_serial_sequence('orders', 'id'), ${4 * N}::bigint)`))
  await timed('indexes (2 connections)', () => inLanes(indexes.map((i) => () => exec(sql.raw(i)))))
  await timed('foreign keys', () => inLanes(foreignKeys.map((fk) => () => exec(sql.raw(fk)))))
  await sql`alter table calls enable trigger user`.execute(db)
  await sql`alter table call_events enable trigger user`.execute(db)
  await timed('report roll-ups', () => exec(sql`select report_rollups_rebuild()`))
  await timed('vacuum analyze', () => inLanes(TABLES.map((table) => () => exec(sql`vacuum analyze ${sql.id(table)}`))))
  await exec(sql`create table bench_generated as select ${N}::int as customers, ${P}::int as phones, ${A}::int as agents, ${GENERATOR_VERSION}::int as version, now() as generated_at`)
  return timings
}

const TABLES = ['teams', 'agents', 'skills', 'agent_skills', 'customers', 'customer_phones', 'calls', 'deals', 'orders', 'payments', 'tasks']

async function inLanes(jobs: (() => Promise<unknown>)[], lanes = 2): Promise<void> {
  const queue = [...jobs]
  await Promise.all(Array.from({ length: lanes }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job()
  }))
}

/** Drops the secondary indexes and the foreign keys of `schema`, returning the statements that bring them back. */
async function dropIndexesAndForeignKeys(db: Kysely<Database>, schema: string): Promise<{ indexes: string[]; foreignKeys: string[] }> {
  const fks = await sql<{ tbl: string; name: string; def: string }>`
    select conrelid::regclass::text as tbl, conname as name, pg_get_constraintdef(oid) as def
    from pg_constraint where contype = 'f' and connamespace = ${schema}::regnamespace`.execute(db)
  const idx = await sql<{ name: string; def: string }>`
    select i.indexname as name, i.indexdef as def from pg_indexes i
    where i.schemaname = ${schema}
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname and c.connamespace = ${schema}::regnamespace)`.execute(db)
  for (const fk of fks.rows) await sql`alter table ${sql.raw(fk.tbl)} drop constraint ${sql.id(fk.name)}`.execute(db)
  for (const i of idx.rows) await sql`drop index ${sql.id(schema, i.name)}`.execute(db)
  return {
    indexes: idx.rows.map((i) => i.def),
    foreignKeys: fks.rows.map((fk) => `alter table ${fk.tbl} add constraint ${fk.name} ${fk.def}`)
  }
}

/**
 * Row-number arithmetic shared by every table, as inlinable SQL functions:
 * h(x, n) is a well-spread integer in 0..n-1; a call is (customer i, c-th newest).
 */
async function defineFunctions(db: Kysely<Database>): Promise<void> {
  await sql`create function h(x bigint, n int) returns int language sql immutable parallel safe
    as $$ select ((hashint8(x)::bigint + 2147483648) % n)::int $$`.execute(db)
  await sql`create function agent_id(k int) returns text language sql immutable parallel safe
    as $$ select 'b-' || lpad((k + 1)::text, 4, '0') $$`.execute(db)
  await sql`create function call_count(i bigint) returns int language sql immutable parallel safe
    as $$ select h(i * 64 + 10, 7) $$`.execute(db)
  await sql`create function call_outcome(i bigint, c int) returns text language sql immutable parallel safe
    as $$ select case when h((i * 16 + c) * 64 + 1, 100) < 75 then 'answered' when h((i * 16 + c) * 64 + 1, 100) < 90 then 'missed' else 'abandoned' end $$`.execute(db)
  await sql`create function call_agent(i bigint, c int, agents int) returns text language sql immutable parallel safe
    as $$ select case when call_outcome(i, c) = 'abandoned' then null
                      when h(i * 64 + 6, 100) < 65 then agent_id(h(i * 64 + 5, agents))
                      else agent_id(h((i * 16 + c) * 64 + 2, agents)) end $$`.execute(db)
  // The c-th newest call is 10c+1 .. 10c+10 days old, in Moscow business hours (06:00-16:00 UTC).
  await sql`create function call_at(i bigint, c int, today date) returns timestamptz language sql immutable parallel safe
    as $$ select (today - (c * 10 + 1 + h((i * 16 + c) * 64 + 3, 10)))::timestamp at time zone 'UTC'
                 + make_interval(secs => 21600 + h((i * 16 + c) * 64 + 4, 36000)) $$`.execute(db)
  await sql`create function call_wait(i bigint, c int) returns numeric language sql immutable parallel safe
    as $$ select (3000 + h((i * 16 + c) * 64 + 5, 40000)) / 1000.0 $$`.execute(db)
  await sql`create function order_count(i bigint) returns int language sql immutable parallel safe
    as $$ select h(i * 64 + 12, 5) $$`.execute(db)
  // The o-th newest order is 60o+15 .. 60o+74 days old; its payment is due 14 days later.
  await sql`create function order_age(i bigint, o int) returns int language sql immutable parallel safe
    as $$ select o * 60 + 15 + h((i * 16 + o) * 64 + 7, 60) $$`.execute(db)
  await sql`create function order_amount(i bigint, o int) returns numeric language sql immutable parallel safe
    as $$ select (10 + h((i * 16 + o) * 64 + 8, 2000)) * 100 $$`.execute(db)
  await sql`create function debtor(i bigint) returns boolean language sql immutable parallel safe
    as $$ select h(i * 64 + 13, 12) = 0 and order_count(i) > 0 $$`.execute(db)
}

const TODAY = sql`current_date`
const NAMES_FIRST = `array['Ivan','Sergei','Dmitri','Andrei','Mikhail','Pavel','Artem','Oleg','Maria','Olga','Natalia','Tatiana','Irina','Elena','Anna','James','Emily']`
const NAMES_LAST = `array['Petrov','Ivanov','Smirnov','Kuznetsov','Popov','Sokolov','Lebedev','Kozlov','Novikov','Morozov','Volkov','Orlov','Smith','Brown','Taylor']`

function directorySql(agents: number): RawBuilder<unknown> {
  return sql`
    with t as (
      insert into teams (id, name) values ('sales', 'Sales'), ('vip-desk', 'VIP desk'), ('collections', 'Collections'), ('support', 'Support') returning id
    ), s as (
      insert into skills (id) values ('product:crm'), ('product:telephony'), ('product:analytics'), ('lang:en'), ('lang:ru'), ('billing') returning id
    ), a as (
      insert into agents (id, name, sip_uri, extension, team_id)
      select agent_id(k), 'Agent ' || k, 'sip:agent' || k || '@pbx.example.com', (2000 + k)::text,
             (array['sales', 'vip-desk', 'collections', 'support'])[1 + k % 4]
      from generate_series(0, ${agents - 1}::int) k
      returning id
    )
    insert into agent_skills (agent_id, skill_id, proficiency)
    select agent_id(k), skill, 1 + h(k * 64 + n, 10)
    from generate_series(0, ${agents - 1}::int) k,
         unnest(array['product:crm', 'product:telephony', 'product:analytics', 'lang:en', 'lang:ru', 'billing']) with ordinality as s(skill, n)
    where h(k * 64 + n + 8, 3) > 0 or skill = 'lang:ru'`
}

function customersSql(n: number, agents: number): RawBuilder<unknown> {
  return sql`
    insert into customers (id, name, company, owner_agent_id, tier, segment, language, needs, purchase_volume, seasonality,
                           overdue_amount, overdue_days, refusal_reasons, blocked, last_agent_id, last_contact_at)
    select i,
      (${sql.raw(NAMES_FIRST)})[1 + h(i * 64 + 1, 17)] || ' ' || (${sql.raw(NAMES_LAST)})[1 + h(i * 64 + 2, 15)],
      case when h(i * 64 + 3, 100) < 60 then 'Company ' || h(i * 64 + 4, 100000) end,
      case when h(i * 64 + 6, 100) < 92 then agent_id(h(i * 64 + 5, ${agents}::int)) end,
      case when h(i * 64 + 7, 100) < 8 then 'vip' when h(i * 64 + 7, 100) < 30 then 'gold' else 'standard' end,
      (array['enterprise', 'smb', 'smb', 'individual'])[1 + h(i * 64 + 8, 4)],
      case when h(i * 64 + 9, 100) < 12 then 'en' else 'ru' end,
      array[(array['CRM for the sales team', 'cloud telephony with call recording', 'sales analytics dashboards'])[1 + h(i * 64 + 11, 3)]],
      (h(i * 64 + 14, 100000) * 100)::numeric,
      (array['year-round', 'peaks in Q4', 'spring and autumn', null])[1 + h(i * 64 + 15, 4)],
      case when debtor(i) then order_amount(i, 0) else 0 end,
      case when debtor(i) then order_age(i, 0) - 14 else 0 end,
      case when h(i * 64 + 16, 100) < 15 then array[(array['price too high', 'chose a competitor', 'no budget this quarter'])[1 + h(i * 64 + 17, 3)]] else '{}' end,
      h(i * 64 + 18, 1000) = 0,
      call_agent(i, last.c, ${agents}::int),
      call_at(i, last.c, ${TODAY}) + make_interval(secs => call_wait(i, last.c))
    from generate_series(1, ${n}::int) i
    left join lateral (
      select c from generate_series(0, call_count(i) - 1) c where call_outcome(i, c) = 'answered' order by c limit 1
    ) last on true`
}

function phonesSql(n: number, phones: number): RawBuilder<unknown> {
  return sql`
    insert into customer_phones (phone, customer_id, kind)
    select '+7' || (array[${sql.join(MOBILE_CODES)}]::text[])[1 + j % 10] || lpad(((j / 10) * 3874207 % 10000000)::text, 7, '0'),
           case when j < ${n}::bigint then j + 1 else ((j - ${n}::bigint) * 2) % ${n}::bigint + 1 end,
           case when j < ${n}::bigint then 'mobile' else 'work' end
    from generate_series(0::bigint, ${phones - 1}::bigint) j`
}

function callsSql(from: number, to: number, agents: number): RawBuilder<unknown> {
  // OFFSET 0 keeps the per-call values computed once instead of inlined into every column.
  return sql`
    insert into calls (id, channel, caller, dialed, customer_id, agent_id, outcome, offered_at, routed_at, ringing_at, answered_at, ended_at, wait_seconds, talk_seconds)
    select 'b' || i || '-' || c, 'sip', null,
           (array['+74951234567', '+74951234568', '+78005553535'])[1 + h((i * 16 + c) * 64 + 9, 3)],
           i, call_agent(i, c, ${agents}::int), outcome, at, at + interval '50 ms',
           case when outcome <> 'abandoned' then at + interval '300 ms' end,
           case when outcome = 'answered' then at + make_interval(secs => wait) end,
           at + make_interval(secs => wait + case when outcome = 'answered' then talk else 0 end),
           wait,
           case when outcome = 'answered' then talk end
    from generate_series(${from}::int, ${to}::int) i
    cross join lateral generate_series(0, call_count(i) - 1) c
    cross join lateral (
      select call_outcome(i, c) as outcome, call_at(i, c, ${TODAY}) as at, call_wait(i, c) as wait, (30 + h((i * 16 + c) * 64 + 6, 900))::numeric as talk
      offset 0
    ) k`
}

function dealsSql(n: number): RawBuilder<unknown> {
  return sql`
    insert into deals (customer_id, title, stage, status, amount, lost_reason, created_at, updated_at)
    select i, 'Deal ' || i || '-' || d,
           case when is_open then (array['interest', 'offer', 'agreement', 'invoice'])[1 + h((i * 16 + d) * 64 + 11, 4)]
                when is_won then (array['done', 'paid'])[1 + h((i * 16 + d) * 64 + 12, 2)]
                else (array['interest', 'offer', 'agreement', 'invoice'])[1 + h((i * 16 + d) * 64 + 13, 4)] end,
           case when is_open then 'open' when is_won then 'won' else 'lost' end,
           (10 + h((i * 16 + d) * 64 + 14, 5000)) * 1000,
           case when not is_open and not is_won then 'price too high' end,
           now() - make_interval(days => d * 90 + 30 + h((i * 16 + d) * 64 + 15, 30)),
           now() - make_interval(days => d * 90 + h((i * 16 + d) * 64 + 15, 30))
    from generate_series(1, ${n}::int) i
    cross join lateral generate_series(0, h(i * 64 + 19, 3) - 1) d
    cross join lateral (select d = 0 and h((i * 16 + d) * 64 + 10, 100) < 50 as is_open, h((i * 16 + d) * 64 + 16, 100) < 65 as is_won) k`
}

function ordersSql(n: number): RawBuilder<unknown> {
  return sql`
    insert into orders (id, customer_id, product, amount, ordered_at)
    select (i - 1) * 4 + o + 1, i,
           (array['CRM Professional licence', 'Cloud telephony lines', 'Analytics add-on'])[1 + h((i * 16 + o) * 64 + 17, 3)],
           order_amount(i, o), (${TODAY} - order_age(i, o))::timestamp at time zone 'UTC' + interval '8 hours'
    from generate_series(1, ${n}::int) i
    cross join lateral generate_series(0, order_count(i) - 1) o`
}

function paymentsSql(n: number): RawBuilder<unknown> {
  return sql`
    insert into payments (customer_id, order_id, amount, due_date, paid_date)
    select i, (i - 1) * 4 + o + 1, order_amount(i, o), ${TODAY} - order_age(i, o) + 14,
           case when o = 0 and debtor(i) then null else ${TODAY} - order_age(i, o) + 12 end
    from generate_series(1, ${n}::int) i
    cross join lateral generate_series(0, order_count(i) - 1) o`
}

function tasksSql(n: number, agents: number): RawBuilder<unknown> {
  return sql`
    insert into tasks (kind, customer_id, assignee_agent_id, title, due_at, status, created_at, done_at)
    select 'callback', i, coalesce(case when h(i * 64 + 6, 100) < 92 then agent_id(h(i * 64 + 5, ${agents}::int)) end, call_agent(i, 0, ${agents}::int)),
           'Call back: ' || call_outcome(i, 0) || ' call', call_at(i, 0, ${TODAY}) + interval '2 hours', 'open', call_at(i, 0, ${TODAY}), null
    from generate_series(1, ${n}::int) i
    where call_count(i) > 0 and call_outcome(i, 0) <> 'answered'
    union all
    select 'reminder', i, agent_id(h(i * 64 + 5, ${agents}::int)), 'Quarterly check-in',
           now() - make_interval(days => 20 + h(i * 64 + 20, 60)), 'done', now() - make_interval(days => 90), now() - make_interval(days => 20)
    from generate_series(1, ${n}::int) i
    where h(i * 64 + 21, 4) = 0`
}
