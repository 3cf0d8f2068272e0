import type { Logger } from 'pino'
import type { InviteStep } from './invite-chain.js'
import type { Refusal } from './sip-call.js'

/** Consecutive lag samples that must all be over the limit. */
const SUSTAINED_SAMPLES = 3

/** Why an INVITE was shed. */
export type ShedCause = 'calls-deciding' | 'loop-lag'

export interface OverloadGuardOptions {
  /** INVITEs being decided at once at most (identified, routed, not yet answered); 0: no limit. */
  maxDeciding: number
  /** Event-loop lag (ms) past which new INVITEs are shed; 0: not watched. */
  maxLagMs: number
  /** Retry-After of the 503, seconds. */
  retryAfterSeconds: number
  logger: Logger
  now: () => number
  /** Told of every INVITE shed (the metrics). */
  onShed?: (cause: ShedCause) => void
  /** How often the event loop's lag is sampled (ms). */
  sampleEveryMs?: number
}

/**
 * Past capacity, a call is refused at once with 503 and Retry-After instead of
 * being answered too late (the caller's side retransmits, then gives up, while
 * the server works on what nobody waits for any more). Capacity is the number
 * of INVITEs being decided at once, and the event loop's lag: a process that
 * is this late answers nothing in time. Each shed call is counted, and the log
 * gets one line a second at most.
 */
export class OverloadGuard {
  private deciding = 0
  private lagMs = 0
  private readonly timer: NodeJS.Timeout | undefined
  private shedSinceLine = 0
  private lastLineAt = Number.NEGATIVE_INFINITY

  constructor(private readonly options: OverloadGuardOptions) {
    const every = options.sampleEveryMs ?? 20
    if (options.maxLagMs > 0) {
      // A timer's lateness is the loop's lag. The least of the last few samples counts: a lag that
      // lasts, not one pause (a garbage collection, a large response) the loop has already caught up on.
      const recent: number[] = []
      let expected = performance.now() + every
      this.timer = setInterval(() => {
        const at = performance.now()
        recent.push(Math.max(0, at - expected))
        if (recent.length > SUSTAINED_SAMPLES) recent.shift()
        this.lagMs = Math.min(...recent)
        expected = at + every
      }, every)
      this.timer.unref()
    }
  }

  /** INVITEs being decided now. */
  get inFlight(): number {
    return this.deciding
  }

  /** The last sampled event-loop lag, ms. */
  get lag(): number {
    return this.lagMs
  }

  /** Why a new INVITE cannot be taken now, or null when it can. */
  overloaded(): ShedCause | null {
    const { maxDeciding, maxLagMs } = this.options
    if (maxDeciding > 0 && this.deciding >= maxDeciding) return 'calls-deciding'
    if (maxLagMs > 0 && this.lagMs > maxLagMs) return 'loop-lag'
    return null
  }

  /** Wraps the routing step: sheds before it, and counts the INVITEs inside it. */
  guard(route: InviteStep): InviteStep {
    return {
      name: route.name,
      run: async (call, deps) => {
        const cause = this.overloaded()
        if (cause) return this.shed(cause)
        this.deciding++
        try {
          return await route.run(call, deps)
        } finally {
          this.deciding--
        }
      }
    }
  }

  close(): void {
    clearInterval(this.timer)
  }

  private shed(cause: ShedCause): Refusal {
    const { maxDeciding, maxLagMs, retryAfterSeconds, logger, now } = this.options
    this.options.onShed?.(cause)
    this.shedSinceLine++
    const at = now()
    const why = cause === 'calls-deciding' ? `overloaded: ${this.deciding} calls being decided (limit ${maxDeciding})` : `overloaded: event loop ${Math.round(this.lagMs)} ms late (limit ${maxLagMs} ms)`
    if (at - this.lastLineAt >= 1000) {
      logger.warn(
        { shed: this.shedSinceLine, cause, deciding: this.deciding, lagMs: Math.round(this.lagMs), metric: 'cti_sip_calls_shed_total' },
        `overloaded: INVITEs answered 503 with Retry-After ${retryAfterSeconds} s (${why}); add capacity or lower the offered load`
      )
      this.shedSinceLine = 0
      this.lastLineAt = at
    }
    return { status: 503, headers: { 'Retry-After': String(retryAfterSeconds) }, outcome: 'rejected', why, logged: true }
  }
}
