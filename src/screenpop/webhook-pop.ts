import { createHmac } from 'node:crypto'
import type { Logger } from 'pino'

/** Where an agent's screen-pop events are also POSTed: for one agent, or for every agent of a team. */
export type WebhookTarget = { agent: string; url: string } | { team: string; url: string }

/** What is POSTed: a published event (with its `id`, `seq`, `at`) of one agent. */
export interface WebhookEvent {
  type: string
  id: string
  seq: number
  at: number
}

export interface WebhookPopOptions {
  targets: readonly WebhookTarget[]
  /** Key of the HMAC-SHA256 signature over `<timestamp>.<body>`. */
  secret: string
  /** The agent's team now, or null (team targets then do not apply). */
  teamOf: (agentId: string) => string | null
  logger: Logger
  /** Per attempt; a request still unanswered is aborted and counts as a failure. */
  timeoutMs?: number
  /** Attempts per delivery, the first included. */
  maxAttempts?: number
  /** Wait before the second attempt; doubled for each further one, up to maxDelayMs. */
  baseDelayMs?: number
  maxDelayMs?: number
  /** Deliveries waiting, in flight or between attempts, at most; past it new ones are dropped (and logged). */
  maxQueue?: number
  /** Requests in flight at once, all URLs together. */
  concurrency?: number
  now?: () => number
  random?: () => number
  fetch?: typeof fetch
}

interface Delivery {
  agentId: string
  eventId: string
  url: string
  body: string
  attempts: number
}

/** How one attempt ended: delivered, worth retrying, or refused for good. */
type Outcome = { ok: true } | { ok: false; retry: boolean; status?: number; err?: unknown; retryAfterMs?: number }

const DEFAULTS = { timeoutMs: 5000, maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, maxQueue: 10_000, concurrency: 8 }

/**
 * The signature of one delivery attempt: `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
 * The timestamp (Unix seconds) is inside what is signed, so a captured request cannot be
 * replayed later: a receiver refuses timestamps outside its tolerance.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/**
 * Sends every screen-pop event of an agent to the webhooks configured for
 * that agent or their team, for CRMs that show their own pop. Each POST
 * carries `X-CTI-Timestamp` (Unix seconds of the attempt), `X-CTI-Signature`
 * (see signWebhook) and `X-Event-Id` (stable across retries: receivers
 * deduplicate on it); every attempt is signed afresh with its own timestamp.
 *
 * `deliver` only queues and returns: routing and the agent pages never wait
 * for a receiver. Network errors, timeouts, 5xx and 429 are retried with
 * exponential backoff (and jitter, honouring Retry-After) up to maxAttempts;
 * other 4xx are not. Retries may reorder an agent's events: `seq` says the order.
 */
export class WebhookPop {
  private readonly ready: Delivery[] = []
  private readonly waiting = new Set<NodeJS.Timeout>()
  private readonly inFlight = new Set<AbortController>()
  private readonly idle = new Set<() => void>()
  private readonly settings: typeof DEFAULTS
  private readonly post: typeof fetch
  private size = 0
  private closed = false

  constructor(private readonly options: WebhookPopOptions) {
    this.settings = { ...DEFAULTS, ...definedOnly(options) }
    if (!options.secret) throw new TypeError('WebhookPop needs a secret')
    if (this.settings.maxAttempts < 1 || this.settings.concurrency < 1) throw new TypeError('WebhookPop: maxAttempts and concurrency must be at least 1')
    this.post = options.fetch ?? fetch
  }

  /** The URLs an agent's events go to (each once, however many targets name it). */
  urlsFor(agentId: string): string[] {
    const team = this.options.teamOf(agentId)
    const urls = new Set<string>()
    for (const target of this.options.targets) {
      if ('agent' in target ? target.agent === agentId : team !== null && target.team === team) urls.add(target.url)
    }
    return [...urls]
  }

  /** Queues the event for the agent's webhooks; returns at once. Never throws. */
  deliver(agentId: string, event: WebhookEvent): void {
    if (this.closed) return
    const urls = this.urlsFor(agentId)
    if (urls.length === 0) return
    const body = JSON.stringify({ agentId, ...event })
    for (const url of urls) {
      if (this.size >= this.settings.maxQueue) {
        this.options.logger.warn({ agentId, eventId: event.id, target: describeUrl(url), queued: this.size }, 'screen-pop webhook queue full; event dropped')
        continue
      }
      this.size++
      this.ready.push({ agentId, eventId: event.id, url, body, attempts: 0 })
    }
    this.pump()
  }

  /** Deliveries not finished yet (waiting, in flight or between attempts). */
  get pending(): number {
    return this.size
  }

  /** Resolves when nothing is pending. */
  async drained(): Promise<void> {
    while (this.size > 0) await new Promise<void>((resolve) => this.idle.add(resolve))
  }

  /** Stops: pending deliveries are abandoned, requests in flight aborted. */
  close(): void {
    this.closed = true
    for (const timer of this.waiting) clearTimeout(timer)
    for (const controller of this.inFlight) controller.abort()
    this.waiting.clear()
    this.ready.length = 0
    this.size = 0
    this.wakeIdle()
  }

  private pump(): void {
    while (!this.closed && this.inFlight.size < this.settings.concurrency && this.ready.length > 0) {
      void this.attempt(this.ready.shift()!)
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const controller = new AbortController()
    this.inFlight.add(controller)
    delivery.attempts++
    const outcome = await this.send(delivery, controller.signal)
    this.inFlight.delete(controller)
    if (this.closed) return
    if (outcome.ok) {
      this.finish()
    } else if (outcome.retry && delivery.attempts < this.settings.maxAttempts) {
      this.retryLater(delivery, outcome.retryAfterMs)
    } else {
      const { agentId, eventId, attempts } = delivery
      const why = outcome.retry ? 'gave up after the last attempt' : 'refused by the receiver; not retried'
      this.options.logger.warn({ agentId, eventId, target: describeUrl(delivery.url), attempts, status: outcome.status, err: outcome.err }, `screen-pop webhook ${why}`)
      this.finish()
    }
    this.pump()
  }

  private async send(delivery: Delivery, abort: AbortSignal): Promise<Outcome> {
    const timestamp = String(Math.floor((this.options.now ?? Date.now)() / 1000))
    try {
      const response = await this.post(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-cti-timestamp': timestamp,
          'x-cti-signature': signWebhook(this.options.secret, timestamp, delivery.body),
          'x-event-id': delivery.eventId
        },
        body: delivery.body,
        signal: AbortSignal.any([abort, AbortSignal.timeout(this.settings.timeoutMs)])
      })
      // The answer's body is not used; reading it frees the connection for the next request.
      await response.arrayBuffer().catch(() => undefined)
      if (response.ok) return { ok: true }
      const retry = response.status >= 500 || response.status === 429
      return { ok: false, retry, status: response.status, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) }
    } catch (err) {
      return { ok: false, retry: true, err }
    }
  }

  private retryLater(delivery: Delivery, retryAfter: number | undefined): void {
    const { baseDelayMs, maxDelayMs } = this.settings
    const backoff = baseDelayMs * 2 ** (delivery.attempts - 1)
    // Jitter keeps many deliveries that failed together from retrying together.
    const jittered = backoff * (0.75 + 0.5 * (this.options.random ?? Math.random)())
    const delay = Math.min(maxDelayMs, Math.max(jittered, retryAfter ?? 0))
    const timer = setTimeout(() => {
      this.waiting.delete(timer)
      this.ready.push(delivery)
      this.pump()
    }, delay)
    timer.unref()
    this.waiting.add(timer)
  }

  private finish(): void {
    this.size--
    if (this.size === 0) this.wakeIdle()
  }

  private wakeIdle(): void {
    for (const resolve of this.idle) resolve()
    this.idle.clear()
  }
}

/** Retry-After in seconds (dates are not worth the parsing here), as milliseconds. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d{1,6}$/.test(header.trim())) return undefined
  return Number(header) * 1000
}

/** The URL without query or credentials, for logs: either may hold a receiver's secret. */
function describeUrl(url: string): string {
  try {
    const { origin, pathname } = new URL(url)
    return `${origin}${pathname}`
  } catch {
    return '(unparsable url)'
  }
}

function definedOnly(options: WebhookPopOptions): Partial<typeof DEFAULTS> {
  const picked: Partial<typeof DEFAULTS> = {}
  for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const value = options[key]
    if (value !== undefined) picked[key] = value
  }
  return picked
}
