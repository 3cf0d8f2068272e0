import t from 'tap'
import { AgentIndex } from '../../src/routing/agent-index.js'
import { CallRouter, type OfferFailure } from '../../src/routing/call-router.js'
import type { SkillSetPool } from '../../src/routing/skill-sets.js'
import type { AgentProfile, AgentStatus, RouteStep, Strategy } from '../../src/routing/types.js'
import { agent, call, customer, rule, rules, seeded, T0, testEnv } from './fixtures/inputs.js'

/*
 * Thousands of interleaved decisions, ring timeouts, answers, hang-ups and state changes, driven by
 * a seeded random sequence; after every single one the index must agree with what the router holds.
 */

const AGENTS = 40
const OPERATIONS = 6000
const TEAMS = ['sales', 'support', 'vip-desk']
const SKILLS = ['tv', 'fridges', 'en', 'ru']
const STRATEGIES: Strategy[] = ['longest-idle', 'fewest-calls', 'best-skill', 'round-robin', 'random']

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!

t.test('concurrent decisions never over-assign an agent, whatever the interleaving', async (t) => {
  const rnd = seeded(2024)
  const env = testEnv(T0, seeded(99))
  const index = new AgentIndex()
  const ids: string[] = []
  const profiles = new Map<string, AgentProfile>()
  for (let i = 0; i < AGENTS; i++) {
    const skills: Record<string, number> = {}
    for (const s of SKILLS) if (rnd() < 0.6) skills[s] = 1 + Math.floor(rnd() * 10)
    ids.push(`a${i}`)
    profiles.set(`a${i}`, agent(`a${i}`, { team: pick(rnd, TEAMS), capacity: rnd() < 0.2 ? 3 : 1, skills }))
    index.upsertAgent(profiles.get(`a${i}`)!)
    index.setAgentState(`a${i}`, 'available', T0)
  }
  const set = rules(
    STRATEGIES.map((strategy, i) => {
      const steps: RouteStep[] = [
        { kind: 'owner', ringSeconds: 20 },
        { kind: 'last-agent', withinDays: 30, ringSeconds: 20 },
        { kind: 'skills', skills: [{ skill: pick(rnd, SKILLS), minProficiency: 3 }], lineProduct: { minProficiency: 2 }, strategy, ringSeconds: 15 },
        { kind: 'skills', skills: [{ skill: pick(rnd, SKILLS), minProficiency: 2 }], team: pick(rnd, TEAMS), strategy, ringSeconds: 15 },
        { kind: 'team', team: pick(rnd, TEAMS), strategy, ringSeconds: 15 }
      ]
      return rule(strategy, { when: (c) => c.time.minute % STRATEGIES.length === i, steps })
    })
  )
  const router = new CallRouter({ index, env, wrapUpSeconds: 20 })
  const ringing = new Map<string, string>()
  const talking = new Map<string, string>()
  let nextCall = 0
  let routed = 0

  const check = (op: string): boolean => {
    const sets = new Set<SkillSetPool>()
    for (const id of ids) for (const set of index.entry(id)!.skillSets) sets.add(set)
    for (const id of ids) {
      const { profile, state } = index.get(id)!
      const held = [...ringing.values()].filter((a) => a === id).length + [...talking.values()].filter((a) => a === id).length
      if (state.activeCalls > profile.capacity) return t.fail(`${op}: ${id} holds ${state.activeCalls} > capacity ${profile.capacity}`)
      if (state.activeCalls !== held) return t.fail(`${op}: ${id} counts ${state.activeCalls}, router holds ${held}`)
      const eligible = index.skipReason(id) === null
      const inTeam = index.team(profile.team!)!.pool.idle.has(index.entry(id)!)
      const entry = index.entry(id)!
      if (eligible !== inTeam) return t.fail(`${op}: ${id} eligible=${eligible} but in team pool=${inTeam}`)
      for (const set of entry.skillSets) {
        if (!set.qualifies(entry)) return t.fail(`${op}: ${id} listed in skill set ${set.key} without the skills or team`)
        if (set.pool.idle.has(entry) !== eligible) return t.fail(`${op}: ${id} eligible=${eligible} but in ${set.key}=${!eligible}`)
      }
      for (const set of sets) {
        if (set.qualifies(entry) !== entry.skillSets.includes(set)) return t.fail(`${op}: ${id} qualifies for ${set.key}=${set.qualifies(entry)} but lists it=${!set.qualifies(entry)}`)
        if (!set.qualifies(entry) && set.pool.idle.has(entry)) return t.fail(`${op}: ${id} in the pool of ${set.key} without qualifying`)
      }
    }
    return true
  }

  for (let op = 0; op < OPERATIONS; op++) {
    const r = rnd()
    const at = env.advance(Math.floor(rnd() * 4000))
    let label: string
    if (r < 0.35) {
      const id = `call-${nextCall++}`
      index.tick(at)
      const eligibleBefore = new Set(ids.filter((a) => index.skipReason(a) === null))
      const d = router.route({
        interaction: call({ id, at, product: pick(rnd, [...SKILLS, null]) }),
        customer: rnd() < 0.5 ? customer({ ownerAgentId: pick(rnd, ids), lastAgentId: pick(rnd, ids), lastContactAt: at - 86_400_000 }) : null,
        line: null,
        rules: set
      })
      const first = d.targets[0]?.agentId
      if (first !== undefined) {
        if (!eligibleBefore.has(first)) t.fail(`route gave ${first}, who was not eligible`)
        ringing.set(id, first)
        routed++
      }
      label = `route ${id}`
    } else if (r < 0.5 && ringing.size > 0) {
      const [id, agentId] = pick(rnd, [...ringing])
      const d = router.next(id, agentId, pick<OfferFailure>(rnd, ['ring-timeout', 'busy', 'declined']))
      ringing.delete(id)
      const first = d?.targets[0]?.agentId
      if (first !== undefined) {
        if (router.progress(id)!.failed.some((f) => f.agentId === first)) t.fail(`${id} offered again to ${first}, who failed it`)
        ringing.set(id, first)
      }
      label = `next ${id}`
    } else if (r < 0.7 && ringing.size > 0) {
      const [id, agentId] = pick(rnd, [...ringing])
      if (!router.answered(id, agentId)) t.fail(`answer ${id} by ${agentId} refused`)
      ringing.delete(id)
      talking.set(id, agentId)
      label = `answer ${id}`
    } else if (r < 0.85 && talking.size > 0) {
      const [id] = pick(rnd, [...talking])
      router.ended(id)
      talking.delete(id)
      label = `end ${id}`
    } else if (r < 0.9 && ringing.size > 0) {
      const [id] = pick(rnd, [...ringing])
      router.cancel(id)
      ringing.delete(id)
      label = `cancel ${id}`
    } else if (r >= 0.9 && r < 0.92) {
      // Moves to another team with the same skills, keeping their calls.
      const id = pick(rnd, ids)
      profiles.set(id, { ...profiles.get(id)!, team: pick(rnd, TEAMS) })
      index.upsertAgent(profiles.get(id)!)
      label = `team ${id}`
    } else {
      const id = pick(rnd, ids)
      index.setAgentState(id, pick<AgentStatus>(rnd, ['available', 'available', 'away', 'offline', 'wrap-up']), at)
      label = `state ${id}`
    }
    if (!check(label)) break
  }
  t.ok(routed > 1000, `${routed} interactions were offered to an agent`)
})
