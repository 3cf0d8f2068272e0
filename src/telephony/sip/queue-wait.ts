import type { RouteDecision } from '../../routing/types.js'
import { waitSeconds, type QueueSpot } from '../queue-spot.js'
import type { SipCall } from './sip-call.js'

/** The headers that tell the caller's side (and any proxy or PBX) where the call stands. */
export function queueHeaders(spot: QueueSpot): Record<string, string> {
  return { 'X-Queue-Name': spot.queue, 'X-Queue-Position': String(spot.position), 'X-Queue-Estimated-Wait': String(waitSeconds(spot)) }
}

/**
 * A caller's INVITE held while the call waits in a queue (in path): `182 Queued` at once,
 * again whenever the position or estimate changes, and every `refreshSeconds` so that no
 * proxy on the way times the INVITE out (RFC 3261 proxies give up after 3 minutes of
 * silence). Settles with the next decision: an agent chosen ('offered'), or the queue's
 * overflow ('final'); with null when the call stopped (CANCEL, connection lost).
 */
export class QueueWait {
  private spot: QueueSpot
  private timer: NodeJS.Timeout | null = null
  private settle: ((decision: RouteDecision | null) => void) | null = null
  private outcome: RouteDecision | null | undefined = undefined
  /** 182s sent to the caller so far (the first and every refresh or move). */
  sent = 0
  /** When this wait began (monotonic ms), for the X-Queue-Waited header that tells one refresh from the last. */
  private readonly startedAt = performance.now()

  constructor(
    private readonly call: SipCall,
    spot: QueueSpot,
    private readonly refreshSeconds: number
  ) {
    this.spot = spot
  }

  /** Sends the first 182 and starts the refresh; resolves as described above. */
  wait(): Promise<RouteDecision | null> {
    if (this.outcome !== undefined) return Promise.resolve(this.outcome)
    this.announce()
    this.timer = setInterval(() => this.announce(), this.refreshSeconds * 1000)
    // A waiting caller never keeps a stopping process alive: the stop ends the call anyway.
    this.timer.unref()
    return new Promise((resolve) => {
      this.settle = resolve
    })
  }

  get current(): Readonly<QueueSpot> {
    return this.spot
  }

  /** The queue moved: the caller is told the new position at once (if the wait has begun). */
  moved(spot: QueueSpot): void {
    const changed = spot.position !== this.spot.position || spot.estimatedWaitSeconds !== this.spot.estimatedWaitSeconds
    this.spot = spot
    if (changed && this.timer) this.announce()
  }

  /** The wait is over with this decision (an agent to ring, or the final action), or null: stop. */
  done(decision: RouteDecision | null): void {
    if (this.outcome !== undefined) return
    this.outcome = decision
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.settle?.(decision)
  }

  private announce(): void {
    if (this.call.stopped || this.call.answered) return
    const { position, estimatedWaitSeconds } = this.spot
    this.sent++
    const waited = String(Math.floor((performance.now() - this.startedAt) / 1000))
    this.call.respond(182, { ...queueHeaders(this.spot), 'X-Queue-Waited': waited }, `Queued (position ${position}, about ${waitSeconds(this.spot)} s)`)
    this.call.log.debug({ queue: this.spot.queue, position, estimatedWaitSeconds }, '182 Queued sent')
  }
}
