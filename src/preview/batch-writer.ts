/**
 * A small background writer for rows that only replay reads (availability log, call facts, shadow
 * decisions): enqueue returns at once; rows are written in batches after a short linger. While the
 * database refuses writes for a reason that is not the rows' own (unreachable, read-only, full),
 * the rows are kept and retried with growing pauses, up to `maxQueue` rows (then the oldest go,
 * counted and logged). A batch the database can never take is dropped with one error log.
 */
import type { Logger } from 'pino'
import { describeWriteError, isOwnFault } from '../durability/write-failure.js'

export interface BatchWriterOptions<T> {
  name: string
  write: (rows: readonly T[]) => Promise<unknown>
  logger: Logger
  batchSize?: number
  lingerMs?: number
  maxQueue?: number
  retryMs?: { first: number; max: number }
}

export class BatchWriter<T> {
  private queue: T[] = []
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> | null = null
  private retryDelay: number
  private closed = false
  /** The last write was refused and is to be tried again. */
  private failing = false
  written = 0
  dropped = 0
  private readonly batchSize: number
  private readonly lingerMs: number
  private readonly maxQueue: number
  private readonly retryMs: { first: number; max: number }

  constructor(private readonly o: BatchWriterOptions<T>) {
    this.batchSize = o.batchSize ?? 1000
    this.lingerMs = o.lingerMs ?? 200
    this.maxQueue = o.maxQueue ?? 200_000
    this.retryMs = o.retryMs ?? { first: 250, max: 5000 }
    this.retryDelay = this.retryMs.first
  }

  get pending(): number {
    return this.queue.length
  }

  enqueue(row: T): void {
    if (this.closed) return
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift()
      if (this.dropped++ % 10_000 === 0) this.o.logger.error({ writer: this.o.name, maxQueue: this.maxQueue, dropped: this.dropped }, 'rows kept for rules preview are dropped: the database has not taken them for too long')
    }
    this.queue.push(row)
    this.schedule(this.queue.length >= this.batchSize ? 0 : this.lingerMs)
  }

  /** Resolves once what is queued now is written (or the writer gave up on it). */
  async flush(): Promise<void> {
    while ((this.queue.length > 0 || this.writing) && !this.closed) {
      if (this.failing) await new Promise((resolve) => setTimeout(resolve, this.retryDelay))
      clearTimeout(this.timer)
      this.timer = undefined
      await (this.writing ?? this.writeBatch())
    }
  }

  /** Writes what it can within `timeoutMs`, then stops; what is left is logged as a count. */
  async close(timeoutMs = 3000): Promise<void> {
    let timeout: NodeJS.Timeout | undefined
    await Promise.race([this.flush(), new Promise((resolve) => (timeout = setTimeout(resolve, timeoutMs)))])
    clearTimeout(timeout)
    clearTimeout(this.timer)
    this.closed = true
    if (this.queue.length > 0) this.o.logger.warn({ writer: this.o.name, left: this.queue.length }, 'rows kept for rules preview not written before shutdown')
  }

  private schedule(delayMs: number): void {
    if (this.writing || this.closed) return
    if (this.timer && delayMs > 0) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.writeBatch(), delayMs)
  }

  private writeBatch(): Promise<void> {
    this.timer = undefined
    if (this.writing) return this.writing
    const batch = this.queue.splice(0, this.batchSize)
    if (batch.length === 0) return Promise.resolve()
    this.writing = this.o.write(batch).then(
      () => {
        this.written += batch.length
        this.failing = false
        this.retryDelay = this.retryMs.first
        return this.lingerMs
      },
      (err: unknown) => {
        if (isOwnFault(err)) {
          this.dropped += batch.length
          this.o.logger.error({ writer: this.o.name, rows: batch.length, err: describeWriteError(err) }, 'rows kept for rules preview refused by the database for good; dropped')
          return 0
        }
        this.queue = batch.concat(this.queue)
        this.failing = true
        const delay = this.retryDelay
        this.retryDelay = Math.min(this.retryMs.max, this.retryDelay * 2)
        this.o.logger.warn({ writer: this.o.name, rows: this.queue.length, retryInMs: delay, err: describeWriteError(err) }, 'rows kept for rules preview not written yet; retrying')
        return delay
      }
    ).then((next) => {
      this.writing = null
      if (this.queue.length > 0 && !this.closed) this.schedule(Math.max(1, next))
    })
    return this.writing
  }
}
