import type { Logger } from 'pino'
import type { DeadLetters } from '../durability/dead-letters.js'
import type { SpillJournal } from '../durability/spill-journal.js'
import { isOwnFault, sqlState } from '../durability/write-failure.js'
import type { WriteHealth } from '../durability/write-health.js'
import { isConnectionError } from '../errors.js'
import type { CallRecord } from './call-record.js'

/** Where records go; the database writer in production, anything in tests. */
export type WriteCallRecords = (records: readonly CallRecord[]) => Promise<unknown>

export interface CallRecordWriterOptions {
  write: WriteCallRecords
  logger: Logger
  /** Records written per transaction. */
  batchSize?: number
  /** Records held in memory at most; past it they go to the journal (without one, the oldest is dropped, loudly). */
  maxQueue?: number
  /** How long a record may wait for companions before a batch is written. */
  lingerMs?: number
  /** First and largest pause between attempts while the database refuses writes. */
  retryMs?: { first: number; max: number }
  /** Takes what the full queue cannot, and at shutdown what was not written; read back once the queue has room. */
  journal?: SpillJournal<CallRecord>
  /** Keeps a record the database can never take; without it such a record is logged in full. */
  deadLetters?: Pick<DeadLetters, 'keep'>
  /** Told of every refusal and success, for /ready. */
  health?: WriteHealth
}

const FOREIGN_KEY_VIOLATION = '23503'
const WRITER = 'call records'

/**
 * Takes finished call records from the call path without ever making it wait,
 * and writes them in batches. A refusal that is not a record's own fault
 * (database unreachable, read-only, out of disk…) keeps every record, retried
 * with growing pauses; past `maxQueue` they spill to the journal file, so none
 * is dropped. A record the database can never take goes to the dead letters;
 * one that names a customer deleted meanwhile is written without it.
 */
export class CallRecordWriter {
  private queue: CallRecord[] = []
  private writing = false
  private timer: NodeJS.Timeout | undefined
  private retryDelay: number
  private waiters: (() => void)[] = []
  private closed = false
  /** Records lost: dropped from a full queue with no journal, or refused with nowhere to keep them. */
  dropped = 0
  /** Records written since start. */
  written = 0
  /** Records refused for good and kept as dead letters. */
  deadLettered = 0
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

  /** Records waiting in memory to be written (the journal holds any others). */
  get pending(): number {
    return this.queue.length
  }

  /** Takes up the records a previous run left in the journal; they are written before newer ones. */
  async start(): Promise<void> {
    await this.options.journal?.recover()
    if (this.options.journal?.hasPending) this.schedule(0)
  }

  /** Queues a record; returns at once. */
  enqueue(record: CallRecord): void {
    const { journal, logger } = this.options
    if (journal && (journal.hasPending || this.queue.length >= this.maxQueue)) {
      // Once spilling, everything goes to the journal until it is written: records keep their order.
      if (!journal.hasPending) logger.warn({ maxQueue: this.maxQueue, pending: this.queue.length }, 'call record queue full: records go to the journal file until the database takes them')
      journal.append(record)
      this.schedule(this.lingerMs)
      return
    }
    if (this.queue.length >= this.maxQueue) {
      const lost = this.queue.shift()!
      this.dropped++
      logger.error({ callId: lost.id, record: lost, maxQueue: this.maxQueue }, 'call record queue full: oldest record dropped (the database has been unreachable too long)')
    }
    this.queue.push(record)
    this.schedule(this.queue.length >= this.batchSize ? 0 : this.lingerMs)
  }

  /** Resolves once every record queued or journaled so far is written (waits through an outage). */
  flush(): Promise<void> {
    if (this.idle()) return Promise.resolve()
    this.schedule(0)
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Writes what it can within `timeoutMs`, then stops; what is left goes to the journal (or, without one, to the log record by record). */
  async close(timeoutMs = 5000): Promise<void> {
    let timeout: NodeJS.Timeout | undefined
    const gaveUp = new Promise<'timeout'>((resolve) => (timeout = setTimeout(() => resolve('timeout'), timeoutMs)))
    await Promise.race([this.flush(), gaveUp])
    clearTimeout(timeout)
    this.closed = true
    clearTimeout(this.timer)
    const { journal, logger } = this.options
    const left = this.queue
    if (left.length > 0 && journal) {
      for (const record of left) journal.append(record)
      logger.warn({ count: left.length, file: journal.path }, 'call records not written before shutdown are kept in the journal; the next start writes them')
    } else if (left.length > 0) {
      for (const record of left) logger.error({ callId: record.id, record }, 'call record not written before shutdown')
      logger.error({ count: left.length }, 'call records left unwritten at shutdown (listed above)')
    }
    await journal?.close()
  }

  private idle(): boolean {
    return this.queue.length === 0 && !this.writing && !this.options.journal?.hasPending
  }

  private schedule(delayMs: number): void {
    if (this.writing || this.closed) return
    if (this.timer && delayMs > 0) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.writeBatch(), delayMs)
  }

  private async writeBatch(): Promise<void> {
    this.timer = undefined
    if (this.writing) return
    this.writing = true
    let done: boolean
    try {
      done = await this.writeNext()
    } catch (err) {
      // The journal or the dead-letter file failed (a full disk): nothing was let go, so try again later.
      this.options.logger.error({ err }, 'call records kept in memory: their journal or dead-letter file could not be written')
      done = false
    }
    this.writing = false
    if (this.closed) return this.settle()
    if (!done) {
      this.timer = setTimeout(() => void this.writeBatch(), this.retryDelay)
      this.retryDelay = Math.min(this.retryDelay * 2, this.retryMs.max)
      return
    }
    this.retryDelay = this.retryMs.first
    if (!this.idle()) this.schedule(0)
    else this.settle()
  }

  /** Writes the next batch from the queue, else from the journal; false when the database refused it for now. */
  private async writeNext(): Promise<boolean> {
    if (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.batchSize)
      const handled = await this.writeRecords(batch)
      this.accept(batch.slice(0, handled))
      return handled === batch.length
    }
    const journal = this.options.journal
    if (!journal?.hasPending) return true
    const { items, ends, unreadable, next } = await journal.read(this.batchSize)
    for (const line of unreadable) await this.keep({ source: 'call-record', kind: 'journal-line', ref: null, payload: line, error: new SyntaxError('journal line does not parse') })
    const handled = await this.writeRecords(items)
    if (handled === items.length) await journal.consumed(next)
    else if (handled > 0) await journal.consumed(ends[handled - 1]!)
    return handled === items.length
  }

  /** How many records from the front were dealt with (written or kept as dead letters) before the database refused for now. */
  private async writeRecords(batch: readonly CallRecord[]): Promise<number> {
    if (batch.length === 0) return 0
    try {
      await this.options.write(batch)
      this.options.health?.succeeded(WRITER)
      this.written += batch.length
      return batch.length
    } catch (err) {
      if (!isOwnFault(err)) return this.refusedForNow(err, batch.length)
      // One bad record must not hold back the others: write them one by one.
      this.options.logger.warn({ err, records: batch.length }, 'call record batch refused; writing its records one by one')
    }
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i]!
      try {
        await this.writeOne(record)
        this.options.health?.succeeded(WRITER)
        this.written++
      } catch (err) {
        if (!isOwnFault(err)) return this.refusedForNow(err, batch.length - i, i)
        await this.keep({ source: 'call-record', kind: record.channel, ref: record.id, payload: record, error: err })
      }
    }
    return batch.length
  }

  private refusedForNow(err: unknown, kept: number, handled = 0): number {
    if (isConnectionError(err)) {
      this.options.logger.warn({ err, kept, retryInMs: this.retryDelay }, 'call records not written: database unreachable; kept and retried')
    } else {
      this.options.health?.failed(WRITER, err)
      this.options.logger.warn({ err, code: sqlState(err), kept, retryInMs: this.retryDelay }, 'call records refused by the database for now; kept and retried')
    }
    return handled
  }

  private async writeOne(record: CallRecord): Promise<void> {
    try {
      await this.options.write([record])
    } catch (err) {
      if (sqlState(err) !== FOREIGN_KEY_VIOLATION) throw err
      // The customer was deleted meanwhile: keep the call, note whom it was about.
      this.options.logger.warn({ callId: record.id, customerId: record.customerId }, 'call record names a customer that no longer exists; written without it')
      const steps = [...record.steps, { at: record.endedAt ?? record.offeredAt, kind: 'reference-dropped', agentId: null, data: { customerId: record.customerId } }]
      await this.options.write([{ ...record, customerId: null, steps }])
    }
  }

  private async keep(letter: Parameters<DeadLetters['keep']>[0]): Promise<void> {
    if (this.options.deadLetters) {
      await this.options.deadLetters.keep(letter)
      this.deadLettered++
      return
    }
    this.dropped++
    this.options.logger.error({ err: letter.error, callId: letter.ref, record: letter.payload }, 'call record refused by the database; it is logged here in full')
  }

  /** Removes records handled; they are at the front unless the queue overflowed meanwhile. */
  private accept(records: readonly CallRecord[]): void {
    if (records.length === 0) return
    const done = new Set(records)
    let front = 0
    while (front < this.queue.length && done.has(this.queue[front]!)) front++
    if (front === records.length) this.queue.splice(0, front)
    else this.queue = this.queue.filter((record) => !done.has(record))
  }

  private settle(): void {
    if (!this.idle()) return
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve()
  }
}
