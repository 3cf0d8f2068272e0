import { randomUUID } from 'node:crypto'

/** What the hub adds to every published event: its place in the agent's stream. */
export interface Sequenced {
  /** 1, 2, 3… per agent, without gaps, for the life of the process. */
  seq: number
  /** Unique across agents and restarts: what a page deduplicates on. */
  id: string
  /** When it was published, epoch milliseconds. */
  at: number
}

/** One receiver of an agent's events (an open page). Must not throw. */
export interface HubSubscriber {
  /** Sends one text frame (JSON). */
  send(frame: string): void
  /** Bytes given to send() and not written out yet (for a WebSocket, `bufferedAmount`). */
  backlog(): number
  /**
   * The hub has dropped this subscriber because it fell more than the allowed
   * backlog behind: tell the page to reconnect with its last seq, and close.
   */
  resync(reason: string): void
}

/** Sent first on every subscription, before any replayed event. */
export interface HelloFrame {
  type: 'hello'
  agentId: string
  /** The agent's latest seq when subscribing; replayed events end there. */
  head: number
  /** How many events follow from the log before live ones. */
  replaying: number
  /** Events after the page's lastSeq that are no longer kept (expired or past the per-agent limit). */
  lost: number
  /**
   * The page's lastSeq is ahead of this stream: it saw a stream that no longer exists
   * (the server restarted). Everything kept is replayed; the page should forget its seq.
   */
  reset: boolean
}

export interface Subscription {
  readonly hello: HelloFrame
  /** Idempotent. */
  unsubscribe(): void
}

export interface ScreenPopHubOptions {
  /** How long an event is kept for pages that reconnect. */
  retentionMs: number
  /** Events kept per agent at most, whatever their age. */
  maxEventsPerAgent?: number
  /** Characters of JSON kept per agent at most (≈ bytes), whatever their age; the oldest go first. */
  maxBytesPerAgent?: number
  /** Characters of JSON kept for all agents together at most (≈ bytes); past it the oldest events of any agent go first. */
  maxBytes?: number
  /** A subscriber whose unsent backlog passes this is told to resync instead of buffering more. */
  maxBacklogBytes: number
  now: () => number
  /** How often events of quiet agents are swept out (0: never; tests sweep by hand). */
  sweepEveryMs?: number
  newId?: () => string
}

interface StoredEvent {
  seq: number
  at: number
  frame: string
}

interface AgentStream {
  head: number
  /** Ascending and contiguous: events[i].seq === events[0].seq + i. */
  events: StoredEvent[]
  /** Characters of the kept frames. */
  bytes: number
  subscribers: Set<HubSubscriber>
}

const DEFAULT_MAX_EVENTS = 500
const DEFAULT_MAX_BYTES_PER_AGENT = 1024 * 1024
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024

/**
 * Per-agent event streams for screen-pops: every published event gets the
 * agent's next sequence number, is kept for a while (bounded in time and
 * count), and goes to each open page of that agent. A page that reconnects
 * with the last seq it saw gets what it missed, then the live stream.
 *
 * What is kept is bounded in time, in count and in bytes per agent, and in
 * bytes for all agents together (the oldest events go first).
 *
 * Each event is serialised once, whatever the number of pages. A page that
 * does not keep up is dropped (and told to resync) instead of buffering
 * without end, so one slow page never delays the others or grows the heap.
 */
export class ScreenPopHub<E extends { type: string }> {
  private readonly streams = new Map<string, AgentStream>()
  private readonly maxEvents: number
  private readonly maxBytesPerAgent: number
  private readonly maxBytes: number
  /** Characters kept for all agents. */
  private bytes = 0
  /** Open subscriptions of all agents. */
  private open = 0
  private readonly newId: () => string
  private readonly sweepTimer: NodeJS.Timeout | undefined

  constructor(private readonly options: ScreenPopHubOptions) {
    this.maxEvents = options.maxEventsPerAgent ?? DEFAULT_MAX_EVENTS
    this.maxBytesPerAgent = options.maxBytesPerAgent ?? DEFAULT_MAX_BYTES_PER_AGENT
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
    this.newId = options.newId ?? randomUUID
    const every = options.sweepEveryMs ?? Math.min(options.retentionMs, 60_000)
    if (every > 0) {
      this.sweepTimer = setInterval(() => this.sweep(), every)
      this.sweepTimer.unref()
    }
  }

  /** Appends an event to the agent's stream and sends it to their open pages. */
  publish(agentId: string, event: E): E & Sequenced {
    const stream = this.stream(agentId)
    const now = this.options.now()
    this.expire(stream, now)
    const sequenced = { ...event, seq: stream.head + 1, id: this.newId(), at: now }
    const stored: StoredEvent = { seq: sequenced.seq, at: now, frame: JSON.stringify(sequenced) }
    stream.head = stored.seq
    this.keep(stream, stored)
    for (const subscriber of stream.subscribers) this.deliver(stream, subscriber, stored.frame)
    return sequenced
  }

  /**
   * Adds an event numbered elsewhere (a store the processes share) and sends it to this process's
   * open pages. One at or below the head is a duplicate and ignored; after a gap (events never
   * received here) the kept events are dropped, so that what is kept stays contiguous.
   */
  append(agentId: string, seq: number, at: number, frame: string): boolean {
    const stream = this.stream(agentId)
    if (seq <= stream.head) return false
    if (seq !== stream.head + 1) this.drop(stream, stream.events.length)
    stream.head = seq
    this.keep(stream, { seq, at, frame })
    for (const subscriber of stream.subscribers) this.deliver(stream, subscriber, frame)
    return true
  }

  /** Replaces an agent's kept events and head with a shared store's (start-up, after an outage); open pages stay subscribed. */
  restore(agentId: string, head: number, events: readonly { seq: number; at: number; frame: string }[]): void {
    const stream = this.stream(agentId)
    stream.head = head
    this.drop(stream, stream.events.length)
    // A shared stream is contiguous (trimmed at its oldest end only).
    for (const e of events.slice(-this.maxEvents)) this.keep(stream, { seq: e.seq, at: e.at, frame: e.frame })
    this.expire(stream, this.options.now())
  }

  /**
   * Starts a page's subscription: a hello frame, then the kept events after
   * `lastSeenSeq` (none when it is null: a page with no history starts live),
   * then every new event until unsubscribe.
   */
  subscribe(agentId: string, lastSeenSeq: number | null, subscriber: HubSubscriber): Subscription {
    const stream = this.stream(agentId)
    this.expire(stream, this.options.now())
    const { events, head } = stream
    const reset = lastSeenSeq !== null && lastSeenSeq > head
    const after = lastSeenSeq === null ? head : reset ? 0 : lastSeenSeq
    const oldest = events[0]?.seq ?? head + 1
    const replay = events.slice(Math.max(0, after + 1 - oldest))
    const hello: HelloFrame = { type: 'hello', agentId, head, replaying: replay.length, lost: reset ? 0 : Math.max(0, oldest - after - 1), reset }

    if (!stream.subscribers.has(subscriber)) this.open++
    stream.subscribers.add(subscriber)
    this.deliver(stream, subscriber, JSON.stringify(hello))
    for (const event of replay) {
      if (!stream.subscribers.has(subscriber)) break
      this.deliver(stream, subscriber, event.frame)
    }
    return { hello, unsubscribe: () => void this.remove(stream, subscriber) }
  }

  /** The agent's latest seq (0 before their first event). */
  head(agentId: string): number {
    return this.streams.get(agentId)?.head ?? 0
  }

  /** Open subscriptions of all agents. */
  get connected(): number {
    return this.open
  }

  /** Open subscriptions of an agent. */
  subscribers(agentId: string): number {
    return this.streams.get(agentId)?.subscribers.size ?? 0
  }

  /** Events currently kept for an agent. */
  kept(agentId: string): number {
    return this.streams.get(agentId)?.events.length ?? 0
  }

  /** Characters of JSON kept for an agent (all agents when none is given). */
  keptBytes(agentId?: string): number {
    return agentId === undefined ? this.bytes : (this.streams.get(agentId)?.bytes ?? 0)
  }

  /** Drops expired events of every agent. */
  sweep(): void {
    const now = this.options.now()
    for (const stream of this.streams.values()) this.expire(stream, now)
  }

  close(): void {
    clearInterval(this.sweepTimer)
  }

  private deliver(stream: AgentStream, subscriber: HubSubscriber, frame: string): void {
    if (subscriber.backlog() > this.options.maxBacklogBytes) {
      this.remove(stream, subscriber)
      subscriber.resync(`more than ${this.options.maxBacklogBytes} bytes unsent`)
      return
    }
    subscriber.send(frame)
  }

  private expire(stream: AgentStream, now: number): void {
    const oldestKept = now - this.options.retentionMs
    let drop = 0
    while (drop < stream.events.length && stream.events[drop]!.at < oldestKept) drop++
    this.drop(stream, drop)
  }

  /** Appends a stored event, then trims the agent's stream (count, bytes) and all streams (bytes) at their oldest ends. */
  private keep(stream: AgentStream, event: StoredEvent): void {
    stream.events.push(event)
    stream.bytes += event.frame.length
    this.bytes += event.frame.length
    let over = Math.max(0, stream.events.length - this.maxEvents)
    let bytes = stream.bytes
    for (let i = 0; i < over; i++) bytes -= stream.events[i]!.frame.length
    // The newest event stays, even alone over the limit: a page must be able to replay what it just missed.
    while (bytes > this.maxBytesPerAgent && over < stream.events.length - 1) bytes -= stream.events[over++]!.frame.length
    this.drop(stream, over)
    if (this.bytes > this.maxBytes) this.trimAll()
  }

  /**
   * Drops the oldest events of all agents (each agent's newest stays) down to 90 % of the total
   * limit: one pass every tenth of the limit published, not a search per event.
   */
  private trimAll(): void {
    const candidates: { stream: AgentStream; at: number; bytes: number }[] = []
    for (const stream of this.streams.values()) {
      for (let i = 0; i < stream.events.length - 1; i++) candidates.push({ stream, at: stream.events[i]!.at, bytes: stream.events[i]!.frame.length })
    }
    candidates.sort((a, b) => a.at - b.at)
    const target = this.maxBytes * 0.9
    const drops = new Map<AgentStream, number>()
    let bytes = this.bytes
    for (const candidate of candidates) {
      if (bytes <= target) break
      bytes -= candidate.bytes
      drops.set(candidate.stream, (drops.get(candidate.stream) ?? 0) + 1)
    }
    for (const [stream, count] of drops) this.drop(stream, count)
  }

  private remove(stream: AgentStream, subscriber: HubSubscriber): void {
    if (stream.subscribers.delete(subscriber)) this.open--
  }

  /** Drops the `count` oldest events of a stream. */
  private drop(stream: AgentStream, count: number): void {
    if (count <= 0) return
    let bytes = 0
    for (let i = 0; i < count; i++) bytes += stream.events[i]!.frame.length
    stream.events.splice(0, count)
    stream.bytes -= bytes
    this.bytes -= bytes
  }

  private stream(agentId: string): AgentStream {
    let stream = this.streams.get(agentId)
    if (!stream) this.streams.set(agentId, (stream = { head: 0, events: [], bytes: 0, subscribers: new Set() }))
    return stream
  }
}
