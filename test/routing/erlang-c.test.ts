import t from 'tap'
import { AgentIndex } from '../../src/routing/agent-index.js'
import { CallRouter } from '../../src/routing/call-router.js'
import { WrapUpQueue } from '../../src/routing/wrap-up-queue.js'
import type { RouteStep } from '../../src/routing/types.js'
import { agent, call, queue, rule, seeded, T0, testEnv } from './fixtures/inputs.js'
import { queueSettings, ruleSetWith } from './fixtures/waiting.js'

/*
 * The waiting queue in virtual time against queueing theory. N agents of one team, Poisson
 * arrivals at rate λ, exponential handle times of mean 1/μ, first come first served, no
 * abandons and no wrap-up: an M/M/N queue, whose probability of waiting and average speed of
 * answer are given by the Erlang C formula. With offered load A = λ/μ (erlangs) and ρ = A/N < 1:
 *
 *   P_w = (A^N / N! · N / (N − A)) / (Σ_{k=0}^{N−1} A^k / k!  +  A^N / N! · N / (N − A))
 *   ASA = P_w / (Nμ − λ)
 *
 * Source: the Erlang C formula in Wikipedia, "Erlang (unit)" (section "Erlang C formula"), and
 * "M/M/c queue" for the mean wait. P_w is computed here through the Erlang B recursion
 * B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), then C = N·B / (N − A·(1 − B)), which is the same
 * value without overflowing factorials at N = 200.
 *
 * Near full load the sampling error of one run shrinks slowly: at N = 200, ρ = 0.95 it takes
 * millions of calls to come within a few percent, more than the router can take in a test's
 * time. So each case is checked in two parts that together say the same:
 *  1. the router, fed a stream of calls, gives every call exactly the wait that a plain M/M/N
 *     first-come-first-served queue fed the same stream (the same random draws) gives it;
 *  2. that plain queue, run long, matches Erlang C within 3% (P_w) and 5% (ASA).
 * For N = 5 the router's own run is long enough to be held to Erlang C directly as well.
 */

function erlangC(n: number, a: number): number {
  let b = 1
  for (let k = 1; k <= n; k++) b = (a * b) / (k + a * b)
  return (n * b) / (n - a * (1 - b))
}

const MEAN_HANDLE_MS = 180_000
const exponential = (rnd: () => number, mean: number): number => -Math.log(1 - rnd()) * mean

/** Runs the floor for `arrivals` calls after a warm-up of a tenth as many; returns measured P(wait) and ASA in ms. */
function simulate(n: number, rho: number, arrivals: number, seed: number): { pWait: number; asaMs: number } {
  const rnd = seeded(seed)
  const env = testEnv(T0)
  const index = new AgentIndex()
  for (let i = 0; i < n; i++) {
    index.upsertAgent(agent(`a${i}`, { team: 'floor' }))
    index.setAgentState(`a${i}`, 'available', T0)
  }
  const team: RouteStep = { kind: 'team', team: 'floor', strategy: 'longest-idle', ringSeconds: 20 }
  const set = ruleSetWith([rule('all', { steps: [team], otherwise: queue('floor') })],
    [queueSettings('floor', { maxWaitSeconds: 30 * 86_400, maxWaiting: 1_000_000 })])
  const router = new CallRouter({ index, env, wrapUpSeconds: 0, maxTargets: 1 })
  const meanGapMs = MEAN_HANDLE_MS / (n * rho)
  const ends = new WrapUpQueue<string>()
  const arrivedAt = new Map<string, number>()
  const warmUp = Math.floor(arrivals / 10)
  let waited = 0
  let waitMs = 0
  let nextArrival = T0 + exponential(rnd, meanGapMs)
  let made = 0

  const start = (id: string, agentId: string): void => {
    router.answered(id, agentId)
    ends.push(id, env.now() + exponential(rnd, MEAN_HANDLE_MS))
  }
  while (made < warmUp + arrivals) {
    const end = ends.nextUntil()
    if (end !== undefined && end <= nextArrival) {
      env.set(end)
      const id = ends.popDue(end)!.entry
      router.ended(id)
      for (const s of router.serveWaiting()) {
        if (arrivedAt.get(s.interactionId)! >= 0) waitMs += s.waitedMs
        arrivedAt.delete(s.interactionId)
        start(s.interactionId, s.decision.targets[0]!.agentId)
      }
      continue
    }
    env.set(nextArrival)
    const id = `call-${made}`
    const measured = made >= warmUp
    made++
    arrivedAt.set(id, measured ? env.now() : -1)
    const d = router.route({ interaction: call({ id, at: env.now() }), customer: null, line: null, rules: set })
    if (d.targets[0] !== undefined) {
      start(id, d.targets[0].agentId)
      arrivedAt.delete(id)
    } else if (measured) waited++
    nextArrival = env.now() + exponential(rnd, meanGapMs)
  }
  return { pWait: waited / arrivals, asaMs: waitMs / arrivals }
}

/**
 * A plain M/M/N first-come-first-served queue drawing random numbers in the same order as
 * simulate: at an arrival, a handle time if an agent is free, then the gap to the next arrival;
 * at an end, a handle time for the call taken from the queue.
 */
function reference(n: number, rho: number, arrivals: number, seed: number): { pWait: number; asaMs: number } {
  const rnd = seeded(seed)
  const meanGapMs = MEAN_HANDLE_MS / (n * rho)
  const ends = new WrapUpQueue<null>()
  const line: number[] = []
  const warmUp = Math.floor(arrivals / 10)
  let head = 0
  let busy = 0
  let waited = 0
  let waitMs = 0
  let made = 0
  let now = T0
  let nextArrival = T0 + exponential(rnd, meanGapMs)
  while (made < warmUp + arrivals) {
    const end = ends.nextUntil()
    if (end !== undefined && end <= nextArrival) {
      now = end
      ends.popDue(end)
      busy--
      if (head < line.length) {
        const at = line[head++]!
        if (at >= 0) waitMs += now - at
        busy++
        ends.push(null, now + exponential(rnd, MEAN_HANDLE_MS))
      }
      continue
    }
    now = nextArrival
    const measured = made++ >= warmUp
    if (busy < n) {
      busy++
      ends.push(null, now + exponential(rnd, MEAN_HANDLE_MS))
    } else {
      line.push(measured ? now : -1)
      if (measured) waited++
    }
    nextArrival = now + exponential(rnd, meanGapMs)
  }
  return { pWait: waited / arrivals, asaMs: waitMs / arrivals }
}

const cases = [
  { n: 5, rho: 0.7, routed: 100_000, long: 1_000_000 },
  { n: 20, rho: 0.85, routed: 50_000, long: 1_000_000 },
  { n: 50, rho: 0.9, routed: 30_000, long: 2_000_000 },
  { n: 200, rho: 0.95, routed: 30_000, long: 4_000_000 }
]

for (const { n, rho, routed, long } of cases) {
  const a = n * rho
  const pWait = erlangC(n, a)
  const asaMs = pWait / (n / MEAN_HANDLE_MS - a / MEAN_HANDLE_MS)
  const seed = 1000 + n

  t.test(`with ${n} agents at load ${rho} the router gives every call the wait of an M/M/${n} queue`, async (t) => {
    const router = simulate(n, rho, routed, seed)
    const plain = reference(n, rho, routed, seed)
    t.equal(router.pWait, plain.pWait, `the same calls waited (${router.pWait.toFixed(4)})`)
    t.ok(Math.abs(router.asaMs - plain.asaMs) < 1e-6 * plain.asaMs, `the same average speed of answer (${(router.asaMs / 1000).toFixed(2)} s)`)
    if (n === 5) {
      t.ok(Math.abs(router.pWait - pWait) / pWait < 0.03, `the router's own P(wait) ${router.pWait.toFixed(4)} within 3% of ${pWait.toFixed(4)}`)
      t.ok(Math.abs(router.asaMs - asaMs) / asaMs < 0.05, `the router's own ASA ${(router.asaMs / 1000).toFixed(2)} s within 5% of ${(asaMs / 1000).toFixed(2)} s`)
    }
  })

  t.test(`with ${n} agents at load ${rho} that queue matches Erlang C`, async (t) => {
    const measured = reference(n, rho, long, seed)
    t.ok(Math.abs(measured.pWait - pWait) / pWait < 0.03, `P(wait) ${measured.pWait.toFixed(4)} within 3% of ${pWait.toFixed(4)}`)
    t.ok(Math.abs(measured.asaMs - asaMs) / asaMs < 0.05, `ASA ${(measured.asaMs / 1000).toFixed(2)} s within 5% of ${(asaMs / 1000).toFixed(2)} s`)
  })
}
