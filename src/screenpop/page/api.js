// The agent's own endpoints (/v1/me…), with the agent's token.

/**
 * A fetch of JSON with the agent's token. A 401 calls `onUnauthorized` and
 * throws Error('unauthorized'), as does a call made while signed out; another
 * answer that is not a success throws the server's message, with its HTTP
 * `status` and error `code` (`{ error, message }`, src/api/error-handler.ts) on
 * the Error. No answer at all (the network) throws an Error without a status.
 * `options.idempotencyKey` goes out as the Idempotency-Key header.
 */
export function createApi({ token, onUnauthorized }) {
  return async function api(path, options = {}) {
    const current = token()
    // Signed out meanwhile (a timer firing late): nothing to ask, and nobody to tell.
    if (!current) throw new Error('unauthorized')
    const headers = { authorization: `Bearer ${current}` }
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey
    const response = await fetch(path, { method: options.method || 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) })
    const body = await response.json().catch(() => null)
    if (response.status === 401) {
      onUnauthorized()
      throw new Error('unauthorized')
    }
    if (!response.ok) {
      const err = new Error((body && body.message) || `HTTP ${response.status}`)
      err.status = response.status
      err.code = body && typeof body.error === 'string' ? body.error : null
      throw err
    }
    return body
  }
}

/**
 * What the agent does from the card and the task list. Each POST takes `key`,
 * its Idempotency-Key: the server acts once per key, so a repeat of the same
 * action (a retry after no answer) cannot act twice.
 */
export function createMeActions(api) {
  const post = (path, body, key) => api(path, { method: 'POST', body, idempotencyKey: key })
  return {
    /** `{ stages, reasons }`: the deal stages in order and the refusal reasons in force. */
    dealOptions: () => api('/v1/me/deals/options'),
    /** `{ stage?, refusalReason?, dealId?, note? }` on a call they answered. */
    recordOutcome: (callId, body, key) => post(`/v1/me/calls/${encodeURIComponent(callId)}/outcome`, body, key),
    /** `{ callId?, customerId?, leadId?, title, dueAt, note? }`: a follow-up task for themselves. */
    createTask: (body, key) => post('/v1/me/tasks', body, key),
    taskDone: (id, key) => post(`/v1/me/tasks/${id}/done`, undefined, key),
    snoozeTask: (id, minutes, key) => post(`/v1/me/tasks/${id}/snooze`, { minutes }, key),
    rescheduleTask: (id, dueAt, key) => post(`/v1/me/tasks/${id}/reschedule`, { dueAt }, key),
    /** `{ name?, company?, callId? }`: the lead becomes a customer they own. */
    convertLead: (leadId, body, key) => post(`/v1/me/leads/${leadId}/convert`, body, key),
    /** `{ agents: [{ id, name, team, status, free }], teams }`: whom a call can be handed to. */
    colleagues: () => api('/v1/me/colleagues'),
    /** `{ toAgentId? | team?, note? }` (neither: the rules choose) on the call they are talking on. */
    transferCall: (callId, body, key) => post(`/v1/me/calls/${encodeURIComponent(callId)}/transfer`, body, key),
    /** `{ customerId } | { leadId } | { taskId }`: their phone rings first, then the customer's. */
    callBack: (body, key) => post('/v1/me/callbacks', body, key)
  }
}

/** A fresh Idempotency-Key: 128 random bits in hex (crypto.randomUUID needs a secure context; this does not). */
export function newActionKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')
}
