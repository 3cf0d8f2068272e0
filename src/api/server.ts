import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { installErrorHandler } from './error-handler.js'

export interface ServerOptions {
  logger: FastifyBaseLogger
  bodyLimit: number
}

/**
 * A fastify instance with the project's error handling and request-id
 * logging; the composition root registers the route plugins on it.
 */
export function createServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit,
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } }
  })
  installErrorHandler(app)
  return app
}
