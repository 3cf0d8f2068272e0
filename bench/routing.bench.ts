/**
 * Agent selection at call-center scale: 10,000 agents, 200 skills, 100 rules.
 *
 * For each strategy: latency of decide() and of CallRouter.route() (decide + reserve) per call,
 * the same decisions by a naive scan of every agent, and route() throughput on one core — all
 * while interactions ring, get answered or time out, end and wrap up, and agents come and go.
 *
 * Run: node --import tsx bench/routing.bench.ts
 */
import { cpus } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { AgentIndex } from '../src/routing/agent-index.js'
import { CallRouter, type RouteInput } from '../src/routing/call-router.js'
import { decide } from '../src/routing/decide.js'
import type { RouteDecision, RoutingEnv, Strategy } from '../src/routing/types.js'
import { naiveDecide } from './naive-select.js'
import { buildAgents, buildCalls, buildLines, buildRuleSet, DEFAULT_SIZE, loadAgents, seededRandom, START, type BenchCall } from './routing-fixture.js'
import { formatBytes, summarize, type Summary } from './stats.js'

const ALL_STRATEGIES: Strategy[] = ['longest-idle', 'fewest-calls', 'best-skill', 'round-robin', 'random']
/** `node --import tsx bench/routing.bench.ts best-skill random` runs only those. */
const STRATEGIES = process.argv.length > 2 ? ALL_STRATEGIES.filter((s) => process.argv.includes(s)) : ALL_STRATEGIES
const WARM_UP = 20_000
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100_000)
const NAIVE_SAMPLES = 2_000
const AGREEMENT_CHECKS = 500
const THROUGHPUT_MS = 1_000
/** Simulated time per decision: 50 offered interactions a second. */
const STEP_MS = 20
const RING_STEPS = 100
const TALK_STEPS = 1_500
const WRAP_UP_SECONDS = 30

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const size = DEFAULT_SIZE
const agents = buildAgents(seededRandom(1), size)
const lines = buildLines(seededRandom(2), size)
const calls = buildCalls(seededRandom(3), agents, lines, size)

function main(): void {
  console.log(`routing core: ${size.agents} agents, ${size.skills} skills, ${size.teams} teams, ${size.rules} rules`)
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}\n`)
  reportMemory()

  const results: { strategy: Strategy; decide: Summary; route: Summary; naive: Summary; perSecond: number; agree: string }[] = []
  for (const strategy of STRATEGIES) results.push(runStrategy(strategy))

  console.log('\nstrategy        decide p50/p99 µs   route p50/p99 µs   naive p50 µs   naive/route p50   route()/s   naive agrees')
  for (const r of results) {
    console.log(
      `${r.strategy.padEnd(14)}  ${fixed(r.decide.p50)} / ${fixed(r.decide.p99)}     ${fixed(r.route.p50)} / ${fixed(r.route.p99)}    ${fixed(r.naive.p50, 9)}   ${(r.naive.p50 / r.route.p50).toFixed(0).padStart(8)}×   ${Math.round(r.perSecond).toLocaleString('en-US').padStart(10)}   ${r.agree}`
    )
  }
}

function runStrategy(strategy: Strategy) {
  console.log(`\n— ${strategy}`)
  const rules = buildRuleSet(strategy, lines, seededRandom(4), size)
  const clock = { now: START }
  const env: RoutingEnv = { now: () => clock.now, random: seededRandom(5) }
  const index = new AgentIndex()
  loadAgents(index, agents, seededRandom(6))
  const router = new CallRouter({ index, env, wrapUpSeconds: WRAP_UP_SECONDS })
  const churn = new Churn(router, index, clock, seededRandom(8))
  let seq = 0
  const nextInput = (): RouteInput => {
    const c: BenchCall = calls[seq % calls.length]!
    return { interaction: { ...c.interaction, id: `x${seq++}` }, customer: c.customer, line: c.line, rules }
  }

  let agreed = 0
  for (let i = 0; i < AGREEMENT_CHECKS; i++) {
    const input = nextInput()
    const indexed = decide(input, index, env).targets.map((t) => t.agentId)
    const naive = naiveDecide(input, index, env)
    if (indexed.join() === naive.join()) agreed++
    churn.after(input, router.route(input))
  }
  const agree = strategy === 'random' ? 'n/a (random)' : `${agreed}/${AGREEMENT_CHECKS}`
  if (strategy !== 'random' && agreed !== AGREEMENT_CHECKS) console.log(`!! naive scan disagrees on ${AGREEMENT_CHECKS - agreed} decisions`)

  for (let i = 0; i < WARM_UP; i++) {
    const input = nextInput()
    decide(input, index, env)
    churn.after(input, router.route(input))
  }

  const decideNs: number[] = []
  const routeNs: number[] = []
  for (let i = 0; i < SAMPLES; i++) {
    const input = nextInput()
    const t0 = process.hrtime.bigint()
    decide(input, index, env)
    const t1 = process.hrtime.bigint()
    const d = router.route(input)
    const t2 = process.hrtime.bigint()
    decideNs.push(Number(t1 - t0))
    routeNs.push(Number(t2 - t1))
    churn.after(input, d)
  }
  const decideSummary = summarize(`decide() ${strategy}`, decideNs)
  const routeSummary = summarize(`route() = decide + reserve ${strategy}`, routeNs)

  const naiveNs: number[] = []
  for (let i = 0; i < NAIVE_SAMPLES; i++) {
    const input = nextInput()
    const t0 = process.hrtime.bigint()
    naiveDecide(input, index, env)
    naiveNs.push(Number(process.hrtime.bigint() - t0))
    churn.after(input, router.route(input))
  }
  const naiveSummary = summarize(`naive scan ${strategy}`, naiveNs)

  // Throughput: nothing but routing and the life of each call, timed as a whole.
  let done = 0
  const start = process.hrtime.bigint()
  const deadline = start + BigInt(THROUGHPUT_MS) * 1_000_000n
  let end = start
  while (end < deadline) {
    for (let i = 0; i < 1024; i++) {
      const input = nextInput()
      churn.after(input, router.route(input))
    }
    done += 1024
    end = process.hrtime.bigint()
  }
  const perSecond = done / (Number(end - start) / 1e9)
  console.log(`route() with call life cycle: ${Math.round(perSecond).toLocaleString('en-US')} decisions/s; ${churn.describe()}`)
  return { strategy, decide: decideSummary, route: routeSummary, naive: naiveSummary, perSecond, agree }
}

/**
 * The life of each routed call, advanced one step per decision: it rings for RING_STEPS, then
 * four in five are answered and one times out and moves on; answered calls end after TALK_STEPS
 * and the agent wraps up. Every 50 steps an agent steps away or comes back.
 */
class Churn {
  private step = 0
  private readonly ringing = new Fifo<{ id: string; agentId: string; due: number }>()
  private readonly talking = new Fifo<{ id: string; due: number }>()

  constructor(
    private readonly router: CallRouter,
    private readonly index: AgentIndex,
    private readonly clock: { now: number },
    private readonly rnd: () => number
  ) {}

  after(input: RouteInput, d: RouteDecision): void {
    const id = input.interaction.id
    this.offered(id, d)
    this.step++
    this.clock.now += STEP_MS
    for (let r = this.ringing.peek(); r !== undefined && r.due <= this.step; r = this.ringing.peek()) {
      this.ringing.shift()
      if (this.rnd() < 0.8) {
        this.router.answered(r.id, r.agentId)
        this.talking.push({ id: r.id, due: this.step + TALK_STEPS })
      } else {
        const next = this.router.next(r.id, r.agentId, 'ring-timeout')
        if (next !== null) this.offered(r.id, next)
      }
    }
    for (let c = this.talking.peek(); c !== undefined && c.due <= this.step; c = this.talking.peek()) {
      this.talking.shift()
      this.router.ended(c.id)
    }
    if (this.step % 50 === 0) {
      const id = agents[Math.floor(this.rnd() * agents.length)]!.id
      const status = this.index.get(id)?.state.status
      if (status === 'available') this.index.setAgentState(id, 'away', this.clock.now)
      else if (status === 'away') this.index.setAgentState(id, 'available', this.clock.now)
    }
  }

  describe(): string {
    const states = new Map<string, number>()
    for (const v of this.index.snapshot()) states.set(v.state.status, (states.get(v.state.status) ?? 0) + 1)
    return `agents now ${[...states].map(([s, n]) => `${s} ${n}`).join(', ')}`
  }

  private offered(id: string, d: RouteDecision): void {
    const agentId = d.targets[0]?.agentId
    // A call nobody could take would wait in a queue; here it is simply dropped.
    if (agentId === undefined) this.router.cancel(id)
    else this.ringing.push({ id, agentId, due: this.step + RING_STEPS })
  }
}

class Fifo<T> {
  private items: T[] = []
  private head = 0
  push(item: T): void {
    this.items.push(item)
  }
  peek(): T | undefined {
    return this.items[this.head]
  }
  shift(): void {
    this.head++
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
  }
}

function reportMemory(): void {
  gc()
  const before = process.memoryUsage()
  const index = new AgentIndex()
  loadAgents(index, agents, seededRandom(6))
  gc()
  const after = process.memoryUsage()
  console.log(
    `memory with ${index.size} agents indexed: heap +${formatBytes(after.heapUsed - before.heapUsed)} for the index ` +
      `(heap used ${formatBytes(after.heapUsed)}, rss ${formatBytes(after.rss)})`
  )
}

function fixed(value: number, width = 6): string {
  return value.toFixed(2).padStart(width)
}

main()
