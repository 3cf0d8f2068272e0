import type { Logger } from 'pino'
import type { DeadLetters } from '../durability/dead-letters.js'
import type { SpillJournal } from '../durability/spill-journal.js'
import { isOwnFault, sqlState } from '../durability/write-failure.js'
import type { WriteHealth } from '../durability/write-health.js'
import { isConnectionError } from '../errors.js'

/** A job as data, so that it can wait in the journal across a restart. */
export interface JobEntry {
  kind: string
  /** Logged with every line about the job (the call id). */
  context: Record<string, unknown>
  input: unknown
}

export interface BackgroundJobsOptions {
  logger: Logger
  /** Jobs held in memory (waiting, running or waiting for a retry) at most; past it they go to the journal. */
  maxPending?: number
  /** Jobs running at once. */
  concurrency?: number
  /** First and largest pause before jobs are tried again while the database refuses them. */
  retryMs?: { first: number; max: number }
  /** Takes jobs past `maxPending`, and at shutdown those not done; read back once there is room. Without one they are dropped with an error log. */
  journal?: SpillJournal<JobEntry>
  /** Keeps a job that can never succeed; without it such a job is logged in full. */
  deadLetters?: Pick<DeadLetters, 'keep'>
  /** Told of every refusal and success, for /ready. */
  health?: WriteHealth
}

interface Queued {
  entry: JobEntry
  resolve: (result: unknown) => void
  /** Where the journal stands after this job, when it came from there. */
  journalEnd?: number
  done?: boolean
  /** Run on its own: its batch failed on some job's own account, and this finds out which. */
  alone?: boolean
}

/** The work of a kind of job done for many at once: one result per input, in order. */
type BatchHandler = (inputs: unknown[]) => Promise<unknown[]>

const WRITER = 'workflow jobs'

/**
 * Runs the database work of the CRM workflows (leads, call-back tasks) off the
 * call path, a few at a time, in order (the jobs of one call one after the
 * other, so a call-back task finds the lead made before it). A job the database refuses for a
 * reason that is not the job's own (unreachable, read-only, out of disk…) is
 * kept and tried again after a growing pause, however long that takes; past
 * `maxPending` jobs wait in the journal file. A job that fails on its own
 * account (a value the database refuses, a coded refusal) goes to the dead
 * letters: it would fail the same way every time.
 */
export class BackgroundJobs {
  private readonly handlers = new Map<string, (input: unknown) => Promise<unknown>>()
  private readonly batchHandlers = new Map<string, { handler: BatchHandler; max: number }>()
  private queue: Queued[] = []
  /** Jobs read from the journal and not yet done, in journal order. */
  private readonly fromJournal: Queued[] = []
  private running = 0
  /** Handler calls under way (a batch is one). */
  private attempts = 0
  /** Calls one of whose jobs is running. */
  private readonly busyCalls = new Set<string>()
  private pausedUntil: NodeJS.Timeout | undefined
  private retryDelay: number
  private readingJournal = false
  /** Where the journal stands once every job read from it so far is done. */
  private journalNext = 0
  private closed = false
  private waiters: (() => void)[] = []
  /** Told when the last running job is done after close. */
  private stopped: (() => void)[] = []
  private readonly maxPending: number
  private readonly concurrency: number
  private readonly retryMs: { first: number; max: number }

  constructor(private readonly options: BackgroundJobsOptions) {
    this.maxPending = options.maxPending ?? 10_000
    this.concurrency = options.concurrency ?? 4
    this.retryMs = options.retryMs ?? { first: 250, max: 30_000 }
    this.retryDelay = this.retryMs.first
  }

  /** Jobs held in memory: waiting, running or waiting for a retry. */
  get pending(): number {
    return this.queue.length + this.running
  }

  /**
   * Names the work of a kind of job. Returns the function that starts one:
   * its promise resolves with the result, or undefined when the job was
   * journaled, kept as a dead letter or given up at shutdown (never rejects).
   */
  define<I, T>(kind: string, handler: (input: I) => Promise<T>): (context: Record<string, unknown>, input: I) => Promise<T | undefined> {
    this.handlers.set(kind, handler as (input: unknown) => Promise<unknown>)
    return (context, input) => this.run({ kind, context, input }) as Promise<T | undefined>
  }

  /**
   * Like `define`, for work that costs less done for many at once (one
   * statement for a batch): jobs of the kind waiting together, up to `max`,
   * are handed over in one call, in the order they came, never two of one
   * call. Each job stays a job: journaled, retried and resolved on its own. A
   * batch that fails on some job's own account is run again job by job, so
   * only that job goes to the dead letters.
   */
  defineBatch<I, T>(kind: string, handler: (inputs: I[]) => Promise<T[]>, max = 200): (context: Record<string, unknown>, input: I) => Promise<T | undefined> {
    const batch = handler as unknown as BatchHandler
    this.batchHandlers.set(kind, { handler: batch, max })
    return this.define(kind, async (input: I) => (await handler([input]))[0] as T)
  }

  /** Takes up the jobs a previous run left in the journal. */
  async start(): Promise<void> {
    await this.options.journal?.recover()
    this.pump()
  }

  /** Resolves once no job is waiting, running, waiting for a retry or in the journal. */
  settled(): Promise<void> {
    if (this.idle()) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Stops starting jobs and lets running ones finish; those not done go to the journal (or are given up, logged). */
  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.pausedUntil)
    if (this.running > 0) await new Promise<void>((resolve) => this.stopped.push(resolve))
    const { journal, logger } = this.options
    const left = this.queue.splice(0).filter((job) => job.journalEnd === undefined)
    for (const job of left) {
      if (journal) journal.append(job.entry)
      else logger.error({ job: job.entry.kind, ...job.entry.context, input: job.entry.input }, 'workflow job given up at shutdown')
      job.resolve(undefined)
    }
    if (journal && left.length > 0) logger.warn({ count: left.length, file: journal.path }, 'workflow jobs not done before shutdown are kept in the journal; the next start runs them')
    await journal?.close()
    this.settle()
  }

  private run(entry: JobEntry): Promise<unknown> {
    if (this.closed) return Promise.resolve(undefined)
    const { journal, logger } = this.options
    if (journal && (journal.hasPending || this.pending >= this.maxPending)) {
      if (!journal.hasPending) logger.warn({ maxPending: this.maxPending }, 'too many workflow jobs pending: they go to the journal file until there is room')
      journal.append(entry)
      this.pump()
      return Promise.resolve(undefined)
    }
    if (this.pending >= this.maxPending) {
      logger.error({ job: entry.kind, ...entry.context, maxPending: this.maxPending }, 'too many workflow jobs pending; job dropped')
      return Promise.resolve(undefined)
    }
    return new Promise((resolve) => {
      this.queue.push({ entry, resolve })
      this.pump()
    })
  }

  /** Starts what may start now. */
  private pump(): void {
    if (this.closed || this.pausedUntil) return
    if (this.attempts < this.concurrency && this.queue.length > 0) this.startJobs()
    if (this.queue.length === 0 && this.running === 0) void this.readJournal()
    this.settle()
  }

  private startJobs(): void {
    // Jobs of one call run one after the other, in the order they came (a lead before its call-back task).
    const blocked = new Set(this.busyCalls)
    for (let i = 0; i < this.queue.length && this.attempts < this.concurrency; ) {
      const callId = callOf(this.queue[i]!.entry)
      if (callId !== null && blocked.has(callId)) {
        i++
        continue
      }
      if (callId !== null) blocked.add(callId)
      const first = this.queue.splice(i, 1)[0]!
      void this.attempt([first, ...this.companions(first, i, blocked)])
    }
  }

  /** Jobs of the first one's kind from `from` on that may run with it: not of a call already busy or passed over (its jobs keep their order). */
  private companions(first: Queued, from: number, blocked: Set<string>): Queued[] {
    const batch = this.batchHandlers.get(first.entry.kind)
    if (!batch || first.alone) return []
    const taken: Queued[] = []
    const passed = new Set<string>()
    // One pass that keeps the rest in order: splicing each one out would move the queue's tail every time.
    const kept: Queued[] = []
    let j = from
    for (; j < this.queue.length && taken.length + 1 < batch.max; j++) {
      const job = this.queue[j]!
      const callId = callOf(job.entry)
      const free = callId === null || (!blocked.has(callId) && !passed.has(callId))
      if (job.entry.kind !== first.entry.kind || job.alone || !free) {
        if (callId !== null) passed.add(callId)
        kept.push(job)
        continue
      }
      if (callId !== null) blocked.add(callId)
      taken.push(job)
    }
    if (taken.length > 0) this.queue = [...this.queue.slice(0, from), ...kept, ...this.queue.slice(j)]
    return taken
  }

  private async attempt(jobs: Queued[]): Promise<void> {
    this.running += jobs.length
    this.attempts++
    const { kind } = jobs[0]!.entry
    const callIds = jobs.map((job) => callOf(job.entry)).filter((id): id is string => id !== null)
    for (const callId of callIds) this.busyCalls.add(callId)
    const { logger } = this.options
    let retry = false
    let split = false
    try {
      const results = await this.work(jobs)
      this.options.health?.succeeded(WRITER)
      this.retryDelay = this.retryMs.first
      jobs.forEach((job, i) => this.finished(job, results[i]))
    } catch (err) {
      if (isOwnFault(err) && jobs.length > 1) {
        split = true
        logger.warn({ err, job: kind, jobs: jobs.length }, 'workflow job batch refused; running its jobs one by one')
      } else if (isOwnFault(err)) {
        await this.keep(jobs[0]!.entry, err)
        this.finished(jobs[0]!, undefined)
      } else {
        retry = true
        if (!isConnectionError(err)) this.options.health?.failed(WRITER, err)
        const context = jobs.length === 1 ? jobs[0]!.entry.context : { jobs: jobs.length }
        logger.warn({ err, code: sqlState(err), job: kind, ...context, retryInMs: this.retryDelay }, 'workflow job refused by the database for now; kept and retried')
      }
    }
    this.running -= jobs.length
    this.attempts--
    for (const callId of callIds) this.busyCalls.delete(callId)
    if (split) for (const job of jobs) job.alone = true
    if (retry || split) this.queue.unshift(...jobs)
    if (retry) this.pause()
    if (this.closed && this.running === 0) for (const resolve of this.stopped.splice(0)) resolve()
    this.pump()
  }

  /** Runs the jobs' handler: the batch handler for several, the single one otherwise. */
  private async work(jobs: Queued[]): Promise<unknown[]> {
    const { kind } = jobs[0]!.entry
    if (jobs.length > 1) {
      const results = await this.batchHandlers.get(kind)!.handler(jobs.map((job) => job.entry.input))
      if (results.length !== jobs.length) throw new Error(`workflow job batch "${kind}" returned ${results.length} results for ${jobs.length} jobs`)
      return results
    }
    const handler = this.handlers.get(kind)
    if (!handler) throw new Error(`no workflow job of kind "${kind}"`)
    return [await handler(jobs[0]!.entry.input)]
  }

  private pause(): void {
    if (this.pausedUntil || this.closed) return
    this.pausedUntil = setTimeout(() => {
      this.pausedUntil = undefined
      this.pump()
    }, this.retryDelay)
    this.retryDelay = Math.min(this.retryDelay * 2, this.retryMs.max)
  }

  private finished(job: Queued, result: unknown): void {
    job.resolve(result)
    if (job.journalEnd === undefined) return
    job.done = true
    let end: number | undefined
    while (this.fromJournal[0]?.done) end = this.fromJournal.shift()!.journalEnd
    if (this.fromJournal.length === 0) end = this.journalNext
    if (end !== undefined) void this.options.journal!.consumed(end).catch((err: unknown) => this.options.logger.error({ err }, 'journal of workflow jobs not advanced; its jobs may run again at the next start'))
  }

  /** When memory is clear, brings the next jobs in from the journal. */
  private async readJournal(): Promise<void> {
    const journal = this.options.journal
    if (!journal?.hasPending || this.readingJournal || this.fromJournal.length > 0 || this.closed) return
    this.readingJournal = true
    try {
      const { items, ends, unreadable, next } = await journal.read(Math.min(this.maxPending, 100))
      for (const line of unreadable) await this.keep({ kind: 'journal-line', context: {}, input: line }, new SyntaxError('journal line does not parse'))
      this.journalNext = next
      if (items.length === 0) await journal.consumed(next)
      items.forEach((entry, i) => {
        const job: Queued = { entry, resolve: () => undefined, journalEnd: ends[i] }
        this.fromJournal.push(job)
        this.queue.push(job)
      })
    } catch (err) {
      this.options.logger.error({ err }, 'journal of workflow jobs not read; tried again later')
      this.pause()
    } finally {
      this.readingJournal = false
    }
    this.pump()
  }

  private async keep(entry: JobEntry, err: unknown): Promise<void> {
    const ref = typeof entry.context.callId === 'string' ? entry.context.callId : null
    if (!this.options.deadLetters) {
      this.options.logger.error({ err, job: entry.kind, ...entry.context, input: entry.input }, 'workflow job failed')
      return
    }
    try {
      await this.options.deadLetters.keep({ source: 'workflow-job', kind: entry.kind, ref, payload: entry, error: err })
    } catch (fileErr) {
      this.options.logger.error({ err, fileErr, job: entry.kind, ...entry.context, input: entry.input }, 'workflow job failed and could not be kept as a dead letter; logged here in full')
    }
  }

  private idle(): boolean {
    return this.queue.length === 0 && this.running === 0 && !this.readingJournal && (this.closed || !this.options.journal?.hasPending)
  }

  private settle(): void {
    if (!this.idle()) return
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve()
  }
}

function callOf(entry: JobEntry): string | null {
  return typeof entry.context.callId === 'string' ? entry.context.callId : null
}
