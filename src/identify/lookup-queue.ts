import { isConnectionError, isPoolWait } from '../errors.js'

interface Waiting {
  start: () => void
  fail: (err: unknown) => void
}

/**
 * Runs caller lookups at most `concurrency` at a time (the size of the identification's own pool),
 * the rest waiting their turn in order. Waiting for a turn is not an outage: a burst queues instead
 * of failing, and the pool is never asked for more connections than it has, so its connect timeout
 * only ever measures connecting. An outage is a lookup that could not reach the database: then the
 * lookups still waiting fail at once with its error, as do new ones that would have to wait, until
 * a lookup reaches the database again. So a burst is never routed as unknown callers, and a dead
 * database costs each call at most one connect or query timeout, not a queue of them.
 */
export class LookupQueue {
  private running = 0
  private readonly waiting: Waiting[] = []
  /** The last lookup's error while the database looks unreachable, else null. */
  private unreachable: unknown = null

  constructor(private readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError('LookupQueue: concurrency must be a positive integer')
  }

  /** Lookups running and waiting now. */
  get size(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length }
  }

  run<T>(lookup: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) return this.start(lookup)
    if (this.unreachable !== null) return Promise.reject(this.unreachable)
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ start: () => void this.start(lookup).then(resolve, reject), fail: reject })
    })
  }

  private async start<T>(lookup: () => Promise<T>): Promise<T> {
    this.running++
    try {
      const result = await lookup()
      this.unreachable = null
      return result
    } catch (err) {
      if (isOutage(err)) {
        this.unreachable = err
        for (const waiting of this.waiting.splice(0)) waiting.fail(err)
      }
      throw err
    } finally {
      this.running--
      this.waiting.shift()?.start()
    }
  }
}

function isOutage(err: unknown): boolean {
  return isConnectionError(err) && !isPoolWait(err)
}
