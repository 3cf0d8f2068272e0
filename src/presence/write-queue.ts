import type { Logger } from 'pino'
import type { RedisLink } from './redis-link.js'

/** Writes kept at most while Redis is unreachable; past it the oldest is dropped (re-assertion after the outage covers live calls). */
const MAX_QUEUED = 100_000

type Write = () => Promise<unknown>

/**
 * Writes to the shared store that must not be lost: sent at once while Redis is in sync, kept in
 * order while it is not (or when one fails), and written back in that order when it returns. Every
 * write is idempotent (scripts keyed by call id, presence by when it was chosen), so one that failed
 * after reaching Redis may safely run twice.
 */
export class WriteQueue {
  private readonly queue: Write[] = []
  private retry: NodeJS.Timeout | undefined
  private warned = false

  constructor(private readonly options: { link: RedisLink; logger: Logger }) {}

  get size(): number {
    return this.queue.length
  }

  /**
   * Sends now when Redis is reachable and nothing older waits (during the reconciliation too: the
   * kept writes were sent before, and one connection keeps the order); else keeps it for later.
   */
  now(write: Write): void {
    if (!this.options.link.connected || this.queue.length > 0) return this.later(write)
    attempt(write).catch((err: unknown) => {
      this.options.logger.warn({ err }, 'shared state write failed; kept to write again')
      this.later(write)
      // Failed without the link going down (a timeout): try again shortly.
      if (this.options.link.connected) this.scheduleRetry()
    })
  }

  later(write: Write): void {
    this.queue.push(write)
    if (this.queue.length > MAX_QUEUED) {
      this.queue.shift()
      if (!this.warned) this.options.logger.error({ max: MAX_QUEUED }, 'too many shared state writes kept during the Redis outage; the oldest are dropped')
      this.warned = true
    }
    if (this.options.link.inSync) this.scheduleRetry()
  }

  /**
   * Writes everything kept, in order: each round sends all that is queued at once (one connection
   * runs them in the order sent), until nothing is left. Writes that fail are kept, in order, and
   * the first failure is thrown for the next attempt.
   */
  async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const round = this.queue.splice(0)
      const results = await Promise.allSettled(round.map(attempt))
      const failed = round.filter((_, i) => results[i]!.status === 'rejected')
      if (failed.length > 0) {
        this.queue.unshift(...failed)
        throw (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason
      }
    }
    this.warned = false
  }

  private scheduleRetry(): void {
    if (this.retry) return
    this.retry = setTimeout(() => {
      this.retry = undefined
      if (!this.options.link.inSync) return
      this.drain().catch((err: unknown) => {
        this.options.logger.warn({ err }, 'shared state writes still failing; retrying')
        this.scheduleRetry()
      })
    }, 500)
    this.retry.unref()
  }

  close(): void {
    clearTimeout(this.retry)
  }
}

/** A write's promise, also when the client throws at once instead of rejecting. */
function attempt(write: Write): Promise<unknown> {
  try {
    return write()
  } catch (err) {
    return Promise.reject(err)
  }
}
