import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Errors } from '../errors.js'
import type { AgentStateStore } from '../presence/agent-state-store.js'
import type { AgentIndex, AgentView } from '../routing/agent-index.js'
import { AgentId } from './schemas.js'
import { errorResponses } from './error-responses.js'
import { AgentStateView } from './response-schemas.js'

export interface AgentStateRoutesOptions {
  index: AgentIndex
  /** Where a chosen state is set (and shared with other processes, when they share agents). */
  states: AgentStateStore
  now: () => number
}

/** States an agent (or their page) may set; ringing and busy follow from the calls routed to them. */
const SettableState = Type.Enum(['available', 'away', 'offline', 'wrap-up'])

const AGENT_FOUND = { 404: ['CTI_ERR_AGENT_NOT_FOUND'] }
const statesSchema = { summary: "Every agent's live state", response: { 200: Type.Array(AgentStateView) } }
const stateSchema = { summary: "An agent's live state", params: AgentId, response: { 200: AgentStateView, ...errorResponses(AGENT_FOUND) } }
const setSchema = {
  summary: "Sets an agent's state: available, away, offline or wrap-up (ringing and busy follow from calls)",
  params: AgentId,
  body: Type.Object({ state: SettableState }, { additionalProperties: false }),
  response: { 200: AgentStateView, ...errorResponses(AGENT_FOUND) }
}

/** Live agent states: read them, and set one's own (available, away, offline, wrap-up). */
export async function agentStateRoutes(fastify: FastifyInstance, options: AgentStateRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { index, states, now } = options

  // A wrap-up ends at wrapUpUntil even if nothing has told the index the time since.
  app.get('/v1/agents/states', { schema: statesSchema }, async () => {
    index.tick(now())
    return index.snapshot().map(present)
  })

  app.get('/v1/agents/:id/state', { schema: stateSchema }, async (request) => {
    index.tick(now())
    const view = index.get(request.params.id)
    if (!view) throw Errors.agentNotFound(request.params.id)
    return present(view)
  })

  app.put('/v1/agents/:id/state', { schema: setSchema }, async (request) => {
    if (!states.setState(request.params.id, request.body.state, now())) throw Errors.agentNotFound(request.params.id)
    request.log.info({ agentId: request.params.id, state: request.body.state }, 'agent state set')
    return present(index.get(request.params.id)!)
  })
}

function present(view: AgentView) {
  const { state } = view
  return {
    agentId: view.profile.id,
    status: state.status,
    since: new Date(state.since).toISOString(),
    activeCalls: state.activeCalls,
    capacity: view.profile.capacity,
    callsToday: state.callsToday,
    lastCallEndedAt: state.lastCallEndedAt === null ? null : new Date(state.lastCallEndedAt).toISOString(),
    wrapUpUntil: state.wrapUpUntil === null ? null : new Date(state.wrapUpUntil).toISOString()
  }
}
