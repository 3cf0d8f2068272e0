import type { Logger } from 'pino'
import type { CacheInvalidation } from '../identify/caller-cache.js'
import type { RedisKeys } from './redis-keys.js'
import type { RedisLink } from './redis-link.js'

/** A change one process saw that the others' caches must follow. */
export type SharedChange =
  | { kind: 'caller-cache'; changes: CacheInvalidation[] }
  | { kind: 'rules'; version: string }
  | { kind: 'agent'; agentId: string }
  | { kind: 'lines' }

export interface SharedChangesOptions {
  link: RedisLink
  keys: RedisKeys
  processId: string
  logger: Logger
  /** Applies a change another process published. */
  apply: (change: SharedChange) => void
  /** After an outage, whatever changed meanwhile is unknown: everything cached is reloaded. */
  reloadAll: () => void
}

/** Invalidations gathered this long go out as one message (an import invalidates thousands of numbers). */
const BATCH_MS = 10

/**
 * Cache and rules invalidations between processes, over Redis pub/sub. Changes made here are
 * published (caller-cache ones batched); changes from the others are applied without being
 * published again. Messages missed while Redis was unreachable cannot be replayed, so after an
 * outage every process reloads what it caches.
 */
export class SharedChanges {
  private batch: CacheInvalidation[] = []
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly options: SharedChangesOptions) {
    options.link.handle(options.keys.changesChannel, (message) => this.received(message))
    options.link.on('up', () => options.reloadAll())
  }

  /** For CallerCache.onInvalidate. */
  readonly cacheInvalidated = (change: CacheInvalidation): void => {
    this.batch.push(change)
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS)
  }

  publish(change: SharedChange): void {
    const { link, keys, processId, logger } = this.options
    if (!link.inSync) return
    link.commands.publish(keys.changesChannel, JSON.stringify({ from: processId, change })).catch((err: unknown) => logger.warn({ err, kind: change.kind }, 'change not shared (Redis)'))
  }

  close(): void {
    clearTimeout(this.timer)
  }

  private flush(): void {
    this.timer = undefined
    const changes = this.batch
    this.batch = []
    this.publish({ kind: 'caller-cache', changes: changes.some((c) => 'all' in c) ? [{ all: true }] : changes })
  }

  private received(message: string): void {
    let parsed: { from?: string; change?: SharedChange }
    try {
      parsed = JSON.parse(message) as typeof parsed
    } catch (err) {
      this.options.logger.warn({ err }, 'malformed shared change ignored')
      return
    }
    if (parsed.from === this.options.processId || !parsed.change) return
    this.options.apply(parsed.change)
  }
}
