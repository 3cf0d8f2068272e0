import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { listAudit } from '../audit/audit.repository.js'
import type { Database } from '../crm/schema.js'
import { Errors } from '../errors.js'
import { decodeCursor, encodeCursor, Filters, type Query } from './filters.js'
import { AuditAnswer, AuditQuery, BAD_FILTER } from './history-schemas.js'

const FILTERS = ['from', 'to', 'actor', 'actorKind', 'entity', 'entityId', 'action', 'limit', 'after']

const auditSchema = {
  summary: 'The audit trail, newest first: who (which token) changed what, when, before and after; filtered, keyset pages (`next`)',
  querystring: AuditQuery,
  response: { 200: AuditAnswer, ...BAD_FILTER }
}

/** `GET /v1/audit` (admin only). */
export async function auditRoutes(app: FastifyInstance, options: { db: Kysely<Database> }): Promise<void> {
  app.get('/v1/audit', { schema: auditSchema }, async (request) => {
    const filters = new Filters(request.query as Query)
    filters.only(FILTERS)
    const { from, to } = filters.range()
    const cursor = decodeCursor(filters)
    let beforeId: string | undefined
    if (cursor !== undefined) {
      if (cursor.length !== 1 || typeof cursor[0] !== 'string' || !/^\d+$/.test(cursor[0])) throw Errors.badFilter('after', 'is not a cursor this server gave (take `next` from the previous page as it is)')
      beforeId = cursor[0]
    }
    const page = await listAudit(options.db, {
      from,
      to,
      actor: filters.text('actor'),
      actorKind: filters.oneOf('actorKind', ['admin', 'supervisor', 'system']),
      entity: filters.text('entity'),
      entityId: filters.text('entityId'),
      action: filters.text('action'),
      beforeId,
      limit: filters.integer('limit', 1, 500) ?? 100
    })
    return { entries: page.entries, next: page.next === null ? null : encodeCursor([page.next]) }
  })
}
