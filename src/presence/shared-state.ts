import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Logger } from 'pino'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import type { AgentIndex } from '../routing/agent-index.js'
import type { CallRouter } from '../routing/call-router.js'
import type { ScreenPopHub, Sequenced } from '../screenpop/screen-pop-hub.js'
import { RedisAgentStateStore } from './redis-agent-state-store.js'
import { redisKeys, type RedisKeys } from './redis-keys.js'
import { RedisLink } from './redis-link.js'
import { SharedChanges, type SharedChange } from './shared-changes.js'
import { SharedScreenPops } from './shared-screen-pops.js'
import type { WrapUpEnds } from './wrap-up-ends.js'

export interface SharedStateOptions<E extends { type: string }> {
  url: string
  keyPrefix: string
  leaseMs: number
  commandTimeoutMs: number
  wrapUpSeconds: number
  /** Ends wrap-ups on time in this process; their ends are written to Redis for the others. */
  wrapUps?: WrapUpEnds
  index: AgentIndex
  router: CallRouter
  interactions: InteractionRouter
  hub: ScreenPopHub<E>
  retentionMs: number
  maxEventsPerAgent: number
  logger: Logger
  now: () => number
  onPublished?: (agentId: string, event: E & Sequenced) => void
  applyChange: (change: SharedChange) => void
  /** After an outage: reload whatever this process caches (changes published meanwhile were missed). */
  reloadAll: () => void
}

/**
 * Everything several server processes share through Redis: agents' states and reservations,
 * screen-pop streams, cache and rules invalidations, over one pair of connections.
 */
export class SharedState<E extends { type: string }> {
  readonly processId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`
  readonly keys: RedisKeys
  readonly link: RedisLink
  readonly agents: RedisAgentStateStore
  readonly screenPops: SharedScreenPops<E>
  readonly changes: SharedChanges

  constructor(private readonly options: SharedStateOptions<E>) {
    const logger = options.logger.child({ process: this.processId })
    const { now, index } = options
    this.keys = redisKeys(options.keyPrefix)
    this.link = new RedisLink({ url: options.url, commandTimeoutMs: options.commandTimeoutMs, logger, now })
    this.agents = new RedisAgentStateStore({
      link: this.link,
      keys: this.keys,
      index,
      router: options.router,
      processId: this.processId,
      leaseMs: options.leaseMs,
      wrapUpSeconds: options.wrapUpSeconds,
      wrapUps: options.wrapUps,
      logger,
      now
    })
    options.interactions.onEvent(this.agents.handle, { first: true })
    this.screenPops = new SharedScreenPops({
      link: this.link,
      keys: this.keys,
      hub: options.hub,
      retentionMs: options.retentionMs,
      maxEventsPerAgent: options.maxEventsPerAgent,
      agentIds: () => this.agentIds(),
      logger,
      now,
      onPublished: options.onPublished
    })
    this.changes = new SharedChanges({ link: this.link, keys: this.keys, processId: this.processId, logger, apply: options.applyChange, reloadAll: options.reloadAll })
  }

  /** Connects and reads the shared state of the agents indexed so far; starts degraded when Redis does not answer. */
  async start(): Promise<void> {
    if (await this.link.connect()) {
      try {
        await this.agents.loadAll()
        await this.screenPops.load(this.agentIds())
        this.link.markInSync()
      } catch (err) {
        this.options.logger.error({ err }, 'reading the shared state failed; starting degraded')
      }
    }
    this.agents.start()
    this.options.logger.info({ process: this.processId, inSync: this.link.inSync }, 'sharing agent state through Redis')
  }

  /** The CRM's agents were (re)loaded into the index: their shared states and streams are read in. */
  async agentsLoaded(): Promise<void> {
    if (!this.link.inSync) return
    await this.agents.loadAll()
    await this.screenPops.load(this.agentIds())
  }

  async close(): Promise<void> {
    this.options.wrapUps?.close()
    this.agents.stop()
    this.changes.close()
    await this.link.close()
  }

  private agentIds(): string[] {
    return this.options.index.snapshot().map((view) => view.profile.id)
  }
}
