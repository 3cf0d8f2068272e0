import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import { CtiError } from '../errors.js'
import { findSupervisorByToken } from '../supervisor/supervisor.repository.js'
import { isSupervisorPath, WALLBOARD_SOCKET_PATH } from './supervisor-paths.js'

/**
 * Who a request on a supervisor path is from. A supervisor sees only the agents
 * whose team is in `teams`, and the calls of those agents.
 */
export type Principal = { kind: 'admin' } | { kind: 'supervisor'; id: string; name: string; teams: string[] }

export interface SupervisorAuthOptions {
  db: Kysely<Database>
  /** The admin token; null leaves the admin endpoints open, and a request bearing no token is the admin's. */
  adminToken: string | null
  now: () => number
}

const principals = new WeakMap<FastifyRequest, Principal>()

/**
 * Resolves `Authorization: Bearer` on every supervisor path (see supervisor-paths.ts) to the
 * admin or a supervisor, refusing anything else with 401 CTI_ERR_UNAUTHORIZED. Installed on
 * the root instance, like the admin hook, so it covers routes registered later.
 */
export function installSupervisorAuth(app: FastifyInstance, options: SupervisorAuthOptions): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.routeOptions.url ?? request.url.split('?')[0]!
    if (!isSupervisorPath(path) || path === WALLBOARD_SOCKET_PATH) return
    principals.set(request, await resolvePrincipal(request.headers.authorization, options, reply))
  })
}

/**
 * Who the request is from, for handlers on supervisor paths: `{ kind: 'admin' }` or
 * `{ kind: 'supervisor', id, name, teams }`. Throws when the path is not one the hook covers.
 */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request)
  if (!principal) throw new Error(`principalOf: ${request.url} is not a supervisor path (add it to src/api/supervisor-paths.ts)`)
  return principal
}

/** True when the principal may see an agent of this team (the admin sees every agent). */
export function seesTeam(principal: Principal, team: string | null): boolean {
  return principal.kind === 'admin' || (team !== null && principal.teams.includes(team))
}

/** How a request is named in logs and the audit log. */
export function actorOf(principal: Principal): { kind: 'admin' | 'supervisor'; id: string | null; name?: string } {
  return principal.kind === 'admin' ? { kind: 'admin', id: null } : { kind: 'supervisor', id: principal.id, name: principal.name }
}

const unauthorized = (message: string) => new CtiError('CTI_ERR_UNAUTHORIZED', message, 401, 401)

/** The principal a bearer token stands for; throws 401 for a missing, unknown, expired or revoked one. */
export async function resolvePrincipal(authorization: string | undefined, options: SupervisorAuthOptions, reply?: FastifyReply): Promise<Principal> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  if (!bearer) {
    if (options.adminToken === null && authorization === undefined) return { kind: 'admin' }
    void reply?.header('www-authenticate', 'Bearer realm="cti-router"')
    throw unauthorized('send the admin token or a supervisor token as Authorization: Bearer <token> (POST /v1/supervisors/:id/token issues one)')
  }
  const principal = await principalOfToken(bearer[1]!, options)
  if (principal) return principal
  void reply?.header('www-authenticate', 'Bearer error="invalid_token"')
  throw unauthorized('the token is neither the admin token nor a supervisor token in force (unknown, replaced, expired, or its supervisor deactivated); ask an admin for a new one')
}

/** The principal of a token (the admin token or a supervisor's), or null. */
export async function principalOfToken(token: string, options: SupervisorAuthOptions): Promise<Principal | null> {
  if (options.adminToken !== null && timingSafeEqual(digest(token), digest(options.adminToken))) return { kind: 'admin' }
  const supervisor = await findSupervisorByToken(options.db, token, options.now())
  return supervisor ? { kind: 'supervisor', id: supervisor.id, name: supervisor.name, teams: supervisor.teams } : null
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest()
}
