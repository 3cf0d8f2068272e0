import type { Logger } from 'pino'
import { isConnectionError } from '../errors.js'

export interface BackgroundJobsOptions {
  logger: Logger
  /** Jobs waiting or running at most; past it a new job is dropped with an error log. */
  maxPending?: number
  /** Waits before each retry of a job that met an unreachable database; then it is given up. */
  retryDelaysMs?: readonly number[]
}

const DEFAULT_RETRY_DELAYS_MS = [250, 1000, 5000, 15_000, 30_000, 60_000]
const DEFAULT_MAX_PENDING = 10_000

/**
 * Runs the database work of the CRM workflows (leads, call-back tasks) off the
 * call path. A job that meets an unreachable database is retried with growing
 * waits, so that a short outage loses nothing; any other failure is logged
 * with the job's context and not retried (it would fail the same way).
 */
export class BackgroundJobs {
  private readonly running = new Set<Promise<unknown>>()
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>()
  private readonly delays: readonly number[]
  private readonly maxPending: number
  private closed = false

  constructor(private readonly options: BackgroundJobsOptions) {
    this.delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING
  }

  /** Jobs running or waiting for a retry. */
  get pending(): number {
    return this.running.size
  }

  /** Starts a job now; the promise resolves with its result, or undefined when it failed or was given up (never rejects). */
  run<T>(name: string, context: Record<string, unknown>, job: () => Promise<T>): Promise<T | undefined> {
    if (this.closed) return Promise.resolve(undefined)
    if (this.running.size >= this.maxPending) {
      this.options.logger.error({ job: name, ...context, maxPending: this.maxPending }, 'too many workflow jobs pending; job dropped')
      return Promise.resolve(undefined)
    }
    const done = this.attempt(name, context, job)
    this.running.add(done)
    void done.finally(() => this.running.delete(done))
    return done
  }

  /** Resolves once no job is running or waiting for a retry. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running])
  }

  /** Stops retrying: jobs waiting for a retry are given up; running ones finish on their own. */
  close(): void {
    this.closed = true
    for (const sleeper of this.sleepers) {
      clearTimeout(sleeper.timer)
      sleeper.wake()
    }
    this.sleepers.clear()
  }

  private async attempt<T>(name: string, context: Record<string, unknown>, job: () => Promise<T>): Promise<T | undefined> {
    const { logger } = this.options
    for (let tries = 0; ; tries++) {
      try {
        return await job()
      } catch (err) {
        if (!isConnectionError(err)) {
          logger.error({ err, job: name, ...context }, 'workflow job failed')
          return undefined
        }
        const delay = this.delays[tries]
        if (delay === undefined || this.closed) {
          logger.error({ err, job: name, ...context, tries: tries + 1 }, 'workflow job given up: the database stayed unreachable')
          return undefined
        }
        logger.warn({ err, job: name, ...context, retryInMs: delay }, 'database unreachable; workflow job will be retried')
        await this.sleep(delay)
        if (this.closed) return undefined
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper)
          resolve()
        }, ms),
        wake: resolve
      }
      sleeper.timer.unref()
      this.sleepers.add(sleeper)
    })
  }
}
