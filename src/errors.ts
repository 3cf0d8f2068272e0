/**
 * The catalog of coded errors. The domain throws these; each transport turns
 * them into its response (HTTP status and JSON body here, a SIP status in the
 * SIP adapter). Messages say what to fix.
 */
export class CtiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number,
    readonly sipStatus: number = 500,
    readonly details?: unknown
  ) {
    super(message)
    this.name = 'CtiError'
  }
}

export const Errors = {
  invalidPhone: (input: string, problem: string) =>
    new CtiError('CTI_ERR_INVALID_PHONE', `"${input}" is not a usable phone number (${problem}); send it in international form, e.g. +79161234567`, 400, 484),
  customerNotFound: (what: string) => new CtiError('CTI_ERR_CUSTOMER_NOT_FOUND', `no customer has ${what}`, 404, 404),
  agentNotFound: (id: string) => new CtiError('CTI_ERR_AGENT_NOT_FOUND', `no agent has id "${id}"`, 404, 404),
  supervisorNotFound: (id: string) => new CtiError('CTI_ERR_SUPERVISOR_NOT_FOUND', `no active supervisor has id "${id}"; create one with POST /v1/supervisors`, 404, 404),
  agentNotInTeams: (id: string, teams: readonly string[]) => new CtiError('CTI_ERR_AGENT_NOT_FOUND', `no agent of your teams (${teams.join(', ')}) has id "${id}"`, 404, 404),
  lineNotFound: (number: string) => new CtiError('CTI_ERR_LINE_NOT_FOUND', `no line has number "${number}"`, 404, 404),
  phoneTaken: (phone: string, customerId: number) =>
    new CtiError('CTI_ERR_PHONE_TAKEN', `phone ${phone} already belongs to customer ${customerId}; remove it there first`, 409, 500),
  unknownReference: (what: string) => new CtiError('CTI_ERR_UNKNOWN_REFERENCE', what, 422, 500),
  dbNotWritable: (code: string) =>
    new CtiError('CTI_ERR_DB_NOT_WRITABLE', `the CRM database refuses writes right now (SQLSTATE ${code}: read-only, full, out of connections or busy); nothing was changed, retry shortly`, 503, 503),
  dbUnavailable: () =>
    new CtiError('CTI_ERR_DB_UNAVAILABLE', 'the CRM database is not reachable right now; retry shortly', 503, 503),
  interactionNotFound: (callId: string) => new CtiError('CTI_ERR_INTERACTION_NOT_FOUND', `no interaction ${callId} is in progress on this server; route it first (POST /v1/route)`, 404, 481),
  interactionFinished: (callId: string, what: string) => new CtiError('CTI_ERR_INTERACTION_FINISHED', `interaction ${callId} ${what}; there is nothing to wait for`, 409, 481),
  callBackImpossible: (why: string) => new CtiError('CTI_ERR_CALLBACK_IMPOSSIBLE', `a call-back cannot be placed: ${why}`, 422, 500),
  notQueued: (callId: string) => new CtiError('CTI_ERR_NOT_QUEUED', `interaction ${callId} is not waiting in a queue; only a waiting caller can ask to be called back and keep their place`, 409, 481),
  badRequest: (message: string) => new CtiError('CTI_ERR_BAD_REQUEST', message, 400, 400),
  badFilter: (filter: string, problem: string) => new CtiError('CTI_ERR_BAD_FILTER', `the filter "${filter}" ${problem}`, 400, 400, { filter }),
  callNotFound: (id: string) => new CtiError('CTI_ERR_CALL_NOT_FOUND', `no call record has id "${id}" (records are written a moment after the call ends; search with GET /v1/calls)`, 404, 404),
  tooLarge: (message: string) => new CtiError('CTI_ERR_TOO_LARGE', message, 413, 413),
  unsupportedMedia: (message: string) => new CtiError('CTI_ERR_UNSUPPORTED_MEDIA', message, 415, 415),
  invalidJson: (message: string) => new CtiError('CTI_ERR_INVALID_JSON', message, 400, 400),
  badUrl: (message: string) => new CtiError('CTI_ERR_BAD_URL', message, 400, 400),
  nulCharacter: (where: string) =>
    new CtiError('CTI_ERR_NUL_CHARACTER', `${where} contains a NUL character (\\u0000), which no field accepts; remove it and send again`, 400, 400),
  uriTooLong: (message: string) => new CtiError('CTI_ERR_URI_TOO_LONG', message, 414, 414),
  headersTooLarge: (message: string) => new CtiError('CTI_ERR_HEADERS_TOO_LARGE', message, 431, 400),
  upgradeRequired: (message: string) => new CtiError('CTI_ERR_UPGRADE_REQUIRED', message, 426, 400),
  requestTimeout: () => new CtiError('CTI_ERR_REQUEST_TIMEOUT', 'the request was not received in time', 408, 408),
  previewDirRefused: (dir: string, base: string) =>
    new CtiError('CTI_ERR_PREVIEW_DIR_REFUSED', `"${dir}" is not inside ${base}, the folder previews may read (RULES_PREVIEW_BASE); put the candidate rules there, or send them as "files"`, 400, 400),
  previewRulesInvalid: (errors: readonly string[]) =>
    new CtiError('CTI_ERR_PREVIEW_RULES_INVALID', `the candidate rules do not compile (${errors.length} error${errors.length === 1 ? '' : 's'}); fix them as listed in details, as rules check shows them`, 422, 500, errors),
  chatDisabled: () => new CtiError('CTI_ERR_CHAT_DISABLED', 'the web chat is not configured: add a chat section (routing-rules/chat.yaml) to the rules', 503, 503),
  chatUnknownSite: (site: string) => new CtiError('CTI_ERR_CHAT_UNKNOWN_SITE', `no site "${site}" is configured for the chat (chat.yaml, sites)`, 404, 404),
  chatOriginRefused: (origin: string | null, site: string) =>
    new CtiError('CTI_ERR_CHAT_ORIGIN_REFUSED', `${origin === null ? 'a request without an Origin' : `origin ${origin}`} is not configured for site "${site}"; add it to the site's origins in chat.yaml`, 403, 403),
  chatVisitorNotFound: () => new CtiError('CTI_ERR_CHAT_VISITOR_NOT_FOUND', 'no such visitor on this site; report a page view first (POST /v1/chat/views) and use the visitorId it answers', 404, 404),
  chatNotFound: (chatId: string) => new CtiError('CTI_ERR_CHAT_NOT_FOUND', `no open chat ${chatId} is yours`, 404, 404),
  chatMessageTooLong: (bytes: number, limit: number) =>
    new CtiError('CTI_ERR_CHAT_MESSAGE_TOO_LONG', `the message is ${bytes} bytes; at most ${limit} are taken: shorten it or send it in parts`, 413, 413),
  chatRateLimited: (retryAfterSeconds: number) =>
    new CtiError('CTI_ERR_CHAT_RATE_LIMITED', `too many messages; wait ${retryAfterSeconds} s before sending again`, 429, 500, { retryAfterSeconds })
} as const

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P03', '08000', '08003', '08006'])

/**
 * True when an error from the database driver means "the database cannot be used right now", not "the
 * query is wrong": unreachable, or (isPoolWait) every pooled connection busy. Either is worth a retry;
 * only the first is an outage.
 */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Query read timeout/i.test(err.message)
}

/**
 * True for pg's pool giving up waiting for one of its own connections to come free ("timeout exceeded
 * when trying to connect"): the pool was busy with other queries for the whole connect timeout. The
 * database itself answered; waiting for a connection is not an outage.
 */
export function isPoolWait(err: unknown): boolean {
  return err instanceof Error && /timeout exceeded when trying to connect/i.test(err.message)
}
