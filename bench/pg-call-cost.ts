/**
 * What a call costs PostgreSQL for its record, lead and call-back task, step by
 * step: the statements the server runs for a batch of calls, with the CPU of
 * the backend running them (from /proc) and, in a second pass, each statement's
 * time and its triggers' from auto_explain (EXPLAIN ANALYZE, BUFFERS, nested
 * statements; loaded for this session only, plans sent to this client).
 * The same work done one call at a time is measured beside it, with the CPU
 * this process (the server's side: driver, query building) spent on it.
 *
 *   npm run bench:pg-cost [-- --calls 500]
 *
 * Runs on the schema of bench:sip (1 M customers, 10,000 agents; run that
 * first) and removes what it wrote.
 */
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { writeCallRecords } from '../src/calls/call-record.repository.js'
import type { CallRecord } from '../src/calls/call-record.js'
import { findOrCreateLead, findOrCreateLeads, linkCallToLead, linkCallsToLeads } from '../src/crm/lead.repository.js'
import { migrate } from '../src/crm/migrate.js'
import type { Database } from '../src/crm/schema.js'
import { openCallBackTask } from '../src/crm/task-callback.repository.js'
import { closeCallBackTasksOf, openCallBackTasks } from '../src/crm/task.repository.js'

const { values: args } = parseArgs({ options: { calls: { type: 'string', default: '500' } } })
const N = Number(args.calls)
const ONE_BY_ONE = Math.min(100, N)
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const SCHEMA = 'bench_sip'
const notices: string[] = []
const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${SCHEMA}` })
pool.on('connect', (client) => client.on('notice', (msg) => notices.push(msg.message ?? '')))
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
await migrate(db, fileURLToPath(new URL('../sql/', import.meta.url)))
const backend = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!.pid
const cpuMs = () => {
  const f = readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(f[11]) + Number(f[12])) * 10
}
console.log(`PostgreSQL cost per call: ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, batches of ${N}, one by one ×${ONE_BY_ONE}`)

const phones = (await sql<{ phone: string }>`select phone from customer_phones tablesample system (1) limit ${N}`.execute(db)).rows.map((r) => r.phone)
const agents = (await sql<{ id: string }>`select id from agents order by random() limit 2000`.execute(db)).rows.map((r) => r.id)
let serial = 0
const run = Date.now().toString(36)

/** Calls as the SIP redirect path records them (80 % known callers), or as the HTTP path with answered and missed ends. */
function records(count: number, outcomes: 'redirected' | 'mixed'): CallRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const at = Date.parse('2026-11-23T08:00:00Z') + i * 10
    const known = i % 5 !== 0
    const outcome = outcomes === 'redirected' ? 'redirected' : i % 3 === 0 ? 'missed' : 'answered'
    const agentId = agents[i % agents.length]!
    const id = `pgcost-${run}-${++serial}`
    return {
      id, kind: 'call', channel: 'sip', direction: 'inbound', caller: known ? phones[i % phones.length]! : `+7909${String(serial).padStart(7, '0')}`,
      callerName: null, dialed: '+74951234567', customerId: null, leadId: null, agentId, rule: 'vip-owner', source: 'website', campaign: 'organic',
      outcome, endCause: null, finalAction: null, degraded: false, offeredAt: at, routedAt: at, ringingAt: null,
      answeredAt: outcome === 'answered' ? at + 4000 : null, endedAt: at + 60_000, trace: null,
      steps: [
        { at, kind: 'routed', agentId, data: { rule: 'vip-owner' } },
        { at, kind: 'offered', agentId, data: { ringSeconds: 20 } },
        { at: at + 60_000, kind: 'ended', agentId: null, data: { outcome } }
      ]
    } satisfies CallRecord
  })
}

const origin = (r: CallRecord) => ({ phone: r.caller, line: null, agentId: r.agentId, callId: r.id, at: r.offeredAt })
const unknown = (rs: CallRecord[]) => rs.filter((r) => r.caller!.startsWith('+7909'))
const steps: [string, (rs: CallRecord[]) => Promise<unknown>, (r: CallRecord) => Promise<unknown>][] = [
  ['call records and steps', (rs) => writeCallRecords(db, rs), (r) => writeCallRecords(db, [r])],
  ['leads of unknown callers', async (rs) => {
    const found = await findOrCreateLeads(db, unknown(rs).map(origin))
    await linkCallsToLeads(db, found.map((f, i) => ({ callId: unknown(rs)[i]!.id, leadId: f.lead.id })))
  }, async (r) => {
    if (!unknown([r]).length) return
    const { lead } = await findOrCreateLead(db, origin(r))
    await linkCallToLead(db, r.id, lead.id)
  }],
  ['call-back tasks (missed calls)', (rs) => openCallBackTasks(db, unknown(rs).map((r) => ({ customerId: null, assigneeAgentId: r.agentId, title: 'Call back', dueAt: r.endedAt!, callId: r.id, leadId: leadOf(r).leadId })).filter((o) => o.leadId !== null)),
    async (r) => { const o = leadOf(r); if (o.leadId !== null) await openCallBackTask(db, { customerId: null, assigneeAgentId: r.agentId, title: 'Call back', dueAt: r.endedAt!, callId: r.id, ...o }) }],
  ['closing call-back tasks (answered)', (rs) => closeCallBackTasksOf(db, rs.map((r) => ({ callId: r.id, customerId: null, phone: r.caller, at: r.endedAt! }))),
    (r) => closeCallBackTasksOf(db, [{ callId: r.id, customerId: null, phone: r.caller, at: r.endedAt! }])]
]
const leads = new Map<string, number>()
function leadOf(r: CallRecord): { leadId: number | null } {
  return { leadId: leads.get(r.caller!) ?? null }
}

async function remember(rs: CallRecord[]): Promise<void> {
  const rows = await db.selectFrom('leads').select(['id', 'phone']).where('phone', 'in', unknown(rs).map((r) => r.caller!)).execute()
  for (const row of rows) leads.set(row.phone!, Number(row.id))
}

for (const outcomes of ['redirected', 'mixed'] as const) {
  console.log(`\n${outcomes === 'redirected' ? 'SIP redirect calls (outcome redirected)' : 'HTTP calls (a third missed, the rest answered)'}: backend CPU per call`)
  const batch = records(N, outcomes)
  const single = records(ONE_BY_ONE, outcomes)
  for (const [name, many, one] of steps) {
    if (outcomes === 'redirected' && name.startsWith('call-back')) continue
    if (name.startsWith('call-back')) await Promise.all([remember(batch), remember(single)])
    let c0 = cpuMs()
    let t0 = performance.now()
    await many(batch)
    const batchCpu = ((cpuMs() - c0) * 1000) / N
    const batchWall = ((performance.now() - t0) * 1000) / N
    c0 = cpuMs()
    t0 = performance.now()
    const own = process.cpuUsage()
    for (const r of single) await one(r)
    const ownUs = process.cpuUsage(own)
    const oneCpu = ((cpuMs() - c0) * 1000) / ONE_BY_ONE
    const oneWall = ((performance.now() - t0) * 1000) / ONE_BY_ONE
    const oneClient = (ownUs.user + ownUs.system) / ONE_BY_ONE
    console.log(
      `  ${name.padEnd(36)} batched ${String(Math.round(batchCpu)).padStart(5)} µs CPU (${Math.round(batchWall)} µs wall)   ` +
        `one by one ${String(Math.round(oneCpu)).padStart(5)} µs CPU (${Math.round(oneWall)} µs wall; this process ${Math.round(oneClient)} µs)`
    )
  }
}

// Second pass: what each statement of a batch spends, triggers apart.
await sql`load 'auto_explain'`.execute(db)
for (const setting of ['log_min_duration = 0', 'log_analyze = on', 'log_buffers = on', 'log_nested_statements = on', 'log_timing = on', "log_level = 'notice'"]) await sql.raw(`set auto_explain.${setting}`).execute(db)
console.log(`\nstatements of one batch of ${N} HTTP calls (auto_explain, EXPLAIN ANALYZE BUFFERS; nested statements are inside the ones above them):`)
const batch = records(N, 'mixed')
for (const [name, many] of steps) {
  if (name.startsWith('call-back')) await remember(batch)
  notices.length = 0
  await many(batch)
  console.log(`  ${name}:`)
  // Foreign-key checks and the histogram functions' own statements are one nested statement per row or group: summed, not listed.
  let checks = 0
  let checksMs = 0
  let small = 0
  let smallMs = 0
  for (const notice of notices) {
    const ms = Number(/duration: ([\d.]+) ms/.exec(notice)?.[1] ?? 0)
    if (notice.includes('FOR KEY SHARE')) {
      checks++
      checksMs += ms
      continue
    }
    if (ms < 0.05) {
      small++
      smallMs += ms
      continue
    }
    const duration = /duration: ([\d.]+) ms/.exec(notice)?.[1]
    const query = /Query Text: ([\s\S]*?)\n(?!\s)/.exec(notice)?.[1]?.replace(/\s+/g, ' ').trim().slice(0, 90)
    const triggers = [...notice.matchAll(/Trigger (\S+): time=([\d.]+) calls=(\d+)/g)].map((m) => `${m[1]} ${m[2]} ms`)
    const rows = /\(actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/.exec(notice)?.[1]
    if (duration) console.log(`    ${duration.padStart(8)} ms  rows ${String(rows ?? '?').padStart(5)}  ${query ?? ''}${triggers.length ? `  [${triggers.join(', ')}]` : ''}`)
  }
  if (checks > 0) console.log(`    ${checksMs.toFixed(3).padStart(8)} ms  foreign-key checks ×${checks} (inside the statements above)`)
  if (small > 0) console.log(`    ${smallMs.toFixed(3).padStart(8)} ms  statements under 0.05 ms ×${small} (inside the statements above: histogram functions)`)
}
await sql`set auto_explain.log_min_duration = -1`.execute(db)

// Remove what was written (the roll-ups follow through their triggers).
await sql`delete from tasks where call_id like ${`pgcost-${run}-%`}`.execute(db)
await sql`delete from call_events where call_id like ${`pgcost-${run}-%`}`.execute(db)
await sql`delete from calls where id like ${`pgcost-${run}-%`}`.execute(db)
await sql`delete from leads where first_call_id like ${`pgcost-${run}-%`}`.execute(db)
await db.destroy()
