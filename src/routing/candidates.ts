import { availabilitySkip, type AgentEntry } from './agent-entry.js'
import type { StepContext } from './step-context.js'
import type { RouteStep, SkillRequirement, SkipReason, TraceStep } from './types.js'

/** Skips listed per step in a routing decision; a trace is stored with every call, so it stays small. */
export const MAX_TRACED_SKIPS = 20

export function newTrace(c: StepContext, step: string): TraceStep {
  return { rule: c.ruleName, step, considered: 0, skipped: [], chosen: [] }
}

/** Reasons tied to this interaction rather than to the agent's state. */
export function pickSkip(e: AgentEntry, c: StepContext): SkipReason | null {
  // Compares records, not id strings: each string read is one more cache miss per candidate.
  for (const chosen of c.chosen) if (chosen === e) return 'already-chosen'
  if (c.exclude !== undefined && c.exclude.size > 0 && c.exclude.has(e.profile.id)) return 'excluded'
  return null
}

export function skillSkip(e: AgentEntry, reqs: readonly SkillRequirement[]): SkipReason | null {
  for (const r of reqs) {
    const p = e.skillLevels.get(r.skill)
    if (p === undefined) return 'lacks-skill'
    if (p < r.minProficiency) return 'below-proficiency'
  }
  return null
}

/** 'other-team' when the step is limited to a team and the agent is not in it. */
export function teamSkip(e: AgentEntry, team: string | null): SkipReason | null {
  return team !== null && e.profile.team !== team ? 'other-team' : null
}

export function recordSkip(c: StepContext, t: TraceStep, agentId: string, reason: SkipReason): void {
  if (c.fullTrace || t.skipped.length < MAX_TRACED_SKIPS) t.skipped.push({ agentId, reason })
  else t.moreSkipped = (t.moreSkipped ?? 0) + 1
}

/** Adds the agent as a target; returns true when the decision has all the targets it may have. */
export function choose(c: StepContext, t: TraceStep, e: AgentEntry, step: RouteStep, reason: string): boolean {
  c.targets.push({ agentId: e.profile.id, address: e.profile.address, ringSeconds: step.ringSeconds, step: step.kind, reason })
  c.chosen.push(e)
  t.chosen.push(e.profile.id)
  return c.targets.length >= c.limit
}

/**
 * For explain: members a step never examined because they were not eligible or not qualified.
 * An agent of another team than the step's is 'other-team' whatever their skills: no level of
 * skill would have put them in the step's pool.
 */
export function accountForOthers(
  members: Iterable<AgentEntry>,
  seen: Set<AgentEntry>,
  reqs: readonly SkillRequirement[],
  team: string | null,
  c: StepContext,
  t: TraceStep
): void {
  for (const e of members) {
    if (seen.has(e)) continue
    const skip = pickSkip(e, c) ?? availabilitySkip(e) ?? teamSkip(e, team) ?? skillSkip(e, reqs)
    if (skip === null) continue
    t.considered++
    recordSkip(c, t, e.profile.id, skip)
  }
}

/**
 * The walk over a pool of eligible agents, shared by team and skills steps: each agent met is
 * counted, chosen unless this interaction rules them out, or recorded as skipped. Returns true
 * once the decision has all its targets, which stops the walk. (Made by a function rather than
 * as an inline arrow: the TypeScript loader keeps names and would define one on every call.)
 */
export function candidateVisitor(step: RouteStep, c: StepContext, t: TraceStep, reason: string, seen: Set<AgentEntry> | undefined): (e: AgentEntry) => boolean {
  return (e) => {
    seen?.add(e)
    t.considered++
    const skip = pickSkip(e, c)
    if (skip === null) return choose(c, t, e, step, reason)
    recordSkip(c, t, e.profile.id, skip)
    return false
  }
}
