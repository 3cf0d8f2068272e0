/**
 * `npm run bench:preview`: replays 1,000,000 past calls with 10,000 agents through a rule set,
 * from PostgreSQL, and prints the time, throughput, CPU per call and memory (target: ≤ 60 s,
 * memory bounded). The week of calls is made first by the real CallRouter with the availability
 * observer logging every change (as the server does), and written to a schema of its own.
 * Then: p50/p99 of one replayed decision, and the live route() with and without the observer.
 *
 * BENCH_DATABASE_URL (default: the tests' database), PREVIEW_CALLS (default 1,000,000);
 * PREVIEW_REUSE=true replays the calls a previous run kept (BENCH_KEEP=true), so that the memory
 * figure is the replay's alone.
 */
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import pino from 'pino'
import { openDatabase } from '../src/crm/database.js'
import { migrate } from '../src/crm/migrate.js'
import { AvailabilityObserver } from '../src/presence/availability-log.js'
import { insertAvailabilityRows } from '../src/presence/availability-log-writer.js'
import { insertCallFacts } from '../src/preview/facts-recorder.js'
import { runPreview } from '../src/preview/preview.js'
import { summarize as decided, type AvailabilityRow, type CallFacts } from '../src/preview/types.js'
import { AgentIndex, CallRouter, decide, type RuleSet } from '../src/routing/index.js'
import { buildAgents, buildCalls, buildLines, buildRuleSet, loadAgents, seededRandom, START } from './routing-fixture.js'
import { formatBytes, summarize } from './stats.js'

const URL_ = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const CALLS = Number(process.env.PREVIEW_CALLS ?? 1_000_000)
const SCHEMA = 'bench_preview'
const GAP_MS = Math.floor((7 * 86_400_000) / CALLS)

console.log(`bench:preview ${new Date().toISOString()}, node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
const REUSE = process.env.PREVIEW_REUSE === 'true'
const admin = new pg.Client({ connectionString: URL_ })
await admin.connect()
if (!REUSE) await admin.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`)
const appUrl = new URL(URL_)
appUrl.searchParams.set('application_name', 'bench-preview')
const database = await openDatabase({ url: appUrl.toString(), dataDir: '', poolSize: 4, timeoutMs: 10_000, schema: SCHEMA })
if (!REUSE) await migrate(database.db, new URL('../sql/', import.meta.url).pathname)
const db = database.db

/** CPU seconds used so far by this benchmark's PostgreSQL backends (from /proc; 0 where unreadable). */
async function postgresCpuSeconds(): Promise<number> {
  const { rows } = await admin.query<{ pid: number }>(`select pid from pg_stat_activity where application_name = 'bench-preview'`)
  let ticks = 0
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // A backend gone meanwhile, or another machine's: not counted.
    }
  }
  return ticks / 100
}

const rnd = seededRandom(42)
const agents = buildAgents(rnd)
const lines = buildLines(rnd)
const rules: RuleSet = buildRuleSet('longest-idle', lines, rnd)
const templates = buildCalls(rnd, agents, lines)

if (!REUSE) await makeWeek()

// 2. The preview: streamed from PostgreSQL through the same rules (an unchanged copy).
let peakRss = 0
let peakHeap = 0
const sampler = setInterval(() => {
  const m = process.memoryUsage()
  peakRss = Math.max(peakRss, m.rss)
  peakHeap = Math.max(peakHeap, m.heapUsed)
}, 100)
await runPreview(db, rules, { from: START, to: START + 1 })
const rssBefore = process.memoryUsage().rss
const pgCpu0 = await postgresCpuSeconds()
const cpu0 = process.cpuUsage()
const t0 = performance.now()
const report = await runPreview(db, rules, { from: START, to: START + 8 * 86_400_000 })
const seconds = (performance.now() - t0) / 1000
const cpu = process.cpuUsage(cpu0)
clearInterval(sampler)
const pgCpuMs = ((await postgresCpuSeconds()) - pgCpu0) * 1000
const cpuMs = (cpu.user + cpu.system) / 1000
console.log(`\npreview of ${report.replayed} calls (${report.availability.rowsApplied} availability rows applied), same rules: changed ${report.changed}, unchanged ${report.unchanged}`)
console.log(`  time ${seconds.toFixed(1)} s (target ≤ 60 s), ${Math.round(report.replayed / seconds)} calls/s`)
console.log(`  CPU: replaying process ${(cpuMs / 1000).toFixed(1)} s (${((cpuMs * 1000) / report.replayed).toFixed(1)} µs per call), PostgreSQL backends ${(pgCpuMs / 1000).toFixed(1)} s (${((pgCpuMs * 1000) / report.replayed).toFixed(1)} µs per call)`)
console.log(`  memory: RSS ${formatBytes(rssBefore)} before, peak ${formatBytes(peakRss)} during; peak heap ${formatBytes(peakHeap)}`)

// 3. One replayed decision (in memory, 100,000 calls), and the live route() with and without the observer.
const samples: number[] = []
const replayIndex = new AgentIndex()
loadAgents(replayIndex, agents, seededRandom(7), START)
for (let i = 0; i < 100_000; i++) {
  const t = templates[i % templates.length]!
  const s = process.hrtime.bigint()
  decide({ interaction: { ...t.interaction, at: START + i }, customer: t.customer, line: t.line, rules }, replayIndex, { now: () => START + i, random: rnd })
  samples.push(Number(process.hrtime.bigint() - s))
}
console.log('')
summarize('replayed decision', samples)
for (const observed of [false, true]) {
  const live = new AgentIndex()
  if (observed) new AvailabilityObserver(live, () => undefined, pino({ level: 'silent' }), () => START)
  loadAgents(live, agents, seededRandom(7), START)
  const r = new CallRouter({ index: live, env: { now: () => START, random: rnd }, wrapUpSeconds: 0 })
  const times: number[] = []
  for (let i = 0; i < 200_000; i++) {
    const t = templates[i % templates.length]!
    const s = process.hrtime.bigint()
    r.route({ interaction: { ...t.interaction, id: `x-${i}`, at: START }, customer: t.customer, line: t.line, rules })
    times.push(Number(process.hrtime.bigint() - s))
    r.ended(`x-${i}`)
  }
  summarize(observed ? 'live route(), availability observer on' : 'live route(), no observer', times)
}
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
await database.close()
if (process.env.BENCH_KEEP !== 'true') await admin.query(`drop schema if exists ${SCHEMA} cascade`)
await admin.end()

async function makeWeek(): Promise<void> {
  // 1. A week of live calls: routed, answered after 5 s, ended after 3 min, 30 s of wrap-up.
  let now = START
  const index = new AgentIndex()
  let rows: AvailabilityRow[] = []
  const observer = new AvailabilityObserver(index, (r) => rows.push(r), pino({ level: 'silent' }), () => now)
  loadAgents(index, agents, rnd, START)
  observer.checkpoint(START)
  const router = new CallRouter({ index, env: { now: () => now, random: rnd }, wrapUpSeconds: 30 })
  let facts: CallFacts[] = []
  const answers: { at: number; id: string; agent: string }[] = []
  const ends: { at: number; id: string }[] = []
  let ai = 0
  let ei = 0
  let logRows = 0
  const made = performance.now()
  const writes: Promise<unknown>[] = []
  const flush = async (): Promise<void> => {
    const r = rows
    const f = facts
    rows = []
    facts = []
    for (let i = 0; i < f.length; i += 1000) writes.push(insertCallFacts(db, f.slice(i, i + 1000)))
    // One batch after another, as the server's writer does: rows of one instant keep their order (by id).
    for (let i = 0; i < r.length; i += 1000) await insertAvailabilityRows(db, r.slice(i, i + 1000))
    logRows += r.length
    await Promise.all(writes.splice(0))
  }
  for (let i = 0; i < CALLS; i++) {
    const at = START + 60_000 + i * GAP_MS
    while (ai < answers.length && answers[ai]!.at <= at) { now = answers[ai]!.at; router.answered(answers[ai]!.id, answers[ai]!.agent); ai++ }
    while (ei < ends.length && ends[ei]!.at <= at) { now = ends[ei]!.at; router.ended(ends[ei]!.id); ei++ }
    now = at
    if (i % 50 === 0) {
      const a = agents[Math.floor(rnd() * agents.length)]!
      index.setAgentState(a.id, rnd() < 0.5 ? 'away' : 'available', at)
    }
    const t = templates[i % templates.length]!
    const interaction = { ...t.interaction, id: `call-${i}`, at }
    const decision = router.route({ interaction, customer: t.customer, line: t.line, rules })
    facts.push({ callId: interaction.id, at, version: rules.version, kind: 'call', channel: 'sip', caller: interaction.caller, dialed: interaction.dialed, product: null, customer: t.customer, line: t.line, lineFromRules: false, named: false, decided: decided(decision) })
    const agent = decision.targets[0]?.agentId
    if (agent !== undefined) {
      answers.push({ at: at + 5000, id: interaction.id, agent })
      ends.push({ at: at + 185_000, id: interaction.id })
    } else {
      router.ended(interaction.id)
    }
    if (i % 20_000 === 19_999) {
      answers.splice(0, ai); ai = 0
      ends.splice(0, ei); ei = 0
      await flush()
    }
  }
  await flush()
  await admin.query(`analyze ${SCHEMA}.call_facts; analyze ${SCHEMA}.agent_availability_log`)
  console.log(`made ${CALLS} calls and ${logRows} availability rows in ${((performance.now() - made) / 1000).toFixed(1)} s (not part of the figure)`)
}
