import type { AgentIndex } from '../agent-index.js'
import type { DecideInput } from '../decide.js'
import type { RuleMatch } from '../match-rule.js'
import { finalReason } from '../reasons.js'
import type { CustomerSummary, FinalAction, InteractionKind, RouteDecision, RouteStep, RoutingEnv, RuleSet, TraceStep } from '../types.js'
import { defaultQueueSettings, type QueueSettings } from './types.js'

/** A decision's input as the waiting queue reads it. */
export type WaitInput = Pick<DecideInput, 'interaction' | 'customer' | 'line' | 'rules'>

/** What the waiting queue needs of the router that owns the interactions and reservations. */
export interface DeskHost {
  readonly index: AgentIndex
  readonly env: RoutingEnv
  /** Decides with `matched` (its first `stepCount` steps) and reserves the first target that can be; no targets when none could. */
  offer(id: string, stepCount: number, matched: RuleMatch): RouteDecision
  /** Decides with `matched` and every step of its rule, reserving nobody (the agents to fall back on). */
  decideAll(id: string, matched: RuleMatch): RouteDecision
  /** Targets per decision. */
  readonly maxTargets: number
  input(id: string): WaitInput
  /** Agents who failed the interaction, never offered it again (a live set). */
  excluded(id: string): ReadonlySet<string>
  setCustomer(id: string, customer: CustomerSummary): void
  setKind(id: string, kind: InteractionKind): void
  /** The interaction left the core (its overflow is voicemail or reject): forget it as after ended(). */
  leave(id: string): void
}

/** The settings of `name` in the rule set, or the defaults when it configures none. */
export function settingsOf(rules: RuleSet, name: string): QueueSettings {
  return rules.queues?.get(name) ?? defaultQueueSettings(name)
}

/** A step in words for the trace of a wait. */
export function stepLabel(step: RouteStep): string {
  switch (step.kind) {
    case 'owner':
      return 'owner'
    case 'last-agent':
      return 'last agent'
    case 'agent':
      return `agent ${step.agentId}`
    case 'team':
      return `team ${step.team}`
    case 'skills':
      return `skills ${step.skills.map((r) => r.skill).join(', ') || 'of the product'}${step.team === undefined ? '' : ` in team ${step.team}`}`
  }
}

/** A trace entry that notes what the queue did (waited, widened, overflowed, picked). */
export function queueTrace(rule: string, step: string, note: string, chosen: string[] = []): TraceStep {
  return { rule, step, considered: chosen.length, skipped: [], chosen, note }
}

/** The decision with the queue's notes added to its trace, nobody to ring, and `final` applying. */
export function finalDecision(d: RouteDecision, notes: TraceStep[], final: FinalAction, why: string): RouteDecision {
  return { ...d, targets: [], final, reason: finalReason(final, why), trace: { rulesTried: d.trace.rulesTried, steps: [...d.trace.steps, ...notes] } }
}

/** Whole seconds, for traces. */
export function seconds(ms: number): number {
  return Math.round(ms / 1000)
}
