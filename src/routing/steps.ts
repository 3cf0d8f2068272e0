import { availabilitySkip, type AgentEntry } from './agent-entry.js'
import { accountForOthers, candidateVisitor, choose, newTrace, pickSkip } from './candidates.js'
import { lastContactReason, stepReason } from './reasons.js'
import { runSkills } from './skills-step.js'
import { walkPool } from './strategies.js'
import type { StepContext } from './step-context.js'
import type { RouteStep, TraceStep } from './types.js'

// Decide builds the context it hands to runStep; it is declared apart so the steps' helpers can share it.
export type { StepContext } from './step-context.js'

const DAY_MS = 86_400_000

// Trace labels of compiled steps, which never change: made once rather than on every call.
const labels = new WeakMap<RouteStep, string>()

function labelOf(step: Exclude<RouteStep, { kind: 'skills' }>): string {
  let label = labels.get(step)
  if (label === undefined) {
    if (step.kind === 'owner') label = 'owner'
    else if (step.kind === 'last-agent') label = `last agent within ${step.withinDays} days`
    else if (step.kind === 'agent') label = `agent ${step.agentId}`
    else label = `team ${step.team} (${step.strategy})`
    labels.set(step, label)
  }
  return label
}

/** Runs one step: appends the agents it finds to ctx.targets (up to the limit) and accounts for it. */
export function runStep(step: RouteStep, c: StepContext): TraceStep {
  switch (step.kind) {
    case 'owner': {
      const note = c.customer === null ? 'caller is not a known customer' : 'customer has no owner'
      return runNamed(step, c, labelOf(step), c.customer?.ownerAgentId ?? null, note, stepReason(step, c.ruleName, []))
    }
    case 'last-agent':
      return runLastAgent(step, c)
    case 'agent':
      return runNamed(step, c, labelOf(step), step.agentId, '', stepReason(step, c.ruleName, []))
    case 'team':
      return runTeam(step, c)
    case 'skills':
      return runSkills(step, c)
  }
}

function runLastAgent(step: Extract<RouteStep, { kind: 'last-agent' }>, c: StepContext): TraceStep {
  const id = c.customer?.lastAgentId ?? null
  const at = c.customer?.lastContactAt ?? null
  const label = labelOf(step)
  if (id === null || at === null) {
    return runNamed(step, c, label, null, c.customer === null ? 'caller is not a known customer' : 'nobody has spoken with them yet', '')
  }
  if (c.now - at > step.withinDays * DAY_MS) {
    return { ...newTrace(c, label), considered: 1, skipped: [{ agentId: id, reason: 'last-contact-too-old' }] }
  }
  // The reason names the date; worked out only when this agent is actually chosen.
  return runNamed(step, c, label, id, '', () => lastContactReason(at, c.timeZone))
}

/** A step naming one agent: owner, last agent, a named agent. */
function runNamed(step: RouteStep, c: StepContext, label: string, id: string | null, note: string, reason: string | (() => string)): TraceStep {
  const t = newTrace(c, label)
  if (id === null) {
    t.note = note
    return t
  }
  t.considered = 1
  const e = c.index.entry(id)
  const skip = e === undefined ? 'unknown-agent' : (pickSkip(e, c) ?? availabilitySkip(e))
  if (skip !== null) t.skipped.push({ agentId: id, reason: skip })
  else choose(c, t, e!, step, typeof reason === 'string' ? reason : reason())
  return t
}

function runTeam(step: Extract<RouteStep, { kind: 'team' }>, c: StepContext): TraceStep {
  const t = newTrace(c, labelOf(step))
  const group = c.index.team(step.team)
  if (group === undefined) {
    t.note = `no agent is in team ${step.team}`
    return t
  }
  const reason = stepReason(step, c.ruleName, [])
  const seen = c.fullTrace ? new Set<AgentEntry>() : undefined
  walkPool(step.strategy, group.pool, group.cursor, c.env, candidateVisitor(step, c, t, reason, seen))
  if (seen !== undefined) accountForOthers(group.members, seen, [], null, c, t)
  return t
}
