import type { Logger } from 'pino'
import type { Srf } from './drachtio.js'

export interface DrachtioConnectionOptions {
  srf: Srf
  host: string
  port: number
  secret: string
  logger: Logger
  /** Longest pause between reconnection attempts, in ms. */
  maxRetryDelayMs?: number
  /** Told at every connection after the first (for the reconnects metric). */
  onReconnected?: () => void
  /** Told once each time an established connection is lost, before reconnecting starts. */
  onLost?: () => void
}

/** Where the connection to drachtio-server stands, for /ready and the logs. */
export interface DrachtioStatus {
  state: 'connecting' | 'connected' | 'disconnected' | 'stopped'
  /** drachtio-server's SIP addresses once connected ("udp/127.0.0.1:5060,tcp/…"). */
  hostport: string | null
  serverVersion: string | null
  since: number
  /** Reconnection attempts since the connection was last up. */
  attempts: number
  lastError: string | null
}

/** drachtio-srf's wire-protocol object, reached only to stop its reconnection timer at shutdown. */
interface WireProtocolInternals {
  closing?: boolean
  reconnectVars?: { retryTimer?: NodeJS.Timeout | null }
}

/**
 * The inbound connection to drachtio-server: connects, lets drachtio-srf
 * reconnect with backoff (150 ms growing ×1.7, at most maxRetryDelayMs), and
 * logs every change of state once. drachtio-srf tells of a loss as
 * 'reconnecting' first and 'close' after; whichever comes first is the loss.
 */
export class DrachtioConnection {
  private status: DrachtioStatus = { state: 'disconnected', hostport: null, serverVersion: null, since: Date.now(), attempts: 0, lastError: null }
  private connections = 0

  constructor(private readonly options: DrachtioConnectionOptions) {}

  get current(): Readonly<DrachtioStatus> {
    return this.status
  }

  start(): void {
    const { srf, host, port, secret, logger } = this.options
    srf.on('connect', (err, hostport, serverVersion) => {
      if (this.status.state === 'stopped') return srf.disconnect()
      if (err) {
        this.change({ state: 'disconnected', lastError: err.message })
        logger.error({ host, port, err }, 'drachtio-server refused the connection (check SIP_DRACHTIO_SECRET)')
        return
      }
      this.change({ state: 'connected', hostport: hostport ?? null, serverVersion: serverVersion ?? null, attempts: 0, lastError: null })
      if (this.connections++ > 0) this.options.onReconnected?.()
      logger.info({ host, port, hostport, serverVersion }, 'connected to drachtio-server')
    })
    srf.on('reconnecting', ({ delay, attempt }) => {
      if (this.status.state === 'stopped') return
      const first = this.status.state === 'connected'
      this.lost()
      this.change({ state: 'connecting', attempts: attempt })
      // Every attempt at debug; the first after a loss (and every tenth) where operators look.
      const level = first || attempt % 10 === 0 ? 'warn' : 'debug'
      logger[level]({ host, port, delayMs: delay, attempt }, 'reconnecting to drachtio-server')
    })
    srf.on('close', () => this.lost())
    srf.on('error', (err) => {
      const message = err instanceof Error ? err.message : String(err)
      if (this.status.lastError !== message) logger.warn({ host, port, err }, 'drachtio-server connection error')
      this.status = { ...this.status, lastError: message }
    })
    this.change({ state: 'connecting' })
    logger.info({ host, port }, 'connecting to drachtio-server')
    srf.connect({ host, port, secret, reconnect: { retryMaxDelay: this.options.maxRetryDelayMs ?? 5000 }, enablePing: true, pingInterval: 15000 })
  }

  stop(): void {
    if (this.status.state === 'stopped') return
    const wasConnected = this.status.state === 'connected'
    this.change({ state: 'stopped' })
    const wp = (this.options.srf as unknown as { _app?: { client?: { wp?: WireProtocolInternals } } })._app?.client?.wp
    if (wp) {
      wp.closing = true
      if (wp.reconnectVars?.retryTimer) clearTimeout(wp.reconnectVars.retryTimer)
      if (wp.reconnectVars) wp.reconnectVars.retryTimer = null
    }
    if (wasConnected) this.options.srf.disconnect()
    this.options.logger.info('drachtio connection closed')
  }

  /** An established connection went: logged and told once per loss. */
  private lost(): void {
    if (this.status.state !== 'connected') return
    this.change({ state: 'disconnected', lastError: 'connection closed' })
    this.options.logger.warn({ host: this.options.host, port: this.options.port }, 'connection to drachtio-server lost')
    this.options.onLost?.()
  }

  private change(patch: Partial<DrachtioStatus>): void {
    this.status = { ...this.status, ...patch, since: patch.state && patch.state !== this.status.state ? Date.now() : this.status.since }
  }
}
