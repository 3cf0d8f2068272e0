import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { adminActor } from '../audit/admin-changes.js'
import type { AgentStateStore } from '../presence/agent-state-store.js'
import type { AgentIndex, AgentView } from '../routing/agent-index.js'
import { Errors } from '../errors.js'
import { AgentId } from './schemas.js'
import { errorResponses } from './error-responses.js'
import { actorOf, principalOf, seesTeam, type Principal } from './supervisor-auth.js'
import type { AuditRecorder } from './supervisors.routes.js'

export interface SupervisorAgentRoutesOptions {
  index: AgentIndex
  /** The same store the agent state API sets through (shared with other processes over Redis). */
  states: AgentStateStore
  now: () => number
  audit: AuditRecorder | null
  /** Told of each state a supervisor set, with who set it (the wallboard shows it beside the agent). */
  onSetBy?: (agentId: string, by: string, at: number) => void
}

const AgentOnBoard = Type.Object({
  agentId: Type.String(),
  name: Type.String(),
  team: Type.Union([Type.String(), Type.Null()]),
  status: Type.Enum(['offline', 'available', 'ringing', 'busy', 'wrap-up', 'away']),
  since: Type.String({ format: 'date-time' }),
  activeCalls: Type.Integer(),
  capacity: Type.Integer(),
  callsToday: Type.Integer()
})
const SetBody = Type.Object({ state: Type.Enum(['away', 'offline']) }, { additionalProperties: false })
const SetAnswer = Type.Object({ agent: AgentOnBoard, by: Type.String({ description: 'who set it, as recorded' }) })
const NOT_SEEN = { 404: ['CTI_ERR_AGENT_NOT_FOUND'] }

const notSeen = (id: string, principal: Principal) => (principal.kind === 'admin' ? Errors.agentNotFound(id) : Errors.agentNotInTeams(id, principal.teams))

/**
 * What a supervisor does with agents: reads their live states (their teams' agents only) and
 * sets one away or offline, through the same store as the agent state API, recorded with the
 * supervisor's name in the audit log.
 */
export async function supervisorAgentRoutes(fastify: FastifyInstance, options: SupervisorAgentRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { index, states, now, audit } = options

  app.get('/v1/supervisor/agents', { schema: { summary: "The live states of the agents the supervisor sees (their teams')", response: { 200: Type.Array(AgentOnBoard) } } }, async (request) => {
    const principal = principalOf(request)
    index.tick(now())
    return index.snapshot().filter((view) => seesTeam(principal, view.profile.team)).map(present)
  })

  app.post(
    '/v1/supervisor/agents/:id/state',
    { schema: { summary: 'Sets an agent of the supervisor\'s teams away or offline, recorded with the supervisor\'s name', params: AgentId, body: SetBody, response: { 200: SetAnswer, ...errorResponses(NOT_SEEN) } } },
    async (request) => {
      const principal = principalOf(request)
      const { id } = request.params
      const before = index.get(id)
      if (!before || !seesTeam(principal, before.profile.team)) throw notSeen(id, principal)
      const at = now()
      if (!states.setState(id, request.body.state, at)) throw notSeen(id, principal)
      const actor = principal.kind === 'admin' ? adminActor(request) : actorOf(principal)
      const by = actor.name ?? 'admin'
      options.onSetBy?.(id, by, at)
      audit?.record({ actor, action: 'agent.state-set', entity: 'agent', entityId: id, before: { state: before.state.status }, after: { state: request.body.state } })
      request.log.info({ agentId: id, state: request.body.state, by, supervisorId: principal.kind === 'supervisor' ? principal.id : null }, 'agent state set by a supervisor')
      return { agent: present(index.get(id)!), by }
    }
  )
}

export function present(view: AgentView) {
  const { state, profile } = view
  return {
    agentId: profile.id,
    name: profile.name,
    team: profile.team,
    status: state.status,
    since: new Date(state.since).toISOString(),
    activeCalls: state.activeCalls,
    capacity: profile.capacity,
    callsToday: state.callsToday
  }
}
