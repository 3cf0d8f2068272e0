/**
 * The waiting queue in the routing core at call-center scale: 10,000 agents in 50 teams, every one
 * of them on a call, and 5,000 interactions waiting across 50 queues (one per team; one in ten is a
 * VIP waiting for their owner, priority 10). Each sample ends one call — the agent is free — and
 * times the core choosing the next interaction for them (CallRouter.serveWaiting: the pick among
 * the waits that accept the agent, the decision, the reservation), then answers it and lets a new
 * call arrive so 5,000 keep waiting.
 *
 * Prints p50/p99 of "agent freed → next interaction chosen" (target p99 ≤ 20 µs), with and without
 * the call's end, throughput, CPU per operation, memory per waiting interaction (heap growth ÷
 * waits, after a full garbage collection), the date and the load average.
 *
 * Run: npm run bench:queue   (BENCH_SAMPLES=n to shorten). The two-process part through Redis
 * is bench/queue-redis.bench.ts (npm run bench:queue:redis).
 */
import { cpus, loadavg } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { AgentIndex } from '../src/routing/agent-index.js'
import { CallRouter, type RouteInput } from '../src/routing/call-router.js'
import type { BusinessCalendar, CompiledRule, CustomerSummary, RoutingEnv, RuleSet } from '../src/routing/types.js'
import { defaultQueueSettings } from '../src/routing/waiting/types.js'
import { seededRandom } from '../src/seeded-random.js'
import { formatBytes, summarize } from './stats.js'

const AGENTS = 10_000
const QUEUES = 50
const WAITING = 5_000
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 50_000)
const WARM_UP = 5_000
const START = Date.UTC(2026, 0, 13, 10, 0)

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const calendar: BusinessCalendar = {
  timeZone: 'UTC',
  at: () => ({ hour: 10, minute: 0, weekday: 2, businessHours: true, holiday: false })
}
const rules: CompiledRule[] = []
for (let q = 0; q < QUEUES; q++) {
  const team = { kind: 'team', team: `team-${q}`, strategy: 'longest-idle', ringSeconds: 20 } as const
  const queue = { kind: 'queue', queue: `queue-${q}` } as const
  rules.push({ name: `vip ${q}`, source: 'bench', priority: 10, when: (c) => c.line.campaign === `c${q}` && c.customer.tier === 'vip',
    steps: [{ kind: 'owner', ringSeconds: 20, waitSeconds: 3600 }, team], otherwise: queue })
  rules.push({ name: `callers ${q}`, source: 'bench', priority: 0, when: (c) => c.line.campaign === `c${q}`, steps: [team], otherwise: queue })
}
const set: RuleSet = {
  version: 'bench', loadedAt: START, calendar, rules, fallback: { kind: 'voicemail', mailbox: null, callbackTask: false },
  lines: new Map(Array.from({ length: QUEUES }, (_, q) => [`+7495000${String(q).padStart(4, '0')}`, { number: `+7495000${String(q).padStart(4, '0')}`, name: null, source: null, campaign: `c${q}`, product: null, costPerLead: null }])),
  queues: new Map(Array.from({ length: QUEUES }, (_, q) => [`queue-${q}`, { ...defaultQueueSettings(`queue-${q}`), maxWaitSeconds: 86_400, maxWaiting: 100_000 }]))
}

let now = START
const env: RoutingEnv = { now: () => now, random: seededRandom(7) }
const rnd = seededRandom(14)
const index = new AgentIndex()
for (let i = 0; i < AGENTS; i++) {
  index.upsertAgent({ id: `a${i}`, name: `Agent ${i}`, team: `team-${i % QUEUES}`, address: `sip:a${i}@pbx`, capacity: 1, skills: {} })
  index.setAgentState(`a${i}`, 'available', START)
}
const router = new CallRouter({ index, env, wrapUpSeconds: 0 })
const talking: string[] = []
let calls = 0

function arrival(): RouteInput {
  const q = Math.floor(rnd() * QUEUES)
  const vip = rnd() < 0.1
  const owner = `a${q + QUEUES * Math.floor(rnd() * (AGENTS / QUEUES))}`
  const customer: CustomerSummary | null = vip
    ? { id: `c${calls}`, name: 'VIP', ownerAgentId: owner, tier: 'vip', segment: null, language: null, overdueAmount: 0, overdueDays: 0, blocked: false, lastAgentId: null, lastContactAt: null, openDealStage: null }
    : null
  const id = `call-${calls++}`
  return { interaction: { id, kind: 'call', caller: '+79160000000', dialed: `+7495000${String(q).padStart(4, '0')}`, at: now, channel: 'sip' }, customer, line: null, rules: set }
}

function route(): void {
  const input = arrival()
  const d = router.route(input)
  const agent = d.targets[0]?.agentId
  if (agent !== undefined) {
    router.answered(input.interaction.id, agent)
    talking.push(input.interaction.id)
  }
}

// Everyone on a call, then the waiting calls.
while (talking.length < AGENTS) route()
gc()
const heapBefore = process.memoryUsage().heapUsed
while (router.waitingCount < WAITING) route()
gc()
const perWait = (process.memoryUsage().heapUsed - heapBefore) / router.waitingCount

const chooseNs: number[] = []
const endAndChooseNs: number[] = []
let served = 0
const cpuStart = process.cpuUsage()
const wallStart = process.hrtime.bigint()
let timedNs = 0
/** CPU time (getrusage) spent in serveWaiting: unlike the clock, it leaves out time the process was not running. */
let chooseCpuUs = 0
for (let i = 0; i < WARM_UP + SAMPLES; i++) {
  now += 1000
  // End a random call: its agent is free.
  const k = Math.floor(rnd() * talking.length)
  const id = talking[k]!
  talking[k] = talking[talking.length - 1]!
  talking.pop()
  const t0 = process.hrtime.bigint()
  router.ended(id)
  const c1 = process.cpuUsage()
  const t1 = process.hrtime.bigint()
  const picked = router.serveWaiting()
  const t2 = process.hrtime.bigint()
  const c2 = process.cpuUsage(c1)
  if (i >= WARM_UP) {
    chooseCpuUs += c2.user + c2.system
    chooseNs.push(Number(t2 - t1))
    endAndChooseNs.push(Number(t2 - t0))
    timedNs += Number(t2 - t0)
  }
  for (const s of picked) {
    router.answered(s.interactionId, s.decision.targets[0]!.agentId)
    talking.push(s.interactionId)
    served++
  }
  while (router.waitingCount < WAITING) route()
}
const wallMs = Number(process.hrtime.bigint() - wallStart) / 1e6
const cpu = process.cpuUsage(cpuStart)

console.log(`queue benchmark — ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`)
console.log(`${AGENTS} agents (all on a call), ${router.waitingCount} waiting across ${QUEUES} queues, ${SAMPLES} samples after ${WARM_UP} warm-up; ${served} served`)
const choose = summarize('agent freed → next chosen (serveWaiting)', chooseNs)
summarize('call ended + next chosen', endAndChooseNs)
console.log(`throughput: ${Math.round(SAMPLES / (timedNs / 1e9)).toLocaleString('en')} freed agents served per second of core time`)
console.log(`CPU per agent freed → next chosen: ${(chooseCpuUs / SAMPLES).toFixed(2)} µs mean (process CPU time around each serveWaiting)`)
console.log(`CPU per operation (whole loop: end, choose, answer, a new arrival routed): ${((cpu.user + cpu.system) / (WARM_UP + SAMPLES)).toFixed(2)} µs; wall ${wallMs.toFixed(0)} ms`)
console.log(`memory per waiting interaction: ${formatBytes(perWait)} (heap growth ÷ ${router.waitingCount})`)
console.log(`p99 target ≤ 20 µs: ${choose.p99 <= 20 ? 'met' : 'NOT met'}`)
// The two-process figure through Redis: npm run bench:queue:redis (bench/queue-redis.bench.ts).
