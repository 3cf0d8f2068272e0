/**
 * The baseline the agent index is measured against: the same decision semantics, but team and
 * skills steps scan every agent and keep the best few by the strategy's ordering. It reads the
 * same live entries as the index (idle order, calls today, cursors), so for every strategy but
 * random the two must pick the same agents — the benchmark checks that.
 */
import { isEligible, type AgentEntry } from '../src/routing/agent-entry.js'
import type { AgentIndex } from '../src/routing/agent-index.js'
import type { DecideInput } from '../src/routing/decide.js'
import { matchRule } from '../src/routing/match-rule.js'
import { buildRuleContext, productOf } from '../src/routing/rule-context.js'
import { canonicalSkillSet } from '../src/routing/skill-sets.js'
import { requirementsOf } from '../src/routing/skills-step.js'
import type { RouteStep, RoutingEnv, SkillRequirement, Strategy } from '../src/routing/types.js'

const DAY_MS = 86_400_000

/** Agent ids to offer, in order; what decide() would put in `targets`. */
export function naiveDecide(input: DecideInput, index: AgentIndex, env: RoutingEnv): string[] {
  const now = env.now()
  index.tick(now)
  const { interaction, rules, customer } = input
  const line = input.line ?? (interaction.dialed === null ? null : (rules.lines.get(interaction.dialed) ?? null))
  const { rule } = matchRule(rules, buildRuleContext(interaction, customer, line, rules.calendar))
  if (rule === null) return []
  const limit = input.maxTargets ?? 3
  const chosen: string[] = []
  const usable = (e: AgentEntry | undefined): e is AgentEntry =>
    e !== undefined && isEligible(e) && input.exclude?.has(e.profile.id) !== true && !chosen.includes(e.profile.id)
  for (const step of rule.steps) {
    if (chosen.length >= limit) break
    if (step.kind === 'owner' || step.kind === 'agent' || step.kind === 'last-agent') {
      const id = step.kind === 'owner' ? customer?.ownerAgentId : step.kind === 'agent' ? step.agentId : customer?.lastAgentId
      if (step.kind === 'last-agent' && (customer?.lastContactAt == null || now - customer.lastContactAt > step.withinDays * DAY_MS)) continue
      const e = id == null ? undefined : index.entry(id)
      if (usable(e)) chosen.push(e.profile.id)
      continue
    }
    const team = step.kind === 'skills' ? (step.team ?? null) : null
    const { key, reqs } = step.kind === 'skills' ? canonicalSkillSet(requirementsOf(step, productOf(interaction, line)), team) : { key: '', reqs: [] }
    if (step.kind === 'skills' && reqs.length === 0) continue
    // Round-robin turns live with the index's team and skill-set pools; reading one is not a search.
    const cursor =
      step.strategy !== 'round-robin' ? -1 : step.kind === 'team' ? (index.team(step.team)?.cursor ?? -1) : (index.skillSet(key, reqs, team)?.cursor ?? -1)
    const matches = (e: AgentEntry) =>
      step.kind === 'team' ? e.profile.team === step.team : (team === null || e.profile.team === team) && qualifies(e, reqs)
    const want = limit - chosen.length
    const picked = step.strategy === 'random' ? randomFew(index, usable, matches, want, env) : bestFew(index, usable, matches, want, order(step, reqs, cursor))
    for (const e of picked) chosen.push(e.profile.id)
  }
  return chosen
}

function qualifies(e: AgentEntry, reqs: readonly SkillRequirement[]): boolean {
  for (const r of reqs) if ((e.skillLevels.get(r.skill) ?? 0) < r.minProficiency) return false
  return true
}

/** "a before b" for the step's strategy, as decide() defines it. */
function order(step: Exclude<RouteStep, { kind: 'owner' | 'agent' | 'last-agent' }>, reqs: readonly SkillRequirement[], cursor: number) {
  const strategy: Strategy = step.kind === 'team' && step.strategy === 'best-skill' ? 'longest-idle' : step.strategy
  const first = reqs[0]?.skill ?? ''
  switch (strategy) {
    case 'fewest-calls':
      return (a: AgentEntry, b: AgentEntry) => a.callsToday - b.callsToday || a.idleSeq - b.idleSeq
    case 'best-skill':
      return (a: AgentEntry, b: AgentEntry) => b.skillLevels.get(first)! - a.skillLevels.get(first)! || a.idleSeq - b.idleSeq
    case 'round-robin':
      return (a: AgentEntry, b: AgentEntry) => Number(a.ord <= cursor) - Number(b.ord <= cursor) || a.ord - b.ord
    default:
      return (a: AgentEntry, b: AgentEntry) => a.idleSeq - b.idleSeq
  }
}

/** One pass over every agent, keeping the best `want` in a small sorted array. */
function bestFew(index: AgentIndex, usable: (e: AgentEntry) => boolean, matches: (e: AgentEntry) => boolean, want: number, cmp: (a: AgentEntry, b: AgentEntry) => number): AgentEntry[] {
  const best: AgentEntry[] = []
  for (const e of index.allEntries()) {
    if (!usable(e) || !matches(e)) continue
    if (best.length === want && cmp(e, best[want - 1]!) >= 0) continue
    let i = best.length === want ? want - 1 : best.length
    while (i > 0 && cmp(e, best[i - 1]!) < 0) {
      best[i] = best[i - 1]!
      i--
    }
    best[i] = e
  }
  return best
}

function randomFew(index: AgentIndex, usable: (e: AgentEntry) => boolean, matches: (e: AgentEntry) => boolean, want: number, env: RoutingEnv): AgentEntry[] {
  const all: AgentEntry[] = []
  for (const e of index.allEntries()) if (usable(e) && matches(e)) all.push(e)
  const picked: AgentEntry[] = []
  while (picked.length < want && all.length > 0) {
    const j = Math.floor(env.random() * all.length)
    picked.push(all[j]!)
    all[j] = all[all.length - 1]!
    all.pop()
  }
  return picked
}
