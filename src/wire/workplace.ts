import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { meCallActionRoutes } from '../api/me-actions.routes.js'
import { meCallBackRoutes } from '../api/me-callbacks.routes.js'
import { meTaskActionRoutes } from '../api/me-task-actions.routes.js'
import { meTransferRoutes } from '../api/me-transfer.routes.js'
import { CallAgents } from '../calls/call-agents.js'
import type { Config } from '../config.js'
import type { CallerIdentifier } from '../identify/identify-caller.js'
import type { CallControl } from '../interactions/call-control.js'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import { TransferDesk } from '../interactions/transfer-desk.js'
import type { AgentStateStore } from '../presence/agent-state-store.js'
import type { AgentIndex } from '../routing/index.js'
import type { RuleSet } from '../routing/types.js'
import type { Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'

export interface WorkplaceDeps {
  config: Config
  db: Kysely<Database>
  identifier: CallerIdentifier
  interactions: InteractionRouter
  /** The telephony that moves and places calls for agents (Asterisk, else drachtio in path); null: none. */
  callControl: CallControl | null
  agents: AgentIndex
  agentStates: AgentStateStore
  /** The rule set in force now. */
  rules: () => RuleSet
  logger: Logger
  /** Told of the transfer desk once built. */
  onDesk?: (desk: TransferDesk) => void
  now: () => number
}

/**
 * The agent's workplace on the card (`/v1/me/…`, agent token): a call's outcome, follow-up tasks,
 * moving their own tasks, turning a lead into a customer, calling a customer back, handing a call on. Every action is checked against the calls
 * the agent took (CallAgents) and joins the call's events. Returns CallAgents for the routes that
 * record into calls elsewhere (a task done from the page).
 */
export function wireWorkplace(server: FastifyInstance, deps: WorkplaceDeps): CallAgents {
  const { config, db, identifier, interactions, now } = deps
  const calls = new CallAgents(db, interactions)
  const vocabulary = { stages: config.DEAL_STAGES, reasons: config.REFUSAL_REASONS }
  void server.register(meCallActionRoutes, { db, vocabulary, calls, identifier, now })
  void server.register(meTaskActionRoutes, { db, calls, now })
  void server.register(meCallBackRoutes, { db, callControl: deps.callControl, now })
  const desk = new TransferDesk({
    interactions,
    callControl: deps.callControl,
    agents: deps.agents,
    agentStates: deps.agentStates,
    rules: deps.rules,
    ringSeconds: config.TRANSFER_RING_SECONDS,
    notTaken: config.TRANSFER_NOT_TAKEN,
    logger: deps.logger.child({ component: 'transfers' }),
    now
  })
  deps.onDesk?.(desk)
  void server.register(meTransferRoutes, { db, desk, now })
  return calls
}
