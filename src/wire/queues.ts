import type { Logger } from 'pino'
import type { Config } from '../config.js'
import type { CallerIdentifier } from '../identify/identify-caller.js'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import { QueueWebhook } from '../interactions/queue-webhook.js'
import { WaitingCalls, type PlaceCallBack } from '../interactions/waiting-calls.js'
import type { CallRecorder } from '../calls/call-recorder.js'
import type { AgentStateStore } from '../presence/agent-state-store.js'
import { RedisWaitingQueue } from '../presence/redis-waiting-queue.js'
import type { SharedState } from '../presence/shared-state.js'
import type { ScreenPopEvent } from '../screenpop/card-events.js'
import type { CallRouter } from '../routing/call-router.js'
import type { CrmLoader } from './crm.js'

/** What the queue needs of the state shared through Redis. */
type SharedQueueState = Pick<SharedState<ScreenPopEvent>, 'link' | 'keys' | 'processId' | 'agents'>

export interface QueueParts {
  waiting: WaitingCalls
  /** The agent state store that serves the waiting calls the moment an agent is set available. */
  agentStates: AgentStateStore
  webhook: QueueWebhook | null
  close(): void
}

/**
 * The waiting queue around the core: the service that serves waiting interactions whenever an
 * agent may have freed up (a call ended, a state set, agents reloaded), and the queue webhook.
 */
export function wireQueues(o: {
  config: Config
  logger: Logger
  now: () => number
  router: CallRouter
  interactions: InteractionRouter
  crm: CrmLoader
  identifier: CallerIdentifier
  agentStates: AgentStateStore
  placeCallBack: PlaceCallBack | null
  /** Set when several processes share agents through Redis: the waiting calls are written there too. */
  shared: SharedQueueState | null
  calls: CallRecorder
}): QueueParts {
  const { config, logger, now } = o
  const identify = async (phone: string) => (await o.identifier.identify(phone)).customer
  const waiting = new WaitingCalls({ router: o.router, interactions: o.interactions, logger: logger.child({ component: 'queues' }), now, placeCallBack: o.placeCallBack, identify })
  // A waiting call whose customer changes owner follows the new owner.
  o.identifier.onCustomerChanged((customerId) => void waiting.customerChanged(customerId))
  // A capacity raised or an agent added may free room for a waiting call.
  o.crm.onAgentsLoaded(() => waiting.kick())
  o.crm.onAgentChanged(() => waiting.kick())
  // An agent another process freed is served here at once, not at the next tick.
  if (o.shared) o.shared.agents.synced = waiting.kick
  const webhook =
    config.QUEUE_WEBHOOK_URL && config.QUEUE_WEBHOOK_SECRET ? new QueueWebhook({ url: config.QUEUE_WEBHOOK_URL, secret: config.QUEUE_WEBHOOK_SECRET, logger: logger.child({ component: 'queue-webhook' }), now }) : null
  if (webhook) o.interactions.onEvent(webhook.handle)
  const redis = o.shared ? sharedQueue(o, o.shared) : null
  o.interactions.onClose(() => {
    waiting.close()
    webhook?.close()
    redis?.stop()
  })
  return {
    waiting,
    agentStates: waiting.servingOn(o.agentStates),
    webhook,
    close() {
      waiting.close()
      webhook?.close()
    }
  }
}

/** The calls waiting here, written to Redis with a heartbeat; a dead process's calls are taken over. */
function sharedQueue(o: Parameters<typeof wireQueues>[0], shared: SharedQueueState): RedisWaitingQueue {
  const queue = new RedisWaitingQueue({
    link: shared.link,
    keys: shared.keys,
    processId: shared.processId,
    timeoutMs: o.config.QUEUE_PROCESS_TIMEOUT_SECONDS * 1000,
    priorityOf: (callId) => o.router.waiting(callId)?.priority ?? 0,
    record: (call) => o.calls.recordUnrouted(call),
    logger: o.logger.child({ component: 'shared-queue' }),
    now: o.now
  })
  o.interactions.onEvent(queue.handle)
  queue.start()
  return queue
}
