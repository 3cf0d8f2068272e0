import type { AgentEntry } from './agent-entry.js'
import { countFrom, type SkillGroup } from './agent-groups.js'
import { accountForOthers, choose, newTrace, pickSkip, recordSkip, skillSkip } from './candidates.js'
import { stepReason } from './reasons.js'
import type { StepContext } from './steps.js'
import { walkByLevel, walkPool, type Visit } from './strategies.js'
import type { RouteStep, SkillRequirement, TraceStep } from './types.js'

type SkillsStep = Extract<RouteStep, { kind: 'skills' }>

/**
 * best-skill and round-robin order by the first skill. When walking that order would pass over this
 * many times more agents than another required skill has, most of them would lack that skill:
 * scanning the rarer skill's agents and ranking them is cheaper.
 */
const RANKED_SCAN_RATIO = 4

/** A step's requirements, trace label and reason for one product; compiled steps never change, so they are kept. */
interface SkillsPlan {
  reqs: SkillRequirement[]
  label: string
  reason: string
}

const plans = new WeakMap<SkillsStep, Map<string | null, SkillsPlan>>()
/** Products come from web pages too; bound what one step keeps. */
const MAX_PLANS_PER_STEP = 1000

export function runSkills(step: SkillsStep, c: StepContext): TraceStep {
  const { reqs, label, reason } = planOf(step, c.product)
  const t = newTrace(c, label)
  if (step.lineProduct !== undefined && c.product === null) t.note = 'no product known for this interaction'
  if (reqs.length === 0) return t
  const groups: SkillGroup[] = []
  let smallest = 0
  let qualified = Infinity
  for (let i = 0; i < reqs.length; i++) {
    const group = c.index.skill(reqs[i]!.skill)
    if (group === undefined) {
      t.note = `no agent has skill ${reqs[i]!.skill}`
      return t
    }
    groups.push(group)
    qualified = Math.min(qualified, countFrom(group, reqs[i]!.minProficiency))
    if (group.pool.size < groups[smallest]!.pool.size) smallest = i
  }
  const seen = c.fullTrace ? new Set<AgentEntry>() : undefined
  // A walk visits its pool in order until enough qualify, so it is cheapest over the smallest pool.
  let walked = groups[smallest]!
  if (qualified === 0) {
    // Nobody eligible meets every requirement: nothing to walk.
  } else if (step.strategy === 'best-skill' || step.strategy === 'round-robin') {
    const first = groups[0]!
    const inOrder = step.strategy === 'best-skill' ? countFrom(first, reqs[0]!.minProficiency) : first.pool.size
    if (inOrder > RANKED_SCAN_RATIO * walked.pool.size) rankedScan(step, c, t, reqs, walked, first, reason, seen)
    else {
      walked = first
      const visit = visitor(step, c, t, reqs, reason, seen)
      if (step.strategy === 'best-skill') walkByLevel(first, reqs[0]!.minProficiency, visit)
      else walkPool('round-robin', first.pool, first.cursor, c.env, visit)
    }
  } else {
    walkPool(step.strategy, walked.pool, walked.cursor, c.env, visitor(step, c, t, reqs, reason, seen))
  }
  if (seen !== undefined) accountForOthers(walked.members, seen, reqs, c, t)
  return t
}

function visitor(step: SkillsStep, c: StepContext, t: TraceStep, reqs: SkillRequirement[], reason: string, seen: Set<AgentEntry> | undefined): Visit {
  return (e) => {
    seen?.add(e)
    t.considered++
    const skip = pickSkip(e, c) ?? skillSkip(e, reqs)
    if (skip === null) return choose(c, t, e, step, reason)
    recordSkip(c, t, e.profile.id, skip)
    return false
  }
}

/** Every qualified agent of the rarer skill's pool, keeping the best few in the step's order (by the first skill). */
function rankedScan(step: SkillsStep, c: StepContext, t: TraceStep, reqs: SkillRequirement[], scanned: SkillGroup, first: SkillGroup, reason: string, seen: Set<AgentEntry> | undefined): void {
  const skill = first.name
  const cursor = first.cursor
  const before =
    step.strategy === 'best-skill'
      ? (a: AgentEntry, b: AgentEntry) => b.skillLevels.get(skill)! - a.skillLevels.get(skill)! || a.idleSeq - b.idleSeq
      : (a: AgentEntry, b: AgentEntry) => Number(a.ord <= cursor) - Number(b.ord <= cursor) || a.ord - b.ord
  const want = c.limit - c.targets.length
  const best: AgentEntry[] = []
  for (const e of scanned.pool.idle) {
    seen?.add(e)
    t.considered++
    const skip = pickSkip(e, c) ?? skillSkip(e, reqs)
    if (skip !== null) {
      recordSkip(c, t, e.profile.id, skip)
      continue
    }
    if (best.length === want && before(e, best[want - 1]!) >= 0) continue
    let i = best.length === want ? want - 1 : best.length
    for (; i > 0 && before(e, best[i - 1]!) < 0; i--) best[i] = best[i - 1]!
    best[i] = e
  }
  for (const e of best) choose(c, t, e, step, reason)
}

function planOf(step: SkillsStep, product: string | null): SkillsPlan {
  const key = step.lineProduct === undefined ? null : product
  let byProduct = plans.get(step)
  if (byProduct === undefined) plans.set(step, (byProduct = new Map()))
  let plan = byProduct.get(key)
  if (plan === undefined) {
    if (byProduct.size >= MAX_PLANS_PER_STEP) byProduct.clear()
    const reqs = requirementsOf(step, key)
    const label = `skills ${reqs.map((r) => `${r.skill}>=${r.minProficiency}`).join(', ')} (${step.strategy})`
    plan = { reqs, label, reason: stepReason(step, '', reqs) }
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
