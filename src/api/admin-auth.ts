import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { isSupervisorPath } from './supervisor-paths.js'

export interface AdminAuthOptions {
  /** The token admin requests must bear; null leaves the admin endpoints open. */
  token: string | null
}

/**
 * Paths under /v1 that are not admin endpoints: agent pages authenticate with
 * their own agent token there, and the chat widget's are public (the site's origins decide).
 */
const AGENT_PATHS = [/^\/v1\/agents\/socket$/, /^\/v1\/agents\/chat-socket$/, /^\/v1\/me(\/.*)?$/, /^\/v1\/chat\/(views|requests|messages-left|call-me|identify|socket)$/]

/**
 * True for the endpoints an admin (or a PBX, or a script) calls: every /v1 path but the agents' own
 * and those a supervisor's token opens too (supervisor-auth.ts checks the admin token there).
 */
export function isAdminPath(path: string): boolean {
  return path.startsWith('/v1/') && !AGENT_PATHS.some((pattern) => pattern.test(path)) && !isSupervisorPath(path)
}

/**
 * Requires `Authorization: Bearer <token>` on every admin endpoint, answering
 * 401 `CTI_ERR_UNAUTHORIZED` otherwise. Installed on the root instance (like
 * the error handler) so that it covers the routes of every plugin, those
 * registered later included. The decision is made on the matched route's
 * pattern, so percent-encoding cannot make a path look like an agent path; an
 * unmatched path under /v1 is refused too, so nothing can be probed without the token.
 */
export function installAdminAuth(app: FastifyInstance, options: AdminAuthOptions): void {
  if (options.token === null) return
  const expected = digest(options.token)
  app.addHook('onRequest', async (request, reply) => {
    const path = request.routeOptions.url ?? request.url.split('?')[0]!
    if (!isAdminPath(path)) return
    if (bearerMatches(request, expected)) return
    const given = request.headers.authorization !== undefined
    request.log.info({ given }, 'admin request refused')
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="cti-router"')
      .send({
        error: 'CTI_ERR_UNAUTHORIZED',
        message: given ? 'the bearer token is not the admin token' : 'send the admin token as Authorization: Bearer <ADMIN_TOKEN>'
      })
  })
}

function bearerMatches(request: FastifyRequest, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
  // Digests have a fixed length, so the comparison takes the same time whatever was sent.
  return match !== null && timingSafeEqual(digest(match[1]!), expected)
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest()
}
