// The agent's own endpoints (/v1/me…), with the agent's token.

/**
 * A fetch of JSON with the agent's token. A 401 calls `onUnauthorized` and
 * throws Error('unauthorized'), as does a call made while signed out; another
 * failure throws the server's message.
 */
export function createApi({ token, onUnauthorized }) {
  return async function api(path, options = {}) {
    const current = token()
    // Signed out meanwhile (a timer firing late): nothing to ask, and nobody to tell.
    if (!current) throw new Error('unauthorized')
    const headers = { authorization: `Bearer ${current}` }
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(path, { method: options.method || 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) })
    const body = await response.json().catch(() => null)
    if (response.status === 401) {
      onUnauthorized()
      throw new Error('unauthorized')
    }
    if (!response.ok) throw new Error((body && body.message) || `HTTP ${response.status}`)
    return body
  }
}
