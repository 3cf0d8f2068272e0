import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { answerClientError, answerFrameworkError, installErrorHandler } from './error-handler.js'
import { installNulGuard } from './nul-guard.js'
import { registerOpenApi } from './openapi.js'

export interface ServerOptions {
  logger: FastifyBaseLogger
  bodyLimit: number
}

/**
 * The longest path segment routed. Above the longest a schema allows (a SIP
 * URI as a phone, 256) with room for percent-encoding; longer is a 414.
 */
const MAX_PARAM_LENGTH = 1024

/**
 * A fastify instance with the project's error handling, the NUL guard,
 * request-id logging and the OpenAPI description of whatever routes the
 * composition root registers on it next.
 */
export function createServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit,
    requestIdHeader: 'x-request-id',
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: (err, request, reply) => answerFrameworkError(err, request as FastifyRequest, reply as FastifyReply),
    clientErrorHandler: (err, socket) => answerClientError(err, socket, options.logger),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } }
  })
  installErrorHandler(app)
  installNulGuard(app)
  // Response schemas describe the answers (OpenAPI); they must never drop or coerce a field of one.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  registerOpenApi(app)
  return app
}
