import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { findAgentIdByToken } from '../crm/agent-token.repository.js'
import type { Database } from '../crm/schema.js'
import { CtiError } from '../errors.js'
import { tokenFromRequest } from '../screenpop/protocol.js'

const unauthorized = (message: string) => new CtiError('CTI_ERR_UNAUTHORIZED', message, 401, 401)

/**
 * Requires the agent's screen-pop token as `Authorization: Bearer …` on every
 * route of the (encapsulated) plugin it is called in; returns who the request is from.
 */
export function requireAgentToken(fastify: FastifyInstance, db: Kysely<Database>): (request: FastifyRequest) => string {
  const agents = new WeakMap<FastifyRequest, string>()
  fastify.addHook('onRequest', async (request, reply) => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
    if (!bearer) {
      void reply.header('www-authenticate', 'Bearer')
      throw unauthorized('send the agent token as "Authorization: Bearer <token>" (POST /v1/agents/:id/token issues one)')
    }
    const agentId = await findAgentIdByToken(db, bearer[1]!)
    if (!agentId) {
      void reply.header('www-authenticate', 'Bearer error="invalid_token"')
      throw unauthorized('the agent token is unknown, replaced by a newer one, or its agent is inactive')
    }
    agents.set(request, agentId)
  })
  return (request) => agents.get(request)!
}

/**
 * Who opens an agent's WebSocket, decided before the upgrade: the agent, 'invalid' for a missing or
 * unknown token, 'retry' when the token could not be checked (the database is away).
 */
export async function socketAgent(db: Kysely<Database>, request: FastifyRequest): Promise<{ agentId: string } | 'invalid' | 'retry'> {
  const token = tokenFromRequest(request.query, request.headers)
  if (!token) return 'invalid'
  try {
    const agentId = await findAgentIdByToken(db, token)
    return agentId ? { agentId } : 'invalid'
  } catch (err) {
    request.log.warn({ err }, 'agent token could not be checked')
    return 'retry'
  }
}
