import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Kysely } from 'kysely'
import { getAgent, listAgents, upsertAgent, type Agent } from '../crm/agent.repository.js'
import type { Database } from '../crm/schema.js'
import { Errors } from '../errors.js'
import { AgentBody, AgentId } from './schemas.js'
import { DB_ERRORS, errorResponses, WRITE_ERRORS } from './error-responses.js'
import { AgentView } from './response-schemas.js'

const listSchema = { summary: 'Every agent with their skills', response: { 200: Type.Array(AgentView), ...errorResponses(DB_ERRORS) } }
const getSchema = { summary: 'An agent with their skills', params: AgentId, response: { 200: AgentView, ...errorResponses({ 404: ['CTI_ERR_AGENT_NOT_FOUND'] }, DB_ERRORS) } }
const putSchema = {
  summary: 'Creates or replaces an agent (a sipUri or an extension to ring them at) and their skills',
  params: AgentId,
  body: AgentBody,
  response: { 200: AgentView, ...errorResponses({ 400: ['CTI_ERR_BAD_REQUEST'] }, WRITE_ERRORS) }
}

export interface AgentRoutesOptions {
  db: Kysely<Database>
  /** Told after an agent is created or changed, so the routing core's index follows. */
  onAgentChanged: (agent: Agent) => void
}

/** Agents with their skills: list, read, create or replace. */
export async function agentRoutes(fastify: FastifyInstance, options: AgentRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { db } = options

  app.get('/v1/agents', { schema: listSchema }, async () => listAgents(db))

  app.get('/v1/agents/:id', { schema: getSchema }, async (request) => {
    const agent = await getAgent(db, request.params.id)
    if (!agent) throw Errors.agentNotFound(request.params.id)
    return agent
  })

  app.put('/v1/agents/:id', { schema: putSchema }, async (request) => {
    const body = request.body
    if (!body.sipUri && !body.extension) throw Errors.badRequest('an agent needs a sipUri or an extension to be rung at')
    const agent = await upsertAgent(db, {
      id: request.params.id,
      name: body.name,
      sipUri: body.sipUri ?? null,
      extension: body.extension ?? null,
      team: body.team ?? null,
      capacity: body.capacity ?? 1,
      language: body.language,
      chatCapacity: body.chatCapacity,
      active: body.active ?? true,
      skills: body.skills ?? {}
    })
    options.onAgentChanged(agent)
    return agent
  })
}
