import type { FastifyInstance } from 'fastify'
import { meCallActionRoutes } from '../api/me-actions.routes.js'
import { meCallBackRoutes } from '../api/me-callbacks.routes.js'
import { meTaskActionRoutes } from '../api/me-task-actions.routes.js'
import { CallAgents } from '../calls/call-agents.js'
import type { Config } from '../config.js'
import type { CallerIdentifier } from '../identify/identify-caller.js'
import type { CallControl } from '../interactions/call-control.js'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import type { Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'

export interface WorkplaceDeps {
  config: Config
  db: Kysely<Database>
  identifier: CallerIdentifier
  interactions: InteractionRouter
  /** The telephony that moves and places calls for agents (Asterisk, else drachtio in path); null: none. */
  callControl: CallControl | null
  now: () => number
}

/**
 * The agent's workplace on the card (`/v1/me/…`, agent token): a call's outcome, follow-up tasks,
 * moving their own tasks, turning a lead into a customer, calling a customer back. Every action is checked against the calls
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
  return calls
}
