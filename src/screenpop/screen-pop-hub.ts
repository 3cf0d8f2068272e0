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
  subscribers: Set<HubSubscriber>
}

const DEFAULT_MAX_EVENTS = 500

/**
 * Per-agent event streams for screen-pops: every published event gets the
 * agent's next sequence number, is kept for a while (bounded in time and
 * count), and goes to each open page of that agent. A page that reconnects
 * with the last seq it saw gets what it missed, then the live stream.
 *
 * Each event is serialised once, whatever the number of pages. A page that
 * does not keep up is dropped (and told to resync) instead of buffering
 * without end, so one slow page never delays the others or grows the heap.
 */
export class ScreenPopHub<E extends { type: string }> {
  private readonly streams = new Map<string, AgentStream>()
  private readonly maxEvents: number
  private readonly newId: () => string
  private readonly sweepTimer: NodeJS.Timeout | undefined

  constructor(private readonly options: ScreenPopHubOptions) {
    this.maxEvents = options.maxEventsPerAgent ?? DEFAULT_MAX_EVENTS
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
    stream.events.push(stored)
    if (stream.events.length > this.maxEvents) stream.events.shift()
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
    if (seq !== stream.head + 1) stream.events.length = 0
    stream.head = seq
    stream.events.push({ seq, at, frame })
    if (stream.events.length > this.maxEvents) stream.events.shift()
    for (const subscriber of stream.subscribers) this.deliver(stream, subscriber, frame)
    return true
  }

  /** Replaces an agent's kept events and head with a shared store's (start-up, after an outage); open pages stay subscribed. */
  restore(agentId: string, head: number, events: readonly { seq: number; at: number; frame: string }[]): void {
    const stream = this.stream(agentId)
    stream.head = head
    // A shared stream is contiguous (trimmed at its oldest end only).
    stream.events = events.slice(-this.maxEvents).map((e) => ({ seq: e.seq, at: e.at, frame: e.frame }))
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

    stream.subscribers.add(subscriber)
    this.deliver(stream, subscriber, JSON.stringify(hello))
    for (const event of replay) {
      if (!stream.subscribers.has(subscriber)) break
      this.deliver(stream, subscriber, event.frame)
    }
    return { hello, unsubscribe: () => void stream.subscribers.delete(subscriber) }
  }

  /** The agent's latest seq (0 before their first event). */
  head(agentId: string): number {
    return this.streams.get(agentId)?.head ?? 0
  }

  /** Open subscriptions of an agent. */
  subscribers(agentId: string): number {
    return this.streams.get(agentId)?.subscribers.size ?? 0
  }

  /** Events currently kept for an agent. */
  kept(agentId: string): number {
    return this.streams.get(agentId)?.events.length ?? 0
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
      stream.subscribers.delete(subscriber)
      subscriber.resync(`more than ${this.options.maxBacklogBytes} bytes unsent`)
      return
    }
    subscriber.send(frame)
  }

  private expire(stream: AgentStream, now: number): void {
    const oldestKept = now - this.options.retentionMs
    let drop = 0
    while (drop < stream.events.length && stream.events[drop]!.at < oldestKept) drop++
    if (drop > 0) stream.events.splice(0, drop)
  }

  private stream(agentId: string): AgentStream {
    let stream = this.streams.get(agentId)
    if (!stream) this.streams.set(agentId, (stream = { head: 0, events: [], subscribers: new Set() }))
    return stream
  }
}
