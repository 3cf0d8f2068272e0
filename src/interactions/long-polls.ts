import type { CallOutcome } from '../calls/call-record.js'
import type { RouteDecision } from '../routing/types.js'
import type { QueuedPosition } from '../routing/waiting/types.js'
import type { InteractionEvent } from './interaction-types.js'
import type { InteractionRouter } from './interaction-router.js'

/** How a long poll on an interaction ends. */
export type WaitOutcome =
  /** An agent was chosen and is reserved (ringing): the PBX rings `decision.targets[0]`. */
  | { status: 'offered'; decision: RouteDecision }
  /** Nobody will take it: the final action applies (an overflow's voicemail or reject). */
  | { status: 'final'; decision: RouteDecision }
  /** The timeout passed and it still waits, at this place. */
  | { status: 'queued'; queued: QueuedPosition }
  /** It ended while the poll waited (the caller hung up, or asked to be called back). */
  | { status: 'ended'; outcome: CallOutcome | null }
  /** No such interaction was routed here. */
  | { status: 'unknown' }
  /** It is over already; `outcome` says how. */
  | { status: 'finished'; outcome: CallOutcome | null }

export interface LongPollsOptions {
  interactions: InteractionRouter
  position: (callId: string) => QueuedPosition | null
  /** How many ended interactions are remembered to tell a finished one (409) from an unknown one (404). */
  rememberEnded?: number
}

interface Poll {
  resolve: (outcome: WaitOutcome) => void
  timer: NodeJS.Timeout
}

/**
 * Long polls of PBXs waiting on an interaction (`POST /v1/interactions/:id/wait`): each resolves
 * at the first of an offer, a final action, the end, or its timeout. Holds nothing per interaction
 * but the polls themselves and a bounded list of recently ended ids.
 */
export class LongPolls {
  private readonly polls = new Map<string, Set<Poll>>()
  private readonly ended = new Map<string, CallOutcome | null>()
  private readonly rememberEnded: number

  constructor(private readonly options: LongPollsOptions) {
    this.rememberEnded = options.rememberEnded ?? 10_000
    options.interactions.onEvent(this.handle)
  }

  waitFor(callId: string, timeoutMs: number): Promise<WaitOutcome> {
    const routed = this.options.interactions.interaction(callId)
    if (!routed) return Promise.resolve(this.ended.has(callId) ? { status: 'finished', outcome: this.ended.get(callId) ?? null } : { status: 'unknown' })
    if (!this.options.position(callId)) return Promise.resolve({ status: routed.decision.targets.length > 0 ? 'offered' : 'final', decision: routed.decision })
    return new Promise((resolve) => {
      const polls = this.polls.get(callId) ?? new Set<Poll>()
      this.polls.set(callId, polls)
      const poll: Poll = {
        resolve,
        timer: setTimeout(() => {
          const position = this.options.position(callId)
          this.settle(callId, position ? { status: 'queued', queued: position } : { status: 'ended', outcome: this.ended.get(callId) ?? null }, poll)
        }, timeoutMs)
      }
      polls.add(poll)
    })
  }

  /** Polls in progress. */
  get waiting(): number {
    let n = 0
    for (const polls of this.polls.values()) n += polls.size
    return n
  }

  /** Ends every poll, as still queued where the call still waits. */
  close(): void {
    for (const callId of [...this.polls.keys()]) {
      const position = this.options.position(callId)
      this.settle(callId, position ? { status: 'queued', queued: position } : { status: 'ended', outcome: null })
    }
  }

  private readonly handle = (event: InteractionEvent): void => {
    if (event.type === 'ended') {
      this.ended.set(event.callId, event.detail.outcome ?? null)
      if (this.ended.size > this.rememberEnded) this.ended.delete(this.ended.keys().next().value as string)
    }
    if (!this.polls.has(event.callId)) return
    if (event.type === 'offered') this.settle(event.callId, { status: 'offered', decision: event.routed.decision })
    else if (event.type === 'final') this.settle(event.callId, { status: 'final', decision: event.decision })
    else if (event.type === 'ended') this.settle(event.callId, { status: 'ended', outcome: event.detail.outcome ?? null })
  }

  /** Resolves one poll, or every poll of the call. */
  private settle(callId: string, outcome: WaitOutcome, only?: Poll): void {
    const polls = this.polls.get(callId)
    if (!polls) return
    for (const poll of only ? [only] : [...polls]) {
      clearTimeout(poll.timer)
      polls.delete(poll)
      poll.resolve(outcome)
    }
    if (polls.size === 0) this.polls.delete(callId)
  }
}
