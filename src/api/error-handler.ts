import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { CtiError, Errors, isConnectionError } from '../errors.js'

/** Postgres error codes that mean "the request refers to something wrong", not "the server broke". */
const FOREIGN_KEY_VIOLATION = '23503'
/**
 * The database's state, not the request's fault: read-only (25006), no privilege
 * (42501), disk full (53100), out of memory (53200), too many connections (53300),
 * serialization failure or deadlock (40001, 40P01). The client may retry.
 */
const WRITES_REFUSED = new Set(['25006', '42501', '53100', '53200', '53300', '40001', '40P01'])
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
    if (err instanceof CtiError) return sendCtiError(request, reply, err)
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
    if (pgCode !== undefined && WRITES_REFUSED.has(pgCode)) {
      request.log.warn({ err }, 'database refuses writes')
      return sendCtiError(request, reply, Errors.dbNotWritable(pgCode))
    }
    if (isConnectionError(err)) {
      request.log.warn({ err }, 'database unreachable')
      return reply.code(503).send({ error: 'CTI_ERR_DB_UNAVAILABLE', message: 'the CRM database is not reachable right now; retry shortly' })
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return sendCtiError(request, reply, fromFastifyClientError(err, request))
    request.log.error({ err }, 'request failed')
    return reply.code(500).send({ error: 'CTI_ERR_INTERNAL', message: 'internal error; the server log has the details' })
  })
}

/**
 * Errors fastify raises before a route is found (`frameworkErrors`): a URL
 * that is not valid percent-encoding, or a path segment past `maxParamLength`.
 */
export function answerFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_BAD_URL') {
    void sendCtiError(request, reply, Errors.badUrl('the URL has a malformed percent-encoding (a % not followed by two hex digits, or bytes that are not UTF-8)'))
  } else if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void sendCtiError(request, reply, Errors.uriTooLong('a path segment of the URL is longer than the server accepts; no identifier is that long'))
  } else {
    request.log.error({ err }, 'request failed before routing')
    void reply.code(500).send({ error: 'CTI_ERR_INTERNAL', message: 'internal error; the server log has the details' })
  }
}

/** A request line this long is a URI that is too long, not a header that is (nothing sends 8 KiB of method). */
const LONG_REQUEST_LINE = 8192

/**
 * Requests node's HTTP parser refuses before fastify sees them (headers past
 * `maxHeaderSize`, a timeout, malformed HTTP): answered on the raw socket in
 * the same `{ error, message }` shape, then the connection is closed.
 */
export function answerClientError(err: Error & { code?: string; rawPacket?: unknown }, socket: Socket, log: FastifyBaseLogger): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const refusal = clientRefusal(err)
  log.debug({ err, status: refusal.httpStatus }, 'malformed HTTP request refused')
  if (socket.writable) {
    const body = JSON.stringify({ error: refusal.code, message: refusal.message })
    const head = `HTTP/1.1 ${refusal.httpStatus} ${STATUS_CODES[refusal.httpStatus]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`
    socket.write(head + body)
  }
  socket.destroy(err)
}

function clientRefusal(err: Error & { code?: string; rawPacket?: unknown }): CtiError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return Errors.requestTimeout()
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const packet = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.subarray(0, LONG_REQUEST_LINE + 64).toString('latin1') : ''
    const lineEnd = packet.indexOf('\r\n')
    if (/^[A-Z]+ /.test(packet) && (lineEnd === -1 || lineEnd > LONG_REQUEST_LINE)) return Errors.uriTooLong('the URL is longer than the server accepts (16 KiB with the headers)')
    return Errors.headersTooLarge('the request headers are larger than the server accepts (16 KiB with the URL)')
  }
  return Errors.badRequest('the request is not well-formed HTTP/1.1')
}

function sendCtiError(request: FastifyRequest, reply: FastifyReply, err: CtiError): FastifyReply {
  if (err.httpStatus >= 500) request.log.warn({ code: err.code }, err.message)
  return reply.code(err.httpStatus).send({ error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) })
}

/** fastify's own client errors (body parsing, content type, sizes) in the catalog's terms. */
function fromFastifyClientError(err: FastifyError, request: FastifyRequest): CtiError {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return Errors.invalidJson('the body is not valid JSON (or it sets __proto__ or constructor.prototype)')
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return Errors.invalidJson('the body is empty but Content-Type says application/json; send a JSON value, or no Content-Type')
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return Errors.tooLarge('the request body is larger than the server accepts (BODY_LIMIT_BYTES)')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return Errors.unsupportedMedia(`Content-Type ${(request.headers['content-type'] ?? '(none)').slice(0, 100)} is not accepted here; send application/json (text/csv for an import)`)
    default:
      return new CtiError(err.code?.startsWith('CTI_ERR_') ? err.code : 'CTI_ERR_BAD_REQUEST', err.message, err.statusCode ?? 400, 400)
  }
}

function describeConstraint(err: FastifyError, what: string): string {
  const detail = (err as { detail?: string }).detail
  return detail ? `${detail.replace(/^Key /, '')} — ${what}` : `${err.message} — ${what}`
}
