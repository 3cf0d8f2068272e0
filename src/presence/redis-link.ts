import { EventEmitter } from 'node:events'
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { withScripts, type ScriptedRedis } from './redis-scripts.js'

export interface RedisLinkOptions {
  url: string
  /** Longest a command may take before it counts as failed (the process then routes on its own). */
  commandTimeoutMs: number
  logger: Logger
  now: () => number
}

type MessageHandler = (message: string) => void

/**
 * The two connections to Redis a process keeps (commands; pub/sub) and whether it is in sync.
 * Commands fail at once while either connection is down (no offline queue): the process goes on
 * routing on its own replica (degraded) instead of waiting. Emits 'down' when either connection
 * drops and 'up' when both are back; whoever listens reconciles before `markInSync()`.
 */
export class RedisLink extends EventEmitter {
  readonly commands: ScriptedRedis
  private readonly subscriber: Redis
  private readonly handlers = new Map<string, MessageHandler>()
  private degradedSince: number | null
  private reconciling = false
  private closed = false
  /** Until connect() has run, 'up' is not emitted: start-up does its own first sync. */
  private started = false

  constructor(private readonly options: RedisLinkOptions) {
    super()
    const common = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      lazyConnect: true,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000)
    }
    this.commands = withScripts(new Redis(options.url, { ...common, commandTimeout: options.commandTimeoutMs, connectionName: 'cti-commands' }))
    this.subscriber = new Redis(options.url, { ...common, connectionName: 'cti-events' })
    this.degradedSince = options.now()
    for (const client of [this.commands, this.subscriber]) {
      client.on('ready', () => this.connectionUp())
      client.on('close', () => this.connectionDown())
      // ioredis reconnects by itself; errors are logged once per outage by connectionDown.
      client.on('error', (err: Error) => options.logger.debug({ err }, 'Redis connection error'))
    }
    this.subscriber.on('message', (channel: string, message: string) => this.handlers.get(channel)?.(message))
  }

  /**
   * Connects both clients and subscribes to the channels handled so far; true when Redis answered
   * (the caller then syncs and calls markInSync). Redis unreachable at start-up is not fatal: the
   * process starts degraded, the clients keep retrying, and 'up' is emitted when they succeed.
   */
  async connect(): Promise<boolean> {
    const results = await Promise.allSettled([this.commands.connect(), this.subscriber.connect()])
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    try {
      if (failed) throw failed.reason
      await this.subscriber.subscribe(...this.handlers.keys())
      return true
    } catch (err) {
      this.options.logger.error({ err }, 'Redis unreachable at start-up; starting degraded, retrying')
      return false
    } finally {
      this.started = true
    }
  }

  /** Handles a pub/sub channel (register before connect()). */
  handle(channel: string, handler: MessageHandler): void {
    this.handlers.set(channel, handler)
  }

  /** True while both connections are up and what this process did meanwhile has been written back. */
  get inSync(): boolean {
    return this.degradedSince === null
  }

  /** Both connections are up (commands sent now reach Redis, in order), whether or not the reconciliation is done. */
  get connected(): boolean {
    return this.commands.status === 'ready' && this.subscriber.status === 'ready'
  }

  /** When the link went down, or null while in sync. */
  get downSince(): number | null {
    return this.degradedSince
  }

  /** The reconciliation after an outage is done: commands go to Redis again. */
  markInSync(): void {
    if (!this.connected) return
    this.reconciling = false
    if (this.degradedSince !== null) this.options.logger.info({ downMs: this.options.now() - this.degradedSince }, 'Redis back; shared agent state reconciled')
    this.degradedSince = null
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.allSettled([this.commands.quit(), this.subscriber.quit()])
    this.commands.disconnect()
    this.subscriber.disconnect()
  }

  private connectionUp(): void {
    if (this.closed || !this.started || !this.connected || this.degradedSince === null || this.reconciling) return
    this.reconciling = true
    // Subscribed (again) before 'up': what the reconciliation reads is then followed by every later change.
    this.subscriber.subscribe(...this.handlers.keys()).then(
      () => this.emit('up'),
      (err: unknown) => {
        this.reconciling = false
        this.options.logger.warn({ err }, 'Redis subscribe failed; retrying at the next reconnection')
      }
    )
  }

  private connectionDown(): void {
    if (this.closed) return
    this.reconciling = false
    if (this.degradedSince !== null) return
    this.degradedSince = this.options.now()
    this.options.logger.error('Redis unreachable; routing on this process\'s replica of agent states (degraded) until it is back')
    this.emit('down')
  }
}
