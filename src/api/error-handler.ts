import type { FastifyError, FastifyInstance } from 'fastify'
import { CtiError, isConnectionError } from '../errors.js'

/** Postgres error codes that mean "the request refers to something wrong", not "the server broke". */
const FOREIGN_KEY_VIOLATION = '23503'
const UNIQUE_VIOLATION = '23505'
const CHECK_VIOLATION = '23514'

/**
 * One place that turns every failure into `{ error, message }` with the right
 * status: coded domain errors, schema validation, malformed or oversized
 * bodies, constraint violations, and an unreachable database (503, fast).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'CTI_ERR_NOT_FOUND', message: `no route ${request.method} ${request.url}` })
  })

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof CtiError) {
      if (err.httpStatus >= 500) request.log.warn({ code: err.code }, err.message)
      return reply.code(err.httpStatus).send({ error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) })
    }
    if (err.validation) {
      return reply.code(400).send({ error: 'CTI_ERR_VALIDATION', message: `${err.validationContext ?? 'request'} ${err.validation.map((v) => `${v.instancePath || ''} ${v.message}`.trim()).join('; ')}` })
    }
    const pgCode = (err as { code?: string }).code
    if (pgCode === FOREIGN_KEY_VIOLATION) {
      return reply.code(422).send({ error: 'CTI_ERR_UNKNOWN_REFERENCE', message: describeConstraint(err, 'refers to something that does not exist') })
    }
    if (pgCode === UNIQUE_VIOLATION) {
      return reply.code(409).send({ error: 'CTI_ERR_CONFLICT', message: describeConstraint(err, 'already exists') })
    }
    if (pgCode === CHECK_VIOLATION) {
      return reply.code(400).send({ error: 'CTI_ERR_VALIDATION', message: describeConstraint(err, 'is out of range') })
    }
    if (isConnectionError(err)) {
      request.log.warn({ err }, 'database unreachable')
      return reply.code(503).send({ error: 'CTI_ERR_DB_UNAVAILABLE', message: 'the CRM database is not reachable right now; retry shortly' })
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // fastify's own client errors: malformed JSON, body too large, wrong content type.
      return reply.code(err.statusCode).send({ error: err.code ?? 'CTI_ERR_BAD_REQUEST', message: err.message })
    }
    request.log.error({ err }, 'request failed')
    return reply.code(500).send({ error: 'CTI_ERR_INTERNAL', message: 'internal error; the server log has the details' })
  })
}

function describeConstraint(err: FastifyError, what: string): string {
  const detail = (err as { detail?: string }).detail
  return detail ? `${detail.replace(/^Key /, '')} — ${what}` : `${err.message} — ${what}`
}
