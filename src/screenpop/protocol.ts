import type { IncomingHttpHeaders } from 'node:http'

/** The WebSocket subprotocol a page asks for; the server selects it. */
export const SCREENPOP_SUBPROTOCOL = 'screenpop.v1'
/** A page may pass its token as a second subprotocol, `token.<token>` (browsers cannot set headers). */
export const TOKEN_SUBPROTOCOL_PREFIX = 'token.'

/** Close codes the server uses (4000–4999 are the application's). */
export const CloseCodes = {
  /** The token is missing, unknown, replaced by a newer one, or its agent is inactive. */
  invalidToken: { code: 4401, reason: 'invalid or expired token' },
  /** `lastSeq` is not a non-negative integer. */
  badRequest: { code: 4400, reason: 'lastSeq must be a non-negative integer' },
  /** The page fell too far behind; reconnect with the last seq seen. */
  tooFarBehind: { code: 4429, reason: 'too far behind; reconnect with lastSeq' },
  /** The token could not be checked (the CRM is unreachable); reconnect later. */
  tryAgainLater: { code: 1013, reason: 'cannot check the token now; try again later' }
} as const

/** What a page may send. Anything else is ignored (and logged). */
export type ClientMessage = { type: 'ack'; seq: number }

export function parseClientMessage(text: string): ClientMessage | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const { type, seq } = value as { type?: unknown; seq?: unknown }
  if (type === 'ack' && typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0) return { type, seq }
  return null
}

/**
 * The agent's token from, in order: `?token=`, `Authorization: Bearer`, or a
 * `token.<token>` subprotocol. Null when none is given.
 */
export function tokenFromRequest(query: unknown, headers: IncomingHttpHeaders): string | null {
  const fromQuery = (query as { token?: unknown } | undefined)?.token
  if (typeof fromQuery === 'string' && fromQuery !== '') return fromQuery
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')
  if (bearer) return bearer[1]!
  for (const protocol of (headers['sec-websocket-protocol'] ?? '').split(',')) {
    const trimmed = protocol.trim()
    if (trimmed.startsWith(TOKEN_SUBPROTOCOL_PREFIX) && trimmed.length > TOKEN_SUBPROTOCOL_PREFIX.length) return trimmed.slice(TOKEN_SUBPROTOCOL_PREFIX.length)
  }
  return null
}

/** `lastSeq` from the query: null when absent, undefined when unusable. */
export function lastSeqFromQuery(query: unknown): number | null | undefined {
  const raw = (query as { lastSeq?: unknown } | undefined)?.lastSeq
  if (raw === undefined || raw === '') return null
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) return undefined
  return Number(raw)
}

/**
 * For the WebSocket server: answer with `screenpop.v1` when the page asked for
 * it. The token subprotocol is never echoed back.
 */
export function selectSubprotocol(protocols: Set<string>): string | false {
  return protocols.has(SCREENPOP_SUBPROTOCOL) ? SCREENPOP_SUBPROTOCOL : false
}

/** The URL with the value of any `token` parameter replaced, for logs. */
export function redactTokenInUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]')
}
