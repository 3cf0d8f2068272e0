import type { Channel, InteractionKind } from '../routing/types.js'

/** How an interaction ended, as reports count it. */
export type CallOutcome =
  /** An agent took it. */
  | 'answered'
  /** Offered, nobody answered (every target failed, or the final action was voicemail or a queue). */
  | 'missed'
  /** The caller hung up before anybody answered. */
  | 'abandoned'
  /** The agent's line was busy and nobody else could take it. */
  | 'busy'
  /** Refused by the rules (blocked number, closed line) or refused before routing (bad input). */
  | 'rejected'
  /** The telephony side failed (a Redirect or Originate refused, the channel gone). */
  | 'failed'
  /** Handed back to the PBX with a list of agents to ring (SIP 302): what followed is the PBX's. */
  | 'redirected'

export const CALL_OUTCOMES: readonly CallOutcome[] = ['answered', 'missed', 'abandoned', 'busy', 'rejected', 'failed', 'redirected']

/** One step of a call, in the order it happened. */
export interface CallStep {
  at: number
  /** routed, offered, ringing, offer-failed, final, answered, ended, or an adapter's own (sip-302, redirect-failed…). */
  kind: string
  agentId: string | null
  data: Record<string, unknown> | null
}

/** Everything known of one call; written once, when it ends (or at shutdown while still in progress). */
export interface CallRecord {
  id: string
  kind: InteractionKind
  channel: Channel
  direction: 'inbound' | 'outbound'
  caller: string | null
  callerName: string | null
  dialed: string | null
  customerId: number | null
  leadId: number | null
  /** The agent who answered, else the last one offered. */
  agentId: string | null
  rule: string | null
  source: string | null
  campaign: string | null
  /** Null while the call is still in progress. */
  outcome: CallOutcome | null
  endCause: string | null
  finalAction: string | null
  degraded: boolean
  offeredAt: number
  routedAt: number | null
  ringingAt: number | null
  answeredAt: number | null
  endedAt: number | null
  /** The first decision's trace, for "why did this call go there?". */
  trace: unknown
  steps: CallStep[]
}

/** Seconds the caller waited (until answered, or until the end when nobody answered) and talked. */
export function durations(record: CallRecord): { waitSeconds: number | null; talkSeconds: number | null } {
  const waitEnd = record.answeredAt ?? record.endedAt
  const waitSeconds = waitEnd === null ? null : Math.max(0, waitEnd - record.offeredAt) / 1000
  const talkSeconds = record.answeredAt !== null && record.endedAt !== null ? Math.max(0, record.endedAt - record.answeredAt) / 1000 : null
  return { waitSeconds, talkSeconds }
}
