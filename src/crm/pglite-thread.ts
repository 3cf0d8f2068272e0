import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

export interface EmbeddedThreadOptions {
  dataDir: string
  /** Schema to create and work in (tests isolate each file in its own schema). */
  schema?: string
}

export interface EmbeddedThreadEvents {
  /** Told when the thread dies while open (it is started again at the next statement). */
  onLost?: (err: Error) => void
}

export interface EmbeddedResult {
  rows: unknown[]
  affectedRows?: number
}

type Ask = { op: 'query'; sql: string; params: unknown[]; prepared?: boolean } | { op: 'exec'; sql: string } | { op: 'close' }
export type EmbeddedRequest = Ask & { id: number }

export type EmbeddedReply = { id: number; ok: true; result: EmbeddedResult[] } | { id: number; ok: false; error: Record<string, string | number> }

/** What the kysely driver needs of the embedded database. */
export interface EmbeddedSession {
  /** `prepared`: run as a prepared statement of the session when every value can be written as a literal (PreparedStatements). */
  query(sql: string, params: readonly unknown[], prepared?: boolean): Promise<EmbeddedResult>
  /** A script of statements without parameters (simple protocol); the result of each. */
  exec(sql: string): Promise<EmbeddedResult[]>
  readonly closed: boolean
  close(): Promise<void>
}

interface Pending {
  resolve(result: EmbeddedResult[]): void
  reject(err: Error): void
}

/** "Connection failure": the callers' outage handling (retry, journal, /ready) applies. */
const THREAD_LOST = '08006'

/**
 * The embedded database (PGlite) in a worker thread of its own, so that SIP, HTTP and WebSocket
 * handling never waits behind a statement. One request at a time reaches PGlite, in order.
 * If the thread dies, what was waiting fails as a lost connection and the next request starts a new
 * thread on the same data directory (PostgreSQL's recovery replays its log).
 */
export class PGliteThread implements EmbeddedSession {
  private worker: Worker | undefined
  private starting: Promise<Worker> | undefined
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private isClosed = false
  /** Threads started after the first one died. */
  restarts = 0

  private constructor(
    private readonly options: EmbeddedThreadOptions,
    private readonly events: EmbeddedThreadEvents
  ) {}

  /** Starts the thread and opens the database in it; rejects when it cannot be opened. */
  static async open(options: EmbeddedThreadOptions, events: EmbeddedThreadEvents = {}): Promise<PGliteThread> {
    const thread = new PGliteThread(options, events)
    await thread.thread()
    return thread
  }

  get closed(): boolean {
    return this.isClosed
  }

  query(sql: string, params: readonly unknown[], prepared = false): Promise<EmbeddedResult> {
    return this.send({ op: 'query', sql, params: params as unknown[], prepared }).then((results) => results[0]!)
  }

  exec(sql: string): Promise<EmbeddedResult[]> {
    return this.send({ op: 'exec', sql })
  }

  /** Closes the database (a clean shutdown: no recovery at the next start), then ends the thread. */
  async close(): Promise<void> {
    if (this.isClosed) return
    if (this.worker !== undefined) await this.send({ op: 'close' }).catch(() => undefined)
    this.isClosed = true
    await this.worker?.terminate()
    this.worker = undefined
  }

  /** Ends the thread at once, as a crash would; for tests of what happens then. */
  async kill(): Promise<void> {
    await this.worker?.terminate()
  }

  private async send(request: Ask): Promise<EmbeddedResult[]> {
    if (this.isClosed) throw Object.assign(new Error('the embedded database is closed'), { code: THREAD_LOST })
    const worker = this.worker ?? (await this.thread())
    const id = this.nextId++
    return new Promise<EmbeddedResult[]>((resolve, reject) => {
      // While something is asked, the thread keeps the process alive; idle, it never does.
      if (this.pending.size === 0) worker.ref()
      this.pending.set(id, { resolve, reject })
      worker.postMessage({ ...request, id })
    })
  }

  private thread(): Promise<Worker> {
    this.starting ??= startWorker(this.options).then(
      (worker) => {
        this.starting = undefined
        this.worker = worker
        worker.on('message', (reply: EmbeddedReply) => this.settle(reply))
        worker.on('error', (err) => this.lost(worker, `failed: ${err.message}`))
        worker.on('exit', (code) => this.lost(worker, `stopped (exit code ${code})`))
        worker.unref()
        return worker
      },
      (err: unknown) => {
        this.starting = undefined
        throw err
      }
    )
    return this.starting
  }

  private settle(reply: EmbeddedReply): void {
    const pending = this.pending.get(reply.id)
    if (pending === undefined) return
    this.pending.delete(reply.id)
    if (this.pending.size === 0) this.worker?.unref()
    if (reply.ok) pending.resolve(reply.result)
    else pending.reject(Object.assign(new Error(String(reply.error.message)), reply.error))
  }

  private lost(worker: Worker, how: string): void {
    if (this.worker !== worker) return
    this.worker = undefined
    if (!this.isClosed) this.restarts++
    const err = Object.assign(new Error(`the embedded database's thread ${how}; the next statement starts it again`), { code: THREAD_LOST })
    for (const pending of this.pending.values()) pending.reject(err)
    this.pending.clear()
    if (!this.isClosed) this.events.onLost?.(err)
  }
}

/** A worker running pglite-worker, resolved once the database in it is open. */
function startWorker(options: EmbeddedThreadOptions): Promise<Worker> {
  const worker = new Worker(workerSource(), { eval: true, workerData: options })
  return new Promise<Worker>((resolve, reject) => {
    const failed = (err: Error) => reject(Object.assign(new Error(`the embedded database could not be opened in ${options.dataDir}: ${err.message}`), { code: THREAD_LOST }))
    const exited = (code: number) => failed(new Error(`its thread stopped (exit code ${code})`))
    worker.once('error', failed)
    worker.once('exit', exited)
    worker.once('message', () => {
      worker.off('error', failed)
      worker.off('exit', exited)
      resolve(worker)
    })
  })
}

/**
 * The worker's entry: the compiled module, or in a checkout the TypeScript source through tsx, which
 * a worker does not inherit from the thread that registered it.
 */
function workerSource(): string {
  const self = fileURLToPath(import.meta.url)
  const entry = new URL(`./pglite-worker${extname(self)}`, import.meta.url).href
  if (extname(self) !== '.ts') return `import(${JSON.stringify(entry)})`
  const tsx = import.meta.resolve('tsx/esm/api')
  return `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}) })`
}
