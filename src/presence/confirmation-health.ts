import type { StoreReadiness } from './agent-state-store.js'
import type { RedisLink } from './redis-link.js'

/** How long /ready and the degraded gauge report a reservation Redis did not confirm in time. */
const UNCONFIRMED_REPORTED_MS = 10_000

/** What became of a reservation Redis did not confirm: withdrawn after timing out, or kept on the replica while Redis is unreachable. */
export type UnconfirmedOutcome = 'withdrawn' | 'kept'

/**
 * Whether the agent states shared through Redis can be trusted right now, for /ready, the metrics
 * and the answers: not while Redis is unreachable, nor for a while after it failed to confirm a
 * reservation in time (the agents it could not confirm were skipped).
 */
export class ConfirmationHealth {
  private readonly listeners: ((outcome: UnconfirmedOutcome) => void)[] = []
  private lastWithdrawnAt: number | null = null

  constructor(private readonly options: { link: RedisLink; now: () => number }) {}

  /** Tells `listener` of every reservation Redis did not confirm. */
  onUnconfirmed(listener: (outcome: UnconfirmedOutcome) => void): void {
    this.listeners.push(listener)
  }

  unconfirmed(outcome: UnconfirmedOutcome): void {
    if (outcome === 'withdrawn') this.lastWithdrawnAt = this.options.now()
    for (const listener of this.listeners) listener(outcome)
  }

  /** Why the shared states are degraded now; null when they are not. */
  degradedReason(): 'redis-unreachable' | 'redis-timeout' | null {
    if (this.options.link.downSince !== null) return 'redis-unreachable'
    return this.withdrawnRecently() ? 'redis-timeout' : null
  }

  readiness(): StoreReadiness {
    const since = this.options.link.downSince
    if (since !== null) return { ok: false, detail: `Redis unreachable since ${new Date(since).toISOString()}; routing on this process's replica (degraded)` }
    if (this.withdrawnRecently()) {
      return { ok: false, detail: `Redis did not confirm a reservation within REDIS_TIMEOUT_MS at ${new Date(this.lastWithdrawnAt!).toISOString()}; agents it cannot confirm are skipped (degraded)` }
    }
    return { ok: true, detail: 'agent states shared' }
  }

  private withdrawnRecently(): boolean {
    return this.lastWithdrawnAt !== null && this.options.now() - this.lastWithdrawnAt < UNCONFIRMED_REPORTED_MS
  }
}
