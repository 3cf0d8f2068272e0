import { redactTokenInUrl } from './protocol.js'

interface LoggedRequest {
  method: string
  url: string
  host?: string
  ip?: string
  headers?: Record<string, string | string[] | undefined>
  socket?: { remotePort?: number }
}

/**
 * fastify's request log fields, with a token in the query string (agent pages
 * may connect with `?token=`) replaced: tokens never reach the logs in clear.
 * Give it to the server's logger as the `req` serializer.
 */
export function serializeRequestWithoutToken(req: LoggedRequest) {
  return {
    method: req.method,
    url: redactTokenInUrl(req.url),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort
  }
}
