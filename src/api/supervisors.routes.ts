import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import { Errors } from '../errors.js'
import { createSupervisor, deactivateSupervisor, issueSupervisorToken, listSupervisors, type Supervisor } from '../supervisor/supervisor.repository.js'
import { AgentId } from './schemas.js'
import { DB_ERRORS, errorResponses, WRITE_ERRORS } from './error-responses.js'

/** Where admin and supervisor changes are recorded (src/audit/audit-log.ts). */
export interface AuditRecorder {
  record(entry: { actor: { kind: 'admin' | 'supervisor' | 'system'; id: string | null; name?: string }; action: string; entity: string; entityId: string | null; before: unknown; after: unknown }): void
}

export interface SupervisorRoutesOptions {
  db: Kysely<Database>
  now: () => number
  audit: AuditRecorder | null
}

const TeamId = Type.String({ pattern: '^[a-z0-9][a-z0-9:_-]*$', maxLength: 64 })
const SupervisorBody = Type.Object(
  { id: AgentId.properties.id, name: Type.String({ minLength: 1, maxLength: 200 }), teams: Type.Array(TeamId, { minItems: 1, maxItems: 100, uniqueItems: true, description: 'the team ids whose agents and calls the supervisor sees' }) },
  { additionalProperties: false }
)
const SupervisorView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  teams: Type.Array(Type.String()),
  active: Type.Boolean(),
  tokenExpiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'when the current token stops working; null when none is in force' })
})
const TokenQuery = Type.Object(
  { validHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 8760, default: 720, description: 'how long the token works, in hours (default 720: 30 days)' })) },
  { additionalProperties: false }
)
const SupervisorToken = Type.Object({ supervisorId: Type.String(), token: Type.String({ description: 'shown once; only its hash is kept' }), expiresAt: Type.String({ format: 'date-time' }) })
const FOUND = { 404: ['CTI_ERR_SUPERVISOR_NOT_FOUND'] }

const notFound = (id: string) => Errors.supervisorNotFound(id)
const ADMIN = { kind: 'admin', id: null } as const

/** Supervisors and their tokens: admin endpoints (the admin token only). */
export async function supervisorRoutes(fastify: FastifyInstance, options: SupervisorRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { db, now, audit } = options

  app.post('/v1/supervisors', { schema: { summary: 'Creates a supervisor (a floor manager or team lead) who sees the given teams', body: SupervisorBody, response: { 201: SupervisorView, ...errorResponses(WRITE_ERRORS) } } }, async (request, reply) => {
    const created = await createSupervisor(db, request.body)
    audit?.record({ actor: ADMIN, action: 'supervisor.created', entity: 'supervisor', entityId: created.id, before: null, after: { name: created.name, teams: created.teams } })
    return reply.code(201).send(present(created))
  })

  app.get('/v1/supervisors', { schema: { summary: 'Every supervisor (tokens are never shown)', response: { 200: Type.Array(SupervisorView), ...errorResponses(DB_ERRORS) } } }, async () => (await listSupervisors(db)).map(present))

  app.delete('/v1/supervisors/:id', { schema: { summary: "Deactivates a supervisor: their token stops working at once", params: AgentId, response: { 200: SupervisorView, ...errorResponses(FOUND, DB_ERRORS) } } }, async (request) => {
    const done = await deactivateSupervisor(db, request.params.id)
    if (!done) throw notFound(request.params.id)
    audit?.record({ actor: ADMIN, action: 'supervisor.deactivated', entity: 'supervisor', entityId: done.id, before: { active: true }, after: { active: false } })
    return present(done)
  })

  app.post(
    '/v1/supervisors/:id/token',
    { schema: { summary: "Issues a supervisor's token (shown once; a new one replaces the old)", params: AgentId, querystring: TokenQuery, response: { 201: SupervisorToken, ...errorResponses(FOUND, DB_ERRORS) } } },
    async (request, reply) => {
      const hours = request.query.validHours ?? 720
      const expiresAt = new Date(now() + hours * 3_600_000)
      const issued = await issueSupervisorToken(db, request.params.id, expiresAt)
      if (!issued) throw notFound(request.params.id)
      request.log.info({ supervisorId: request.params.id, expiresAt }, 'supervisor token issued')
      audit?.record({ actor: ADMIN, action: 'token.issued', entity: 'supervisor', entityId: request.params.id, before: null, after: { expiresAt: expiresAt.toISOString() } })
      return reply.code(201).send({ supervisorId: request.params.id, token: issued.token, expiresAt: expiresAt.toISOString() })
    }
  )
}

function present(s: Supervisor) {
  return { id: s.id, name: s.name, teams: s.teams, active: s.active, tokenExpiresAt: s.tokenExpiresAt?.toISOString() ?? null }
}
