import type { RouteDecision } from '../types.js'

/**
 * A stage that found someone free rings them at once; the steps after it still give the agents to
 * fall back on, in order, as a rule without waits would (a PBX handed a 302 tries them when the
 * first does not answer). `later` is the same rule decided with every step, reserving nobody; its
 * first `stageSteps` steps are the ones `first` already ran.
 */
export function withLaterTargets(first: RouteDecision, later: RouteDecision, stageSteps: number, maxTargets: number): RouteDecision {
  const targets = first.targets.slice(0, maxTargets)
  const seen = new Set(targets.map((t) => t.agentId))
  for (const t of later.targets) {
    if (targets.length >= maxTargets) break
    if (seen.has(t.agentId)) continue
    seen.add(t.agentId)
    targets.push(t)
  }
  if (targets.length === first.targets.length) return first
  return { ...first, targets, trace: { ...first.trace, steps: [...first.trace.steps, ...later.trace.steps.slice(stageSteps)] } }
}
