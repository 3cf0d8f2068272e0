import type { AgentEntry } from '../agent-entry.js'
import type { AgentIndex } from '../agent-index.js'
import type { RuleMatch } from '../match-rule.js'
import { canonicalSkillSet } from '../skill-sets.js'
import { requirementsOf } from '../skills-step.js'
import type { CompiledRule, CustomerSummary, InteractionKind, RouteStep } from '../types.js'
import type { QueueSettings } from './types.js'

const DAY_MS = 86_400_000

/**
 * One interaction waiting in the core. Its rule's steps are split into stages at each step that
 * has a `wait`: stage k accepts the agents of the steps up to and including its last one, so a
 * wait only ever widens. The router keeps the interaction's input; the wait keeps what the
 * waiting room indexes it by.
 */
export interface Wait {
  readonly id: string
  /** Arrival order: between equal priorities the lower is served first. Kept by widening, moves and call-backs. */
  readonly seq: number
  readonly priority: number
  kind: InteractionKind
  queue: QueueSettings
  /** When it first waited, for its waited time. */
  readonly parkedAt: number
  /** When it entered its current queue, for the queue's longest wait. */
  queueSince: number
  readonly match: RuleMatch & { rule: CompiledRule }
  /** Step counts of each stage, ascending; the last is every step. */
  readonly stages: readonly number[]
  stage: number
  widenAt: number | null
  overflowAt: number
  customer: CustomerSummary | null
  readonly product: string | null
  /** Agents who failed the interaction; never offered it again. The router's set, shared. */
  readonly excluded: ReadonlySet<string>
  /** Keys of the heaps it is registered in ('a:<agent>', 't:<team>', 's:<skill set>'), no repeats. */
  keys: string[]
  /** The widest step's key of the current stage: positions are counted in its heap. */
  mainKey: string | null
  epoch: number
  live: boolean
}

/** Step counts of each stage: a boundary after every step with a wait, except the last step. */
export function stagesOf(steps: readonly RouteStep[]): number[] {
  const stages: number[] = []
  for (let i = 0; i < steps.length - 1; i++) if ((steps[i]!.waitSeconds ?? 0) > 0) stages.push(i + 1)
  stages.push(steps.length)
  return stages
}

/** The agent a named step is about, or null (no owner, last contact too old, not a named step). */
export function namedAgent(step: RouteStep, customer: CustomerSummary | null, now: number): string | null {
  switch (step.kind) {
    case 'owner':
      return customer?.ownerAgentId ?? null
    case 'last-agent': {
      const at = customer?.lastContactAt ?? null
      const id = customer?.lastAgentId ?? null
      return id !== null && at !== null && now - at <= step.withinDays * DAY_MS ? id : null
    }
    case 'agent':
      return step.agentId
    default:
      return null
  }
}

/** The heap key of a step: who it accepts. Null when it accepts nobody (no owner, no skills). */
export function stepKey(step: RouteStep, customer: CustomerSummary | null, product: string | null, now: number): string | null {
  if (step.kind === 'team') return `t:${step.team}`
  if (step.kind === 'skills') {
    const reqs = requirementsOf(step, product)
    return reqs.length === 0 ? null : `s:${canonicalSkillSet(reqs, step.team ?? null).key}`
  }
  const id = namedAgent(step, customer, now)
  return id === null ? null : `a:${id}`
}

/** Keys of the first `count` steps, without repeats, and the key of the last of them that has one. */
export function keysOf(w: Wait, count: number, now: number): { keys: string[]; main: string | null } {
  const keys: string[] = []
  let main: string | null = null
  for (let i = 0; i < count; i++) {
    const key = stepKey(w.match.rule.steps[i]!, w.customer, w.product, now)
    if (key === null) continue
    main = key
    if (!keys.includes(key)) keys.push(key)
  }
  return { keys, main }
}

/**
 * Whether some agent of the step is logged in (not offline). With `present`, for a step's wait:
 * also not away, and not excluded (failed the interaction). Team and skill steps read members until one is found.
 */
export function someoneFor(step: RouteStep, w: Pick<Wait, 'customer' | 'product' | 'excluded'>, index: AgentIndex, now: number, present: boolean): boolean {
  const ok = (e: AgentEntry | undefined): boolean =>
    e !== undefined && e.presence !== 'offline' && !(present && (e.presence === 'away' || w.excluded.has(e.profile.id)))
  if (step.kind === 'team') {
    for (const e of index.team(step.team)?.members ?? []) if (ok(e)) return true
    return false
  }
  if (step.kind === 'skills') {
    const reqs = requirementsOf(step, w.product)
    if (reqs.length === 0) return false
    const set = canonicalSkillSet(reqs, step.team ?? null)
    const pool = index.skillSet(set.key, set.reqs, set.team)
    if (pool === undefined) return false
    for (const e of index.skill(set.reqs[0]!.skill)?.members ?? []) if (pool.qualifies(e) && ok(e)) return true
    return false
  }
  const id = namedAgent(step, w.customer, now)
  return id !== null && ok(index.entry(id))
}

/** How many of the step's agents are logged in (for the estimate); named steps count 0 or 1. */
export function loggedInFor(step: RouteStep, w: Pick<Wait, 'customer' | 'product'>, index: AgentIndex, now: number): number {
  if (step.kind === 'team') return count(index.team(step.team)?.members, () => true)
  if (step.kind === 'skills') {
    const reqs = requirementsOf(step, w.product)
    if (reqs.length === 0) return 0
    const set = canonicalSkillSet(reqs, step.team ?? null)
    const pool = index.skillSet(set.key, set.reqs, set.team)
    return pool === undefined ? 0 : count(index.skill(set.reqs[0]!.skill)?.members, (e) => pool.qualifies(e))
  }
  const id = namedAgent(step, w.customer, now)
  const e = id === null ? undefined : index.entry(id)
  return e !== undefined && e.presence !== 'offline' ? 1 : 0
}

function count(members: Iterable<AgentEntry> | undefined, fits: (e: AgentEntry) => boolean): number {
  let n = 0
  for (const e of members ?? []) if (e.presence !== 'offline' && fits(e)) n++
  return n
}
