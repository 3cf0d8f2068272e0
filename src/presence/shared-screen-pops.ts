import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { ScreenPopHub, Sequenced } from '../screenpop/screen-pop-hub.js'
import type { RedisKeys } from './redis-keys.js'
import type { RedisLink } from './redis-link.js'

export interface SharedScreenPopsOptions<E extends { type: string }> {
  link: RedisLink
  keys: RedisKeys
  /** This process's hub: its pages subscribe there; it keeps a copy of every agent's shared stream. */
  hub: ScreenPopHub<E>
  retentionMs: number
  maxEventsPerAgent: number
  logger: Logger
  now: () => number
  /** The agents whose streams are copied afresh after an outage (events other processes published meanwhile). */
  agentIds: () => readonly string[]
  /** Each event once it has its seq, on the process that published it (webhooks). */
  onPublished?: (agentId: string, event: E & Sequenced) => void
}

interface Held {
  agentId: string
  body: string
  at: number
}

/**
 * Screen-pops across processes. An agent's seq and kept events live in Redis (a counter and a
 * stream per agent, appended by one script); every event is published to every process, whose hub
 * appends it under the same seq and sends it to the agent's pages connected there. So a page may
 * reconnect to any process with its lastSeq and get what it missed. While Redis is unreachable,
 * events go to this process's pages only and are kept; when Redis returns they are appended to the
 * shared streams (pages deduplicate by id) and the copies are read afresh.
 */
export class SharedScreenPops<E extends { type: string }> {
  private readonly held: Held[] = []

  constructor(private readonly options: SharedScreenPopsOptions<E>) {
    options.link.handle(options.keys.popsChannel, (message) => this.received(message))
    options.link.on('up', () => void this.reconcile())
  }

  /** Numbers the event in the agent's shared stream and sends it to every process. */
  publish(agentId: string, event: E): void {
    const { link, hub, now } = this.options
    if (!link.inSync) {
      const local = hub.publish(agentId, event)
      this.held.push({ agentId, body: bodyOf(event, local.id, local.at), at: local.at })
      this.options.onPublished?.(agentId, local)
      return
    }
    const id = randomUUID()
    const at = now()
    this.append(agentId, bodyOf(event, id, at), at).then(
      (seq) => this.options.onPublished?.(agentId, { ...event, seq, id, at }),
      (err: unknown) => {
        this.options.logger.warn({ err, agentId }, 'screen-pop not shared (Redis); sent to this process\'s pages and kept')
        const local = hub.publish(agentId, event)
        this.held.push({ agentId, body: bodyOf(event, id, at), at })
        this.options.onPublished?.(agentId, local)
      }
    )
  }

  /** Copies the shared streams of these agents into the hub (start-up). */
  async load(agentIds: readonly string[]): Promise<void> {
    const { link, keys, hub } = this.options
    const pipeline = link.commands.pipeline()
    for (const id of agentIds) pipeline.get(keys.popHead(id)).xrange(keys.popStream(id), '-', '+')
    const results = (await pipeline.exec()) ?? []
    agentIds.forEach((id, i) => {
      const [headErr, head] = results[2 * i]!
      const [rangeErr, entries] = results[2 * i + 1]!
      if (headErr || rangeErr) throw headErr ?? rangeErr
      if (head === null) return
      hub.restore(id, Number(head), (entries as [string, string[]][]).map(toStored))
    })
  }

  private append(agentId: string, body: string, at: number): Promise<number> {
    const { link, keys, retentionMs, maxEventsPerAgent } = this.options
    return link.commands.cti_pop_publish(keys.popHead(agentId), keys.popStream(agentId), agentId, keys.popsChannel, body, at, maxEventsPerAgent, retentionMs)
  }

  private received(message: string): void {
    const [agentId, seq, at] = message.split('\n', 3)
    const frame = message.slice(agentId!.length + seq!.length + at!.length + 3)
    if (!agentId || !(Number(seq) > 0) || !frame.startsWith('{')) {
      this.options.logger.warn({ message: message.slice(0, 200) }, 'malformed shared screen-pop ignored')
      return
    }
    this.options.hub.append(agentId, Number(seq), Number(at), frame)
  }

  /** After an outage: appends what was kept, in order, then reads every agent's stream afresh. */
  private async reconcile(): Promise<void> {
    try {
      while (this.held.length > 0) {
        const next = this.held[0]!
        await this.append(next.agentId, next.body, next.at)
        this.held.shift()
      }
      await this.load(this.options.agentIds())
    } catch (err) {
      this.options.logger.warn({ err, kept: this.held.length }, 'kept screen-pops not shared yet; retrying at the next reconnection')
    }
  }
}

/** The event as JSON without its seq (the script puts the seq in front). */
function bodyOf(event: { type: string }, id: string, at: number): string {
  return JSON.stringify({ ...event, id, at })
}

/** A stream entry (id "<seq>-0", fields f and at) as the hub keeps it. */
function toStored([id, fields]: [string, string[]]): { seq: number; at: number; frame: string } {
  const value = (name: string) => fields[fields.indexOf(name) + 1] ?? ''
  return { seq: Number(id.split('-')[0]), at: Number(value('at')), frame: value('f') }
}
