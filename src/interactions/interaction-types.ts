import type { CallOutcome } from '../calls/call-record.js'
import type { CallerIdentity } from '../identify/identify-caller.js'
import type { OfferFailure } from '../routing/call-router.js'
import type { Channel, InteractionKind, LineInfo, RouteDecision } from '../routing/types.js'
import type { DegradedReason } from './shared-confirmation.js'

/** A request to route something: a call, a web visit, a call-back request. */
export interface RouteRequest {
  /** The caller's number in any format (SIP URI, "8 (916) …"), or null when withheld. */
  caller: string | null
  /** The number they dialed (the line), in any format. */
  dialed: string | null
  /** The adapter's id for the interaction (SIP Call-ID, Asterisk Linkedid); generated when absent. */
  callId?: string
  kind?: InteractionKind
  channel: Channel
  product?: string | null
  /** Decide as if at this instant (explain only). */
  at?: number
  /** The caller's name as the telephony side gave it, when the caller field does not carry it. */
  callerName?: string | null
  /** Outbound for call-backs and click-to-call; inbound otherwise. */
  direction?: 'inbound' | 'outbound'
  /**
   * Whether the server moves to the next target after the ring time (HTTP callers that cannot time
   * ringing themselves). Adapters that ring the phone and report no-answer pass false. Default: the router's.
   */
  ringTimer?: boolean
  /** Offer this agent and nobody else (click-to-call, a call-back placed by its agent). */
  agentId?: string | null
  /**
   * False: decide without holding anybody (a SIP 302 hands the call back to the PBX, which rings the
   * agents itself). The round-robin moves on past the chosen agents as for any offer, but nobody is
   * reserved, so simultaneous interactions are decided as if this one were not there. Default true.
   */
  reserve?: boolean
}

/** How an adapter says an interaction ended; the outcome is worked out when not given. */
export interface EndDetail {
  /** Overrides the computed outcome (answered if answered, rejected by a rule, missed otherwise). */
  outcome?: CallOutcome
  /** The telephony side's reason: a hangup cause, a SIP status. */
  cause?: string
  /** When it ended (epoch ms), when the adapter learns of the end late (a lost Hangup found later); now otherwise. */
  at?: number
}

/** What routing an interaction produced, with everything the caller of the service needs to act on it. */
export interface RoutedInteraction {
  callId: string
  decision: RouteDecision
  caller: CallerIdentity
  line: LineInfo | null
  rulesVersion: string
  /** True when the CRM could not be asked and the caller was routed as unknown. */
  degraded: boolean
  /** Every reason the current decision is degraded, the CRM's included; absent or empty when none. */
  degradedReasons?: DegradedReason[]
  /** Set when the call was handed on by an agent: the card of the new agent tells the story so far. */
  transfer?: TransferStory
}

/** Who handed a call on, and what they said about it. */
export interface TransferStory {
  fromAgentId: string
  fromName: string | null
  note: string | null
}

/** What happened to an interaction after it was routed; adapters and screen-pops listen. */
export type InteractionEvent =
  | { type: 'identified'; callId: string; identity: IdentifiedInteraction }
  | { type: 'routed'; callId: string; routed: RoutedInteraction; request: RoutedRequest }
  | { type: 'offered'; callId: string; agentId: string; ringSeconds: number; routed: RoutedInteraction }
  | { type: 'offer-failed'; callId: string; agentId: string; why: OfferFailure }
  | { type: 'final'; callId: string; decision: RouteDecision }
  | { type: 'ringing'; callId: string; agentId: string }
  | { type: 'answered'; callId: string; agentId: string }
  | { type: 'ended'; callId: string; detail: EndDetail }
  | { type: 'note'; callId: string; kind: string; agentId: string | null; data: Record<string, unknown> | null }
  /**
   * Nobody could take it now: the interaction waits in `queue` at `position` (1 = next), with the
   * estimated wait. Adapters hold the call (SIP 182 Queued, the Asterisk holding context); a 'dequeued'
   * always follows before 'offered' or 'final'.
   */
  | { type: 'queued'; callId: string; queue: string; position: number; estimatedWaitSeconds: number }
  /** The waiting interaction's position or estimate changed; coalesced, at most once a second per call. */
  | { type: 'queue-moved'; callId: string; queue: string; position: number; estimatedWaitSeconds: number }
  /**
   * It left the queue after `waitedMs`: 'served' (an 'offered' follows), 'overflow' (a 'final' with the
   * queue's overflow action follows), 'abandoned' (the caller hung up; 'ended' follows) or 'callback'
   * (the caller hung up asking to be called back; the call-back keeps the place and is placed when served).
   */
  | { type: 'dequeued'; callId: string; queue: string; why: DequeueReason; waitedMs: number }

/** Why an interaction left its queue (see the 'dequeued' event). */
export type DequeueReason = 'served' | 'overflow' | 'abandoned' | 'callback'

/** Who is calling and on which line, known before the decision (for work that can start early, like the card). */
export type IdentifiedInteraction = Pick<RoutedInteraction, 'callId' | 'caller' | 'line' | 'rulesVersion' | 'degraded'>

/** What a 'routed' event tells of the request beyond the decision. */
export interface RoutedRequest {
  kind: InteractionKind
  channel: Channel
  direction: 'inbound' | 'outbound'
  callerName: string | null
  /** The number dialed: E.164 when it is one, else as given (shortened), null when none was. */
  dialed: string | null
  /** When the interaction arrived, epoch ms. */
  at: number
}
