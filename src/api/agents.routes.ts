import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { getAgent, listAgents, upsertAgent, type Agent } from '../crm/agent.repository.js'
import type { Database } from '../crm/schema.js'
import { Errors } from '../errors.js'
import { AgentBody, AgentId } from './schemas.js'

export interface AgentRoutesOptions {
  db: Kysely<Database>
  /** Told after an agent is created or changed, so the routing core's index follows. */
  onAgentChanged: (agent: Agent) => void
}

/** Agents with their skills: list, read, create or replace. */
export async function agentRoutes(fastify: FastifyInstance, options: AgentRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { db } = options

  app.get('/v1/agents', async () => listAgents(db))

  app.get('/v1/agents/:id', { schema: { params: AgentId } }, async (request) => {
    const agent = await getAgent(db, request.params.id)
    if (!agent) throw Errors.agentNotFound(request.params.id)
    return agent
  })

  app.put('/v1/agents/:id', { schema: { params: AgentId, body: AgentBody } }, async (request) => {
    const body = request.body
    if (!body.sipUri && !body.extension) throw Errors.badRequest('an agent needs a sipUri or an extension to be rung at')
    const agent = await upsertAgent(db, {
      id: request.params.id,
      name: body.name,
      sipUri: body.sipUri ?? null,
      extension: body.extension ?? null,
      team: body.team ?? null,
      capacity: body.capacity ?? 1,
      active: body.active ?? true,
      skills: body.skills ?? {}
    })
    options.onAgentChanged(agent)
    return agent
  })
}
