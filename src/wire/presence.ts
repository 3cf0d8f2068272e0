import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { getAgent } from '../crm/agent.repository.js'
import type { CrmDatabase } from '../crm/database.js'
import type { CallerIdentifier } from '../identify/identify-caller.js'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import { LocalAgentStateStore, type AgentStateStore } from '../presence/agent-state-store.js'
import type { SharedChange } from '../presence/shared-changes.js'
import { SharedState } from '../presence/shared-state.js'
import { WrapUpEnds } from '../presence/wrap-up-ends.js'
import type { AgentIndex, CallRouter } from '../routing/index.js'
import type { ScreenPopEvent } from '../screenpop/card-events.js'
import type { ScreenPopHub } from '../screenpop/screen-pop-hub.js'
import type { WebhookPop } from '../screenpop/webhook-pop.js'
import type { CrmLoader } from './crm.js'
import type { RoutingRules } from './routing.js'

export interface PresenceParts {
  /** Agents' states, reservations and screen-pops shared with other processes through Redis; null when REDIS_URL is not set. */
  shared: SharedState<ScreenPopEvent> | null
  /** Where agents' chosen states are set: the index, or the index and the processes sharing it. */
  agentStates: AgentStateStore
}

export interface PresenceDeps {
  config: Config
  logger: Logger
  now: () => number
  database: CrmDatabase
  identifier: CallerIdentifier
  agents: AgentIndex
  router: CallRouter
  interactions: InteractionRouter
  rules: RoutingRules
  crm: CrmLoader
  hub: ScreenPopHub<ScreenPopEvent>
  webhooks: WebhookPop | null
}

/**
 * Agents' presence: local to this process, or shared through Redis with the
 * other processes, which then also hear of every change this one makes to
 * what they cache (agents, lines, rules, caller identities) and vice versa.
 */
export function wirePresence(deps: PresenceDeps): PresenceParts {
  const { config, logger, agents, identifier, crm, rules, webhooks } = deps
  const wrapUps = new WrapUpEnds({ index: agents, now: deps.now })
  deps.interactions.onEvent(wrapUps.handle)
  if (!config.REDIS_URL) return { shared: null, agentStates: new LocalAgentStateStore(agents) }
  const peer = new PeerChanges(deps)
  const shared = new SharedState<ScreenPopEvent>({
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    leaseMs: config.RESERVATION_TTL_SECONDS * 1000,
    commandTimeoutMs: config.REDIS_TIMEOUT_MS,
    wrapUpSeconds: config.WRAP_UP_SECONDS,
    wrapUps,
    index: agents,
    router: deps.router,
    interactions: deps.interactions,
    hub: deps.hub,
    retentionMs: config.SCREENPOP_RETENTION_SECONDS * 1000,
    maxEventsPerAgent: 500,
    logger: logger.child({ component: 'shared-state' }),
    now: deps.now,
    onPublished: webhooks ? (agentId, event) => webhooks.deliver(agentId, event) : undefined,
    applyChange: (change) => void peer.apply(change).catch((err: unknown) => logger.error({ err, kind: change.kind }, 'change from another process not applied')),
    reloadAll: () => {
      identifier.cache.clear(false)
      void crm
        .load()
        .then(() => rules.reload())
        .catch((err: unknown) => logger.warn({ err }, 'reloading after the Redis outage failed'))
    }
  })
  identifier.cache.onInvalidate = shared.changes.cacheInvalidated
  deps.interactions.sharedStateDegraded = () => shared.agents.degradedReason()
  rules.onLoaded((version) => {
    if (!peer.reloadingRules) shared.changes.publish({ kind: 'rules', version })
  })
  crm.onAgentsLoaded(() => shared.agentsLoaded())
  crm.onAgentChanged((agent, share) => {
    if (share) shared.changes.publish({ kind: 'agent', agentId: agent.id })
    void shared.agents.agentLoaded(agent.id).catch((err: unknown) => logger.warn({ err, agentId: agent.id }, 'shared state of a changed agent not read'))
  })
  return { shared, agentStates: shared.agents }
}

/** Applies what another process changed and this one caches; nothing applied here is published back. */
class PeerChanges {
  /** A rules reload asked by another process is under way. */
  reloadingRules = false

  constructor(private readonly deps: PresenceDeps) {}

  async apply(change: SharedChange): Promise<void> {
    const { identifier, rules, crm, database } = this.deps
    const cache = identifier.cache
    switch (change.kind) {
      case 'caller-cache':
        for (const c of change.changes) {
          if ('all' in c) cache.clear(false)
          else if ('customerId' in c) cache.invalidateCustomer(c.customerId, false)
          else cache.invalidatePhone(c.phone, false)
        }
        return
      case 'rules':
        if (rules.version === change.version) return
        this.reloadingRules = true
        try {
          await rules.reload()
        } finally {
          this.reloadingRules = false
        }
        return
      case 'agent': {
        const agent = await getAgent(database.db, change.agentId)
        if (agent) crm.agentChanged(agent, false)
        return
      }
      case 'lines':
        await crm.reloadLines()
        return
    }
  }
}
