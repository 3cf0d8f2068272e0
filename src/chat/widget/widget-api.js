// The chat server's public endpoints, and what the widget keeps on the site's own origin
// (first-party localStorage): the visitor's id and the chat in progress.

/** An error with the server's code (CTI_ERR_…) or 'network', shown to the visitor in words. */
function chatError(code, message) {
  const err = new Error(message || code)
  err.code = code
  return err
}

function createChatApi(base, site) {
  // Storage may be refused (private windows, blocked cookies): the widget then remembers for this page only.
  const memory = new Map()
  const key = (name) => `cti.chat.${site}.${name}`

  function read(name) {
    try {
      const raw = localStorage.getItem(key(name))
      return raw === null ? (memory.get(name) ?? null) : JSON.parse(raw)
    } catch {
      return memory.get(name) ?? null
    }
  }

  function write(name, value) {
    memory.set(name, value)
    try {
      if (value === null) localStorage.removeItem(key(name))
      else localStorage.setItem(key(name), JSON.stringify(value))
    } catch {
      // Kept in memory above: this page still works, the next one starts afresh.
    }
  }

  async function post(path, body) {
    let response
    try {
      response = await fetch(base + path, { method: 'POST', mode: 'cors', credentials: 'omit', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    } catch {
      throw chatError('network', '')
    }
    const answer = await response.json().catch(() => null)
    if (!response.ok) {
      // The server's errors are {error: code, message} (or {error: {code, message}}).
      const detail = answer && typeof answer.error === 'object' && answer.error ? answer.error : { code: answer && answer.error, message: answer && answer.message }
      throw chatError(detail.code || `HTTP_${response.status}`, detail.message || `HTTP ${response.status}`)
    }
    return answer
  }

  function socketUrl(params) {
    const url = new URL(`${base}/v1/chat/socket`)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    for (const [name, value] of Object.entries(params)) if (value !== null && value !== undefined) url.searchParams.set(name, String(value))
    return url.href
  }

  return { read, write, post, socketUrl }
}
