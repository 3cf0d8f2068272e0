/**
 * What replaying past calls reads and produces: rows of the agent availability log, the facts one
 * call's decision read, and the comparison of a candidate rule set with what was decided then.
 */
import type { AgentStatus, Channel, CustomerSummary, InteractionKind, LineInfo, RouteDecision } from '../routing/types.js'

/** An agent's profile as the log keeps it (the AgentProfile without its id). */
export interface LoggedProfile {
  name: string
  team: string | null
  address: string
  capacity: number
  skills: Readonly<Record<string, number>>
}

/** One change of one agent: their state after it, and their profile when it changed. */
export interface AvailabilityRow {
  at: number
  agentId: string
  status: AgentStatus | 'removed'
  ringing: number
  talking: number
  callsToday: number
  profile: LoggedProfile | null
  /** A daily restatement of every agent (so a rebuild never needs rows older than the retention). */
  checkpoint?: boolean
}

/** How a decision ended: an agent offered, or the final action at once. */
export type Outcome = { kind: 'agent' } | { kind: 'queue'; queue: string } | { kind: 'voicemail' } | { kind: 'reject' }

/** What one decision came to, compactly: what a replay compares. */
export interface DecisionSummary {
  rule: string | null
  /** The first agent offered, or null. */
  agent: string | null
  outcome: Outcome
}

/** The facts one call's first decision read, as they were, and what it decided. */
export interface CallFacts {
  callId: string
  /** When the interaction arrived, epoch ms (business hours are worked out for it). */
  at: number
  /** The rules version in force; '' when not known. */
  version: string
  kind: InteractionKind
  channel: Channel
  caller: string | null
  dialed: string | null
  product: string | null
  customer: CustomerSummary | null
  line: LineInfo | null
  /** The line came from the rules files in force then (a candidate without it has no line for the number). */
  lineFromRules?: boolean
  /** Placed for a named agent (click-to-call, a call-back by its agent): not routed by the rules. */
  named: boolean
  decided: DecisionSummary
}

export function summarize(decision: RouteDecision): DecisionSummary {
  const first = decision.targets[0]
  const outcome: Outcome = first !== undefined ? { kind: 'agent' }
    : decision.final.kind === 'queue' ? { kind: 'queue', queue: decision.final.queue } : { kind: decision.final.kind }
  return { rule: decision.rule, agent: first?.agentId ?? null, outcome }
}

export function sameDecision(a: DecisionSummary, b: DecisionSummary): boolean {
  return a.rule === b.rule && a.agent === b.agent && describeOutcome(a) === describeOutcome(b)
}

/** "agent a-anna", "queue vip", "voicemail", "reject". */
export function describeOutcome(d: DecisionSummary): string {
  switch (d.outcome.kind) {
    case 'agent':
      return `agent ${d.agent}`
    case 'queue':
      return `queue ${d.outcome.queue}`
    default:
      return d.outcome.kind
  }
}

/** Derived status back to what the agent chose: ringing/busy with calls in progress means available. */
export function presenceOf(row: Pick<AvailabilityRow, 'status' | 'ringing' | 'talking'>): AgentStatus {
  if ((row.status === 'ringing' || row.status === 'busy') && row.ringing + row.talking > 0) return 'available'
  return row.status === 'removed' ? 'offline' : row.status
}
