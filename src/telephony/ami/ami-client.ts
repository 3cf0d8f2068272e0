import { createRequire } from 'node:module'
import type { Logger } from 'pino'
import { AmiErrors } from './ami-errors.js'
import { field, type AmiMessage } from './ami-message.js'

/** The part of asterisk-manager this client uses (the package ships no types). */
interface Manager {
  options: { port?: number; host: string; username: string; password: string; events: boolean }
  on(event: string, listener: (...args: any[]) => void): void
  once(event: string, listener: (...args: any[]) => void): void
  removeListener(event: string, listener: (...args: any[]) => void): void
  connect(port: number, host: string, callback: () => void): void
  login(callback: (err?: AmiMessage) => void): void
  action(fields: Record<string, string>, callback: (err: AmiMessage | undefined, response: AmiMessage) => void): string
  disconnect(): void
  isConnected(): boolean
}

const createManager = createRequire(import.meta.url)('asterisk-manager') as (...args: unknown[]) => Manager

export interface AmiClientOptions {
  host: string
  port: number
  user: string
  secret: string
  logger: Logger
  /** How long an action may wait for its response. */
  actionTimeoutMs: number
  /** The longest wait between reconnection attempts; waits double from 250 ms up to it. */
  reconnectMaxMs: number
}

const FIRST_RECONNECT_MS = 250

/**
 * A thin adapter over the asterisk-manager package, so it can be replaced:
 * connects and logs in, reconnects with a doubling backoff, sends actions with
 * a timeout and returns their response, collects event-list responses, and
 * hands every other event to the listeners. Actions are refused while logged
 * out rather than held, so that nothing stale reaches Asterisk after a reconnect.
 */
export class AmiClient {
  private readonly manager: Manager
  private readonly eventListeners: ((event: AmiMessage) => void)[] = []
  private readonly connectListeners: (() => void)[] = []
  private readonly lists = new Map<string, { events: AmiMessage[]; done: (events: AmiMessage[]) => void; lost: () => void }>()
  /** Actions sent and not answered yet; a lost connection fails them at once, before any re-sync. */
  private readonly pending = new Map<string, (err: Error) => void>()
  private nextId = 1
  private loggedIn = false
  private stopped = true
  private backoffMs = FIRST_RECONNECT_MS
  private reconnectTimer: NodeJS.Timeout | undefined
  private loginTimer: NodeJS.Timeout | undefined

  constructor(private readonly options: AmiClientOptions) {
    this.manager = createManager()
    Object.assign(this.manager.options, { port: options.port, host: options.host, username: options.user, password: options.secret, events: true })
    this.manager.on('managerevent', (event: AmiMessage) => this.dispatch(event))
    this.manager.on('asterisk', (message: AmiMessage) => {
      // The library passes every response here too; only what is neither is odd.
      if (message.response !== undefined) return
      options.logger.warn({ keys: Object.keys(message).slice(0, 8) }, 'AMI message that is neither a response nor an event; ignored')
    })
    this.manager.on('error', (err: Error) => options.logger.debug({ err }, 'AMI connection error'))
    this.manager.on('close', () => this.closed())
  }

  /** True while logged in: actions can be sent. */
  get connected(): boolean {
    return this.loggedIn
  }

  onEvent(listener: (event: AmiMessage) => void): void {
    this.eventListeners.push(listener)
  }

  /** Called after every successful login, the first and each reconnection. */
  onConnected(listener: () => void): void {
    this.connectListeners.push(listener)
  }

  start(): void {
    this.stopped = false
    this.connect()
  }

  stop(): void {
    this.stopped = true
    this.loggedIn = false
    clearTimeout(this.reconnectTimer)
    clearTimeout(this.loginTimer)
    this.manager.disconnect()
    this.failInFlight()
  }

  /** Sends an action (`ActionID` may be given, to match later events such as OriginateResponse) and resolves with its response; rejects with a coded error on `Response: Error`, a timeout, or no connection. */
  action(fields: Record<string, string>): Promise<AmiMessage> {
    const name = fields.Action ?? 'unknown'
    if (!this.loggedIn) return Promise.reject(AmiErrors.unavailable())
    const { ActionID: given, ...rest } = fields
    const actionId = given ?? `cti-${this.nextId++}`
    return new Promise((resolve, reject) => {
      const answered = (err: AmiMessage | undefined, response: AmiMessage) => {
        clearTimeout(timer)
        this.pending.delete(actionId)
        if (err) reject(AmiErrors.refused(name, field(err, 'message') ?? 'no reason given'))
        else resolve(response)
      }
      const fail = (error: Error) => {
        clearTimeout(timer)
        this.pending.delete(actionId)
        this.manager.removeListener(actionId, answered)
        reject(error)
      }
      const timer = setTimeout(() => fail(AmiErrors.timeout(name, this.options.actionTimeoutMs)), this.options.actionTimeoutMs)
      this.pending.set(actionId, fail)
      this.manager.action({ ...rest, actionid: actionId }, answered)
    })
  }

  /** Sends an action answered by an event list (EventList: start … Complete) and resolves with its events. */
  async eventList(fields: Record<string, string>): Promise<AmiMessage[]> {
    const actionId = `cti-${this.nextId++}`
    let done!: (events: AmiMessage[]) => void
    let lost!: () => void
    // A list cut short by a lost connection is refused, never taken for the whole picture.
    const complete = new Promise<AmiMessage[]>((resolve, reject) => ((done = resolve), (lost = () => reject(AmiErrors.unavailable()))))
    complete.catch(() => undefined)
    this.lists.set(actionId, { events: [], done, lost })
    try {
      await this.action({ ...fields, ActionID: actionId })
      return await withTimeout(complete, this.options.actionTimeoutMs * 4, () => AmiErrors.timeout(fields.Action ?? 'list', this.options.actionTimeoutMs * 4))
    } finally {
      this.lists.delete(actionId)
    }
  }

  private connect(): void {
    this.reconnectTimer = undefined
    if (this.stopped) return
    const { host, port, logger } = this.options
    logger.info({ host, port }, 'connecting to AMI')
    this.manager.connect(port, host, () => {
      this.loginTimer = setTimeout(() => {
        logger.warn({ host, port }, 'AMI login not answered; reconnecting')
        this.manager.disconnect()
        this.scheduleReconnect()
      }, this.options.actionTimeoutMs)
      this.manager.login((err) => {
        clearTimeout(this.loginTimer)
        if (err) {
          logger.error({ host, port, user: this.options.user, message: field(err, 'message') }, 'AMI login refused; check AMI_USER and AMI_SECRET and manager.conf')
          this.manager.disconnect()
          this.scheduleReconnect()
          return
        }
        this.loggedIn = true
        this.backoffMs = FIRST_RECONNECT_MS
        logger.info({ host, port }, 'AMI connected')
        for (const listener of this.connectListeners) listener()
      })
    })
  }

  private closed(): void {
    if (this.stopped || this.manager.isConnected()) return
    if (this.loggedIn) this.options.logger.warn({ host: this.options.host, port: this.options.port }, 'AMI connection lost')
    this.loggedIn = false
    clearTimeout(this.loginTimer)
    this.failInFlight()
    this.scheduleReconnect()
  }

  /** Actions and lists waiting for an answer that cannot come any more fail at once. */
  private failInFlight(): void {
    for (const [actionId, list] of this.lists) {
      this.lists.delete(actionId)
      list.lost()
    }
    for (const fail of [...this.pending.values()]) fail(AmiErrors.unavailable())
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return
    const wait = this.backoffMs
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.reconnectMaxMs)
    this.options.logger.info({ inMs: wait }, 'reconnecting to AMI')
    this.reconnectTimer = setTimeout(() => this.connect(), wait)
    this.reconnectTimer.unref()
  }

  private dispatch(event: AmiMessage): void {
    const actionId = field(event, 'actionid')
    const list = actionId === undefined ? undefined : this.lists.get(actionId)
    if (list) {
      if (field(event, 'eventlist')?.toLowerCase() === 'complete') list.done(list.events)
      else list.events.push(event)
      return
    }
    for (const listener of this.eventListeners) {
      try {
        listener(event)
      } catch (err) {
        this.options.logger.error({ err, event: field(event, 'event') }, 'AMI event handler failed; event skipped')
      }
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(error()), ms)))
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
