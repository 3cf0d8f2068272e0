interface LoggedRequest {
  method: string
  url: string
  host?: string
  ip?: string
  headers?: Record<string, string | string[] | undefined>
  socket?: { remotePort?: number }
}

/**
 * fastify's request log fields, with every token parameter of the URL (agent
 * pages may connect with `?token=`) replaced: tokens never reach the logs in
 * clear. Give it to the server's logger as the `req` serializer.
 */
export function serializeRequestWithoutToken(req: LoggedRequest) {
  return {
    method: req.method,
    url: redactTokensInUrl(req.url),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort
  }
}

const REDACTED = '[redacted]'

/**
 * The URL with the value of every parameter whose name, once decoded, says
 * "token" (`?token=`, `?%74oken=`, `?TOKEN=`, `?token[]=`, `?access_token=`,
 * repeated, after `;`, as a `;token=` path parameter or in a fragment) replaced
 * for logs. Names are decoded before matching because the query parser decodes
 * them before the server reads the token: matching the raw text let `%74oken` through.
 */
export function redactTokensInUrl(url: string): string {
  const query = url.indexOf('?')
  const hash = url.indexOf('#')
  const pathEnd = Math.min(query === -1 ? url.length : query, hash === -1 ? url.length : hash)
  const path = url.slice(0, pathEnd).split('/').map(redactPathSegment).join('/')
  // The query and the fragment are both name=value lists as far as a leak is concerned.
  return path + url.slice(pathEnd).replace(/[^?#]+/g, redactParameters)
}

/** `socket;token=abc;x=1` → `socket;token=[redacted];x=1`. */
function redactPathSegment(segment: string): string {
  const semi = segment.indexOf(';')
  if (semi === -1) return segment
  return segment.slice(0, semi + 1) + redactParameters(segment.slice(semi + 1))
}

function redactParameters(list: string): string {
  return list
    .split(/([&;])/)
    .map((part, i) => (i % 2 === 1 ? part : redactParameter(part)))
    .join('')
}

function redactParameter(part: string): string {
  const equals = part.indexOf('=')
  const name = equals === -1 ? part : part.slice(0, equals)
  if (!namesToken(name)) return part
  // Without a raw `=`, an encoded one may still hide a value (`token%3Dabc`): the whole part goes.
  return equals === -1 ? REDACTED : `${name}=${REDACTED}`
}

function namesToken(raw: string): boolean {
  let name = raw.replace(/\+/g, ' ')
  // Decoded byte by byte (a malformed escape stays as written) until nothing changes: `%2574` is `%74` is `t`.
  for (let round = 0; round < 5 && name.includes('%'); round++) {
    const decoded = name.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    if (decoded === name) break
    name = decoded
  }
  return /token/i.test(name.replace(/[^a-z]/gi, ''))
}
