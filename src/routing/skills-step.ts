import type { AgentEntry } from './agent-entry.js'
import { accountForOthers, candidateVisitor, newTrace } from './candidates.js'
import { stepReason } from './reasons.js'
import { canonicalSkillSet, type CanonicalSkillSet } from './skill-sets.js'
import type { StepContext } from './step-context.js'
import { walkPool } from './strategies.js'
import type { RouteStep, SkillRequirement, TraceStep } from './types.js'

type SkillsStep = Extract<RouteStep, { kind: 'skills' }>

/** A step's skill set (canonical requirements, team, key), trace label and reason, for one product. */
interface SkillsPlan extends CanonicalSkillSet {
  label: string
  reason: string
}

// Compiled steps never change, so what they need is worked out once per step and product.
const plans = new WeakMap<SkillsStep, Map<string | null, SkillsPlan>>()
/** Products come from web pages too; bound what one step keeps. */
const MAX_PLANS_PER_STEP = 1000

/**
 * Agents with every required skill at its minimum (and of the step's team, when it names one),
 * from the index's skill set for exactly these requirements and team: everyone the walk meets
 * qualifies, so it stops after about as many agents as it takes (plus any excluded or already
 * chosen), and never meets an agent of another team.
 */
export function runSkills(step: SkillsStep, c: StepContext): TraceStep {
  const { reqs, team, key, label, reason } = planOf(step, c.product)
  const t = newTrace(c, label)
  if (step.lineProduct !== undefined && c.product === null) t.note = 'no product known for this interaction'
  if (reqs.length === 0) return t
  const set = c.index.skillSet(key, reqs, team)
  if (set === undefined) {
    const missing = reqs.find((r) => c.index.skill(r.skill) === undefined)
    t.note = missing !== undefined ? `no agent has skill ${missing.skill}` : `no agent is in team ${team ?? ''}`
    return t
  }
  const seen = c.fullTrace ? new Set<AgentEntry>() : undefined
  const visit = candidateVisitor(step, c, t, reason, seen)
  if (step.strategy === 'best-skill') set.walkByLevel(visit)
  else walkPool(step.strategy, set.pool, set.cursor, c.env, visit)
  if (seen !== undefined) {
    // Everyone with the first skill, to say why each of the others was not offered.
    accountForOthers(c.index.skill(reqs[0]!.skill)!.members, seen, reqs, team, c, t)
  }
  return t
}

function planOf(step: SkillsStep, product: string | null): SkillsPlan {
  const key = step.lineProduct === undefined ? null : product
  let byProduct = plans.get(step)
  if (byProduct === undefined) plans.set(step, (byProduct = new Map()))
  let plan = byProduct.get(key)
  if (plan === undefined) {
    if (byProduct.size >= MAX_PLANS_PER_STEP) byProduct.clear()
    const canonical = canonicalSkillSet(requirementsOf(step, key), step.team ?? null)
    const within = step.team === undefined ? '' : ` in team ${step.team}`
    const label = `skills ${canonical.reqs.map((r) => `${r.skill}>=${r.minProficiency}`).join(', ')}${within} (${step.strategy})`
    plan = { ...canonical, label, reason: stepReason(step, '', canonical.reqs) }
    byProduct.set(key, plan)
  }
  return plan
}

/**
 * The step's skills, with the interaction's product first when the step asks for it (so best-skill
 * ranks by the product the caller is asking about); a product already listed keeps the higher minimum.
 */
export function requirementsOf(step: SkillsStep, product: string | null): SkillRequirement[] {
  if (step.lineProduct === undefined || product === null) return step.skills.slice()
  const listed = step.skills.find((r) => r.skill === product)
  const min = Math.max(step.lineProduct.minProficiency, listed?.minProficiency ?? 0)
  return [{ skill: product, minProficiency: min }, ...step.skills.filter((r) => r.skill !== product)]
}
