import type { Logger } from 'pino'
import type { CallRecorder } from '../calls/call-recorder.js'
import type { Config } from '../config.js'
import type { CrmDatabase } from '../crm/database.js'
import type { DurableWrites } from '../durability/durable-writes.js'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import { CrmWorkflows, type CrmWorkflowsOptions } from '../workflows/crm-workflows.js'
import type { ScreenPopPublisher } from './screenpop.js'

/** Leads, call-back tasks, reminders and web visits around the call path; notices go where the cards go. */
export function wireWorkflows(o: {
  config: Config
  logger: Logger
  now: () => number
  database: CrmDatabase
  interactions: InteractionRouter
  calls: CallRecorder
  publisher: ScreenPopPublisher
  placeCallBack: CrmWorkflowsOptions['placeCallBack']
  durable: DurableWrites
}): CrmWorkflows {
  return new CrmWorkflows({
    db: o.database.db,
    settings: o.config,
    interactions: o.interactions,
    calls: o.calls,
    publish: (agentId, event) => o.publisher.publish(agentId, event),
    placeCallBack: o.placeCallBack,
    logger: o.logger,
    now: o.now,
    durability: { journal: o.durable.journal('workflow-jobs'), deadLetters: o.durable.deadLetters, health: o.durable.health }
  })
}
