import type { Logger } from 'pino'
import type { CallOutcome } from '../../calls/call-record.js'
import type { InteractionEvent, RoutedInteraction, RouteRequest } from '../../interactions/interaction-router.js'
import type { OfferFailure } from '../../routing/call-router.js'
import type { RouteDecision } from '../../routing/types.js'
import type { CallerParty } from './call-parties.js'
import type { SrfRequest, SrfResponse } from './drachtio.js'
import type { QueueWait } from './queue-wait.js'

/** The call lifecycle the adapter drives (the App's InteractionRouter). */
export interface CallLifecycle {
  route(request: RouteRequest & { callerName?: string | null; ringTimer?: boolean }): Promise<RoutedInteraction>
  /** Resolves when the offered agent may be rung: their card went out, or the bounded wait ran out. */
  beforeRing(callId: string, agentId: string): Promise<unknown>
  ringing(callId: string, agentId: string): void
  failed(callId: string, agentId: string, why: OfferFailure): Promise<RouteDecision | null>
  answered(callId: string, agentId: string): boolean
  ended(callId: string, end?: { outcome?: CallOutcome; cause?: string }): boolean
  note(callId: string, kind: string, data?: Record<string, unknown>, agentId?: string): void
  /** What happens to interactions after routing; the adapter follows the waits of its calls in queues. */
  onEvent?(listener: (event: InteractionEvent) => unknown): void
}

/** A call refused before it was routed (bad input), for the call records. */
export interface UnroutedCall {
  callId: string
  channel: 'sip'
  direction: 'inbound'
  caller: string | null
  callerName: string | null
  dialed: string | null
  outcome: CallOutcome
  reason: string
  at: number
}

/** Where calls refused before routing are recorded (the App's call recorder). */
export interface UnroutedCallRecorder {
  recordUnrouted(call: UnroutedCall): void
}

/** How a step refuses a call: the SIP answer, the outcome for the record, and why, in words. */
export interface Refusal {
  status: number
  reason?: string
  headers?: Record<string, string>
  outcome: CallOutcome
  why: string
  /** The step logs (or counts) such refusals itself: no line per call (shedding under overload). */
  logged?: boolean
}

/**
 * One INVITE from arrival to its end: the request and response, a logger
 * carrying the Call-ID, and what the steps so far learned about it.
 */
export class SipCall {
  caller: CallerParty | null = null
  dialed: string | null = null
  routed: RoutedInteraction | null = null
  /** True once the caller sent CANCEL: whatever is in progress stops. */
  cancelled = false
  /**
   * True once the connection to drachtio-server was lost while the call was held: drachtio-server
   * forgets a lost connection's transactions and dialogs, so nothing more can be sent or heard for it.
   */
  lost = false
  /** True once caller and agent are connected (in path): the call was answered whatever ends it. */
  talking = false
  /** True while the core is deciding: a CANCEL then leaves the ending to the routing step. */
  routing = false
  /** True once the call's end went to the records. */
  endRecorded = false
  /** What to stop when the caller cancels (the B leg ringing now). */
  onCancel: (() => void) | null = null
  /** What to give up when the connection is lost (the B leg ringing now, whose answer can never come). */
  onLost: (() => void) | null = null
  /** While the call waits in a queue (in path): its 182 Queued and the decision it waits for. */
  queueWait: QueueWait | null = null
  readonly arrivedAt: number

  constructor(
    readonly callId: string,
    readonly req: SrfRequest,
    readonly res: SrfResponse,
    readonly log: Logger,
    now: number
  ) {
    this.arrivedAt = now
  }

  /** True once the caller cancelled or the connection was lost: no step may carry the call on. */
  get stopped(): boolean {
    return this.cancelled || this.lost
  }

  /** True once a final response went to the caller. */
  get answered(): boolean {
    return this.res.finished === true
  }

  /** Sends a final (or provisional) response unless a final one went already; never throws. */
  respond(status: number, headers: Record<string, string> = {}, reason?: string): void {
    if (this.answered) return
    const opts = { headers }
    const done = (err: unknown) => {
      if (!err) return
      // drachtio-server answers a CANCELled INVITE with 487 itself and refuses ours: nothing is wrong.
      if (this.cancelled && status === 487) this.log.debug({ err }, '487 already sent by drachtio-server')
      else this.log.warn({ err, status }, 'SIP response not sent')
    }
    try {
      if (reason) this.res.send(status, reason, opts, done)
      else this.res.send(status, opts, done)
    } catch (err) {
      this.log.warn({ err, status }, 'SIP response not sent')
    }
  }
}
