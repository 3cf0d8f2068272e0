import t from 'tap'
import { AgentIndex } from '../../src/routing/agent-index.js'
import { isEligible } from '../../src/routing/agent-entry.js'
import { CallRouter, type OfferFailure } from '../../src/routing/call-router.js'
import type { QueueDesk } from '../../src/routing/waiting/desk.js'
import type { Wait } from '../../src/routing/waiting/wait.js'
import { before } from '../../src/routing/waiting/wait-heap.js'
import type { AgentStatus, CustomerSummary, RouteDecision, RouteStep } from '../../src/routing/types.js'
import { agent, call, customer, queue, rule, seeded, T0, testEnv } from './fixtures/inputs.js'
import { queueSettings, ruleSetWith } from './fixtures/waiting.js'

/*
 * Many random arrivals, answers, ring failures, hang-ups, abandons, call-back requests, owner
 * changes, agent state changes and passing time, from a fixed seed. After every event the service's
 * part is played (due waits, then serving) and the core must hold: no agent over capacity, no
 * interaction waiting while an agent its current stage accepts is free, and every agent served the
 * best waiting interaction that accepted them.
 */

const AGENTS = 30
const EVENTS = 5000
const TEAMS = ['sales', 'vip-desk', 'support']
const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!

const steps = {
  vip: [{ kind: 'owner', ringSeconds: 20, waitSeconds: 20 }, { kind: 'team', team: 'vip-desk', strategy: 'longest-idle', ringSeconds: 20 }],
  tech: [{ kind: 'skills', skills: [{ skill: 'tv', minProficiency: 3 }], lineProduct: { minProficiency: 2 }, strategy: 'best-skill', ringSeconds: 20 }],
  general: [{ kind: 'last-agent', withinDays: 30, ringSeconds: 20, waitSeconds: 15 }, { kind: 'team', team: 'sales', strategy: 'fewest-calls', ringSeconds: 20 }]
} satisfies Record<string, RouteStep[]>
const set = ruleSetWith(
  [
    rule('vip', { when: (c) => c.customer.tier === 'vip', priority: 10, steps: steps.vip, otherwise: queue('vip') }),
    rule('tech', { when: (c) => c.customer.segment === 'tech', priority: 5, steps: steps.tech, otherwise: queue('tech') }),
    rule('general', { priority: 0, steps: steps.general, otherwise: queue('sales') })
  ],
  [
    queueSettings('vip', { maxWaitSeconds: 120, overflow: queue('sales') }),
    queueSettings('tech', { maxWaitSeconds: 90, maxWaiting: 15 }),
    queueSettings('sales', { maxWaitSeconds: 150, maxWaiting: 40, whenNobodyLoggedIn: 'wait' })
  ]
)

t.test('after every event no call waits for a free agent, priorities are served in order, and no agent is over capacity', async (t) => {
  const rnd = seeded(14)
  const env = testEnv(T0, seeded(7))
  const index = new AgentIndex()
  const ids = Array.from({ length: AGENTS }, (_, i) => `a${i}`)
  for (const id of ids) {
    index.upsertAgent(agent(id, { team: pick(rnd, TEAMS), capacity: rnd() < 0.2 ? 2 : 1, skills: rnd() < 0.5 ? { tv: 1 + Math.floor(rnd() * 10) } : {} }))
    index.setAgentState(id, 'available', T0)
  }
  const router = new CallRouter({ index, env, wrapUpSeconds: 10 })
  const room = (router as unknown as { desk: QueueDesk }).desk.room
  const ringing = new Map<string, string>()
  const talking = new Map<string, string>()
  const customers = new Map<string, CustomerSummary>()
  const counts = { served: 0, priorityServed: new Map<number, number>(), widened: 0, overflow: 0, events: 0 }
  let nextCall = 0

  const accepts = (w: Wait, agentId: string): boolean => {
    const e = index.entry(agentId)!
    if (w.excluded.has(agentId)) return false
    return w.keys.some((k) => k === `a:${agentId}` || k === `t:${e.profile.team}` || e.skillSets.some((s) => k === `s:${s.key}`))
  }
  const offered = (id: string, d: RouteDecision | null | undefined) => {
    const first = d?.targets[0]?.agentId
    if (first !== undefined) ringing.set(id, first)
  }
  /** What the service does after each event: due waits, then serving freed agents; checks each pick. */
  const service = (): boolean => {
    const before_ = new Map([...router.positions().keys()].map((id) => [id, room.get(id)!]))
    for (const tm of router.dueWaits(env.now())) {
      if (tm.kind === 'widened') {
        counts.widened++
        if (tm.served !== null) offered(tm.interactionId, tm.served.decision)
      } else if (tm.kind === 'overflow') counts.overflow++
    }
    for (const s of router.serveWaiting()) {
      const agentId = s.decision.targets[0]!.agentId
      offered(s.interactionId, s.decision)
      counts.served++
      counts.priorityServed.set(s.decision.priority, (counts.priorityServed.get(s.decision.priority) ?? 0) + 1)
      const servedWait = before_.get(s.interactionId)!
      for (const w of before_.values()) {
        if (w.live && accepts(w, agentId) && before(w, servedWait)) {
          return t.fail(`${agentId} was given ${s.interactionId} (priority ${servedWait.priority}) while ${w.id} (priority ${w.priority}) waited longer or higher`)
        }
      }
    }
    return true
  }
  const check = (label: string): boolean => {
    for (const id of ids) {
      const { profile, state } = index.get(id)!
      const held = [...ringing.values(), ...talking.values()].filter((a) => a === id).length
      if (state.activeCalls > profile.capacity) return t.fail(`${label}: ${id} is over capacity`)
      if (state.activeCalls !== held) return t.fail(`${label}: ${id} counts ${state.activeCalls}, the calls hold ${held}`)
    }
    for (const id of router.positions().keys()) {
      const w = room.get(id)!
      const free = ids.find((a) => isEligible(index.entry(a)!) && accepts(w, a))
      if (free !== undefined) return t.fail(`${label}: ${id} waits while ${free}, whom it accepts, is free`)
    }
    return true
  }

  /** Time passes as it does for the service: its timer fires at each nextDueAt on the way. */
  const advance = (ms: number): boolean => {
    const target = env.now() + ms
    for (let due = router.nextDueAt(); due !== null && due <= target; due = router.nextDueAt()) {
      env.set(Math.max(env.now(), due))
      if (!service() || !check('timer')) return false
    }
    env.set(target)
    return true
  }

  for (let i = 0; i < EVENTS; i++) {
    if (!advance(Math.floor(rnd() * 3000))) break
    const r = rnd()
    let label = ''
    const waitingIds = [...router.positions().keys()]
    if (r < 0.3) {
      const id = `call-${nextCall++}`
      const c = rnd() < 0.7 ? customer({ id: `c-${nextCall % 40}`, ownerAgentId: pick(rnd, ids), lastAgentId: pick(rnd, ids), lastContactAt: env.now() - 86_400_000,
        tier: rnd() < 0.25 ? 'vip' : null, segment: rnd() < 0.3 ? 'tech' : null }) : null
      if (c !== null) customers.set(c.id, c)
      offered(id, router.route({ interaction: call({ id, at: env.now(), product: rnd() < 0.5 ? 'tv' : null }), customer: c, line: null, rules: set }))
      label = `arrive ${id}`
    } else if (r < 0.5 && ringing.size > 0) {
      const [id, agentId] = pick(rnd, [...ringing])
      ringing.delete(id)
      if (rnd() < 0.8) {
        if (!router.answered(id, agentId)) return t.fail(`answer ${id} refused`)
        talking.set(id, agentId)
      } else offered(id, router.next(id, agentId, pick<OfferFailure>(rnd, ['ring-timeout', 'declined'])))
      label = `answer or fail ${id}`
    } else if (r < 0.72 && talking.size > 0) {
      const [id] = pick(rnd, [...talking])
      router.ended(id)
      talking.delete(id)
      label = `end ${id}`
    } else if (r < 0.76 && waitingIds.length > 0) {
      const id = pick(rnd, waitingIds)
      if (router.abandon(id) === null) return t.fail(`abandon ${id} refused`)
      label = `abandon ${id}`
    } else if (r < 0.78 && waitingIds.length > 0) {
      router.keepPlace(pick(rnd, waitingIds))
      label = 'keep place'
    } else if (r < 0.8 && customers.size > 0) {
      const c = pick(rnd, [...customers.values()])
      const changed = { ...c, ownerAgentId: pick(rnd, ids) }
      customers.set(c.id, changed)
      for (const s of router.customerChanged(c.id, changed)) offered(s.interactionId, s.decision)
      label = `owner of ${c.id}`
    } else if (r < 0.9) {
      const id = pick(rnd, ids)
      index.setAgentState(id, pick<AgentStatus>(rnd, ['available', 'available', 'away', 'offline', 'wrap-up']), env.now())
      label = `state ${id}`
    } else {
      if (!advance(Math.floor(rnd() * 40_000))) break
      label = 'time passes'
    }
    counts.events++
    if (!service() || !check(label)) break
  }
  t.equal(counts.events, EVENTS, 'every event ran')
  t.ok(counts.served > 300, `${counts.served} waiting calls were served`)
  t.ok(counts.priorityServed.get(10)! > 20 && counts.priorityServed.get(0)! > 20, 'both high and low priority were served')
  t.ok(counts.widened > 10, `${counts.widened} widenings`)
  t.ok(counts.overflow > 0, `${counts.overflow} overflows`)
})
