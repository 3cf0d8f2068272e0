import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Kysely } from 'kysely'
import { getAgent, setAgentLanguage } from '../crm/agent.repository.js'
import type { Database } from '../crm/schema.js'
import { listOpenTasksOfAgent } from '../crm/task.repository.js'
import { Errors } from '../errors.js'
import type { AgentStateStore } from '../presence/agent-state-store.js'
import type { AgentIndex, AgentView } from '../routing/agent-index.js'
import { requireAgentToken } from './agent-token-auth.js'
import { DB_ERRORS, errorResponses } from './error-responses.js'
import { AgentTaskView, MeView, OwnStateView } from './response-schemas.js'

export interface MeRoutesOptions {
  db: Kysely<Database>
  index: AgentIndex
  /** Where a chosen state is set (and shared with other processes, when they share agents). */
  states: AgentStateStore
  now: () => number
  /** The ISO 4217 currency the page shows amounts in (CURRENCY). */
  currency: string
}

/** States an agent may set on their page; ringing and busy follow from the calls routed to them. */
const SettableState = Type.Enum(['available', 'away', 'offline', 'wrap-up'])

const meSchema = { summary: 'Who the token is and their live state', response: { 200: MeView, ...errorResponses({ 404: ['CTI_ERR_AGENT_NOT_FOUND'] }, DB_ERRORS) } }
const stateSchema = {
  summary: 'Sets their own state: available, away, offline or wrap-up',
  body: Type.Object({ state: SettableState }, { additionalProperties: false }),
  response: { 200: OwnStateView, ...errorResponses({ 404: ['CTI_ERR_AGENT_NOT_FOUND'] }) }
}
const languageSchema = {
  summary: "Sets the language of their own page: ru, en, or null for the browser's",
  body: Type.Object({ language: Type.Union([Type.Enum(['ru', 'en']), Type.Null()]) }, { additionalProperties: false }),
  response: { 200: Type.Object({ language: Type.Union([Type.Enum(['ru', 'en']), Type.Null()]) }), ...errorResponses({ 404: ['CTI_ERR_AGENT_NOT_FOUND'] }, DB_ERRORS) }
}
const Colleague = Type.Object({ id: Type.String(), name: Type.String(), team: Type.Union([Type.String(), Type.Null()]), status: Type.String({ description: 'available, ringing, busy, wrap-up, away or offline' }), free: Type.Boolean({ description: 'whether a call handed to them now would ring' }) })
const colleaguesSchema = {
  summary: 'The other agents, by team then name, with their live state: whom a call can be handed to',
  response: { 200: Type.Object({ agents: Type.Array(Colleague), teams: Type.Array(Type.String()) }), ...errorResponses(DB_ERRORS) }
}
const tasksSchema = { summary: 'Their open tasks, the soonest due first', response: { 200: Type.Object({ tasks: Type.Array(AgentTaskView) }), ...errorResponses(DB_ERRORS) } }


/**
 * What an agent's page asks about its own agent, authenticated by the agent's
 * screen-pop token as `Authorization: Bearer <token>`: who they are and their
 * live state (`GET /v1/me`), setting that state (`PUT /v1/me/state`) or the
 * language of their page (`PUT /v1/me/language`), and their
 * open tasks (`GET /v1/me/tasks`), and their colleagues' live states for a transfer
 * (`GET /v1/me/colleagues`). An agent reaches only their own data.
 */
export async function meRoutes(fastify: FastifyInstance, options: MeRoutesOptions): Promise<void> {
  const { db, index, states, now, currency } = options
  if (typeof now !== 'function') throw new Error('meRoutes: now must be a function')
  if (!/^[A-Z]{3}$/.test(currency ?? '')) throw new Error('meRoutes: currency must be an ISO 4217 code such as RUB')
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  // Every route of this plugin (and only these: the plugin is encapsulated) needs the token,
  // checked before the body is parsed so that a stranger learns nothing but 401.
  const agentOf = requireAgentToken(fastify, db)

  app.get('/v1/me', { schema: meSchema }, async (request) => {
    const agentId = agentOf(request)
    const agent = await getAgent(db, agentId)
    if (!agent) throw Errors.agentNotFound(agentId)
    const view = index.get(agentId)
    return { id: agent.id, name: agent.name, team: agent.team, state: view ? presentState(view) : null, language: agent.language ?? null, currency }
  })

  app.put('/v1/me/language', { schema: languageSchema }, async (request) => {
    const agentId = agentOf(request)
    if (!(await setAgentLanguage(db, agentId, request.body.language))) throw Errors.agentNotFound(agentId)
    return { language: request.body.language }
  })

  app.put('/v1/me/state', { schema: stateSchema }, async (request) => {
    const agentId = agentOf(request)
    if (!states.setState(agentId, request.body.state, now())) throw Errors.agentNotFound(agentId)
    request.log.info({ agentId, state: request.body.state }, 'agent state set from their page')
    return presentState(index.get(agentId)!)
  })

  app.get('/v1/me/colleagues', { schema: colleaguesSchema }, async (request) => {
    const agentId = agentOf(request)
    const agents = index
      .snapshot()
      .filter((view) => view.profile.id !== agentId)
      .map((view) => ({ id: view.profile.id, name: view.profile.name, team: view.profile.team ?? null, status: view.state.status, free: index.skipReason(view.profile.id) === null }))
      .sort((a, b) => (a.team ?? '').localeCompare(b.team ?? '') || a.name.localeCompare(b.name))
    const teams = [...new Set(agents.map((a) => a.team).filter((team): team is string => team !== null))].sort()
    return { agents, teams }
  })

  app.get('/v1/me/tasks', { schema: tasksSchema }, async (request) => {
    const agentId = agentOf(request)
    const at = now()
    const tasks = await listOpenTasksOfAgent(db, agentId)
    return { tasks: tasks.map((task) => ({ ...task, overdue: Date.parse(task.dueAt) < at })) }
  })
}

function presentState(view: AgentView) {
  const { state } = view
  return {
    status: state.status,
    since: new Date(state.since).toISOString(),
    activeCalls: state.activeCalls,
    capacity: view.profile.capacity,
    callsToday: state.callsToday,
    wrapUpUntil: state.wrapUpUntil === null ? null : new Date(state.wrapUpUntil).toISOString()
  }
}
