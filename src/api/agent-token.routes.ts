import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { issueAgentToken } from '../crm/agent-token.repository.js'
import type { Database } from '../crm/schema.js'
import { Errors } from '../errors.js'
import { AgentId } from './schemas.js'
import { DB_ERRORS, errorResponses } from './error-responses.js'
import { TokenView } from './response-schemas.js'

const tokenSchema = {
  summary: "Issues an agent's screen-pop token (shown once; a new one replaces the old)",
  params: AgentId,
  response: { 201: TokenView, ...errorResponses({ 404: ['CTI_ERR_AGENT_NOT_FOUND'] }, DB_ERRORS) }
}

export interface AgentTokenRoutesOptions {
  db: Kysely<Database>
}

/** Issues an agent's screen-pop token: shown once in the answer, kept only as a hash; a new one replaces the old. */
export async function agentTokenRoutes(fastify: FastifyInstance, options: AgentTokenRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post('/v1/agents/:id/token', { schema: tokenSchema }, async (request, reply) => {
    const token = await issueAgentToken(options.db, request.params.id)
    if (!token) throw Errors.agentNotFound(request.params.id)
    request.log.info({ agentId: request.params.id }, 'agent token issued')
    return reply.code(201).send({ agentId: request.params.id, token })
  })
}
