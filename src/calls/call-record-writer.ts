import type { Logger } from 'pino'
import { isConnectionError } from '../errors.js'
import type { CallRecord } from './call-record.js'

/** Where records go; the database writer in production, anything in tests. */
export type WriteCallRecords = (records: readonly CallRecord[]) => Promise<void>

export interface CallRecordWriterOptions {
  write: WriteCallRecords
  logger: Logger
  /** Records written per transaction. */
  batchSize?: number
  /** Records waiting at most; past it the oldest is dropped, loudly. */
  maxQueue?: number
  /** How long a record may wait for companions before a batch is written. */
  lingerMs?: number
  /** First and largest pause between attempts while the database is unreachable. */
  retryMs?: { first: number; max: number }
}

const FOREIGN_KEY_VIOLATION = '23503'

/**
 * Takes finished call records from the call path without ever making it wait,
 * and writes them in batches. While the database is unreachable records stay
 * queued (bounded) and are written when it returns; a record the database
 * refuses for a dangling reference is written without the reference.
 */
export class CallRecordWriter {
  private queue: CallRecord[] = []
  private writing = false
  private timer: NodeJS.Timeout | undefined
  private retryDelay: number
  private waiters: (() => void)[] = []
  private closed = false
  /** Records dropped because the queue was full or the database refused them outright. */
  dropped = 0
  /** Records written since start. */
  written = 0
  private readonly batchSize: number
  private readonly maxQueue: number
  private readonly lingerMs: number
  private readonly retryMs: { first: number; max: number }

  constructor(private readonly options: CallRecordWriterOptions) {
    this.batchSize = options.batchSize ?? 500
    this.maxQueue = options.maxQueue ?? 100_000
    this.lingerMs = options.lingerMs ?? 20
    this.retryMs = options.retryMs ?? { first: 250, max: 5000 }
    this.retryDelay = this.retryMs.first
  }

  /** Records waiting to be written. */
  get pending(): number {
    return this.queue.length
  }

  /** Queues a record; returns at once. */
  enqueue(record: CallRecord): void {
    if (this.queue.length >= this.maxQueue) {
      const lost = this.queue.shift()!
      this.dropped++
      this.options.logger.error({ callId: lost.id, record: lost, maxQueue: this.maxQueue }, 'call record queue full: oldest record dropped (the database has been unreachable too long)')
    }
    this.queue.push(record)
    this.schedule(this.queue.length >= this.batchSize ? 0 : this.lingerMs)
  }

  /** Resolves once every record queued so far is written (waits through an outage). */
  flush(): Promise<void> {
    if (this.queue.length === 0 && !this.writing) return Promise.resolve()
    this.schedule(0)
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Writes what it can within `timeoutMs`, then stops; what is left is logged record by record. */
  async close(timeoutMs = 5000): Promise<void> {
    let timeout: NodeJS.Timeout | undefined
    const gaveUp = new Promise<'timeout'>((resolve) => (timeout = setTimeout(() => resolve('timeout'), timeoutMs)))
    const result = await Promise.race([this.flush(), gaveUp])
    clearTimeout(timeout)
    this.closed = true
    clearTimeout(this.timer)
    if (result === 'timeout' && this.queue.length > 0) {
      for (const record of this.queue) this.options.logger.error({ callId: record.id, record }, 'call record not written before shutdown')
      this.options.logger.error({ count: this.queue.length }, 'call records left unwritten at shutdown (listed above)')
    }
  }

  private schedule(delayMs: number): void {
    if (this.writing || this.closed) return
    if (this.timer && delayMs > 0) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.writeBatch(), delayMs)
  }

  private async writeBatch(): Promise<void> {
    this.timer = undefined
    if (this.writing || this.queue.length === 0) return this.settle()
    this.writing = true
    const batch = this.queue.slice(0, this.batchSize)
    let retry = false
    try {
      await this.options.write(batch)
      this.accept(batch)
    } catch (err) {
      if (isConnectionError(err)) {
        retry = true
        this.options.logger.warn({ err, pending: this.queue.length, retryInMs: this.retryDelay }, 'call records not written: database unreachable; kept and retried')
      } else {
        // One bad record must not hold back the others: write them one by one.
        this.options.logger.warn({ err, records: batch.length }, 'call record batch refused; writing its records one by one')
        retry = !(await this.writeOneByOne(batch))
      }
    }
    this.writing = false
    if (this.closed) return this.settle()
    if (retry) {
      this.timer = setTimeout(() => void this.writeBatch(), this.retryDelay)
      this.retryDelay = Math.min(this.retryDelay * 2, this.retryMs.max)
      return
    }
    this.retryDelay = this.retryMs.first
    if (this.queue.length > 0) this.schedule(0)
    else this.settle()
  }

  /** False when the database went away meanwhile (the rest stays queued). */
  private async writeOneByOne(batch: CallRecord[]): Promise<boolean> {
    for (const record of batch) {
      try {
        await this.writeOne(record)
      } catch (err) {
        if (isConnectionError(err)) return false
        this.dropped++
        this.options.logger.error({ err, callId: record.id, record }, 'call record refused by the database; it is logged here in full')
      }
      this.accept([record])
    }
    return true
  }

  private async writeOne(record: CallRecord): Promise<void> {
    try {
      await this.options.write([record])
    } catch (err) {
      if ((err as { code?: string }).code !== FOREIGN_KEY_VIOLATION) throw err
      // The customer was deleted meanwhile: keep the call, note whom it was about.
      this.options.logger.warn({ callId: record.id, customerId: record.customerId }, 'call record names a customer that no longer exists; written without it')
      const steps = [...record.steps, { at: record.endedAt ?? record.offeredAt, kind: 'reference-dropped', agentId: null, data: { customerId: record.customerId } }]
      await this.options.write([{ ...record, customerId: null, steps }])
    }
  }

  /** Removes records handled; they are at the front unless the queue overflowed meanwhile. */
  private accept(records: readonly CallRecord[]): void {
    const done = new Set(records)
    let front = 0
    while (front < this.queue.length && done.has(this.queue[front]!)) front++
    if (front === records.length) this.queue.splice(0, front)
    else this.queue = this.queue.filter((record) => !done.has(record))
    this.written += records.length
  }

  private settle(): void {
    if (this.queue.length > 0 || this.writing) return
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve()
  }
}
