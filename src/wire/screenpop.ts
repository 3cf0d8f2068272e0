import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { buildCustomerCard, isoDate } from '../crm/customer-card.js'
import type { CrmDatabase } from '../crm/database.js'
import { findOpenLeadByPhone } from '../crm/lead.repository.js'
import type { CallerIdentifier } from '../identify/identify-caller.js'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import type { AgentIndex } from '../routing/index.js'
import { isPoolWait } from '../errors.js'
import { LookupQueue } from '../identify/lookup-queue.js'
import { untilPoolFree } from '../screenpop/card-cache.js'
import { CardEvents, type ScreenPopEvent } from '../screenpop/card-events.js'
import { ScreenPopHub } from '../screenpop/screen-pop-hub.js'
import { WebhookPop } from '../screenpop/webhook-pop.js'
import { leadNotice } from '../workflows/lead-capture.js'
import { StartupError } from './startup-error.js'

/** Publishes one event to an agent's page (and wherever else that agent's events go). */
export interface ScreenPopPublisher {
  publish(agentId: string, event: ScreenPopEvent): unknown
}

/** Screen-pop events per agent for their pages' live channel, and the webhooks that also receive them (null when none are configured). */
export function wireScreenPops(o: { config: Config; logger: Logger; agents: AgentIndex; now: () => number }): {
  hub: ScreenPopHub<ScreenPopEvent>
  webhooks: WebhookPop | null
} {
  const { config, logger, now } = o
  const hub = new ScreenPopHub<ScreenPopEvent>({
    retentionMs: config.SCREENPOP_RETENTION_SECONDS * 1000,
    maxBacklogBytes: config.SCREENPOP_MAX_BACKLOG_BYTES,
    maxBytes: config.SCREENPOP_KEPT_BYTES,
    now
  })
  const { SCREENPOP_WEBHOOKS: targets, SCREENPOP_WEBHOOK_SECRET: secret } = config
  if (targets.length === 0) return { hub, webhooks: null }
  // loadConfig refuses webhooks without a secret; a hand-built config must not slip through unsigned.
  if (!secret) throw new StartupError('SCREENPOP_WEBHOOKS is set but SCREENPOP_WEBHOOK_SECRET is not')
  logger.info({ webhooks: targets.length }, 'screen-pop webhooks configured')
  const webhooks = new WebhookPop({
    targets,
    secret,
    teamOf: (agentId) => o.agents.get(agentId)?.profile.team ?? null,
    logger: logger.child({ component: 'screen-pop-webhook' }),
    now
  })
  return { hub, webhooks }
}

/**
 * Sends each routed call's customer card (or open lead) to the agents it rings.
 * Returns where events are published: the processes sharing the agents when
 * there are, else this process's hub and, queued, the webhooks (publishing never waits for them).
 */
export function wireCards(o: {
  hub: ScreenPopHub<ScreenPopEvent>
  webhooks: WebhookPop | null
  /** The shared screen-pops, which deliver to the webhooks themselves. */
  shared: ScreenPopPublisher | null
  /** Who the agents are: a card that a colleague answered names them. */
  agents: AgentIndex
  database: CrmDatabase
  interactions: InteractionRouter
  /** Customer changes drop the cards kept for their calls; unset, cards are kept for the call's duration. */
  identifier?: CallerIdentifier
  config?: Pick<Config, 'DB_POOL_SIZE'>
  logger: Logger
  now: () => number
}): ScreenPopPublisher {
  const { hub, webhooks, now } = o
  const publisher: ScreenPopPublisher =
    o.shared ??
    (webhooks
      ? {
          publish: (agentId, event) => {
            const published = hub.publish(agentId, event)
            webhooks.deliver(agentId, published)
            return published
          }
        }
      : hub)
  const cardReads = new LookupQueue(Math.max(1, Math.floor((o.config?.DB_POOL_SIZE ?? 10) / 2)))
  const cards = new CardEvents({
    hub: publisher,
    // Cards wait their turn for a connection here (half the pool at most), never in the pool's own timeout.
    loadCard: (customerId) => cardReads.run(() => untilPoolFree(() => buildCustomerCard(o.database.db, customerId, isoDate(now())), isPoolWait)),
    loadLead: async (phone) => {
      const lead = await findOpenLeadByPhone(o.database.db, phone)
      return lead && leadNotice(lead)
    },
    logger: o.logger.child({ component: 'screen-pop' }),
    nameOf: (agentId) => o.agents.get(agentId)?.profile.name ?? null,
    // Pages on other processes are not known here: with shared screen-pops every agent counts as watched.
    watched: (agentId) => o.shared !== null || hub.subscribers(agentId) > 0 || (webhooks !== null && webhooks.urlsFor(agentId).length > 0),
    anyWatched: () => o.shared !== null || webhooks !== null || hub.connected > 0
  })
  o.identifier?.onCustomerChanged((customerId) => cards.cache.customerChanged(Number(customerId)))
  o.interactions.onEvent(cards.handle)
  return publisher
}
