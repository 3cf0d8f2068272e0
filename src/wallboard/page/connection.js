// The board's live feed: /v1/wallboard/socket, a snapshot then deltas. It
// reconnects by itself (a fresh snapshot each time) unless the token is refused.

const RECONNECT_FIRST_MS = 1000
const RECONNECT_MAX_MS = 15_000
/** Close codes of the feed (the server's protocol.ts). */
const CLOSE_INVALID_TOKEN = 4401
const CLOSE_TOO_FAR_BEHIND = 4429

/** What the board knows, kept up to date by the feed's messages. */
export function createStore() {
  return {
    agents: new Map(),
    calls: new Map(),
    queues: new Map(),
    viewer: null,
    timeZone: 'UTC',
    language: null,
    /** Server time minus this browser's (ms), so that times in state count from the server's clock. */
    offset: 0,
    apply(message) {
      this.offset = message.at - Date.now()
      if (message.type === 'snapshot') {
        this.viewer = message.viewer
        this.timeZone = message.timeZone
        this.language = message.language ?? null
        this.agents = new Map(message.agents.map((a) => [a.id, a]))
        this.calls = new Map(message.calls.map((c) => [c.id, c]))
        this.queues = new Map(message.queues.map((q) => [q.name, q]))
        return
      }
      for (const agent of message.agents) this.agents.set(agent.id, agent)
      for (const id of message.removedAgents) this.agents.delete(id)
      for (const call of message.calls) this.calls.set(call.id, call)
      for (const id of message.endedCalls) this.calls.delete(id)
      for (const queue of message.queues) this.queues.set(queue.name, queue)
    },
    now() {
      return Date.now() + this.offset
    }
  }
}

/** Opens the feed and keeps it open until close(); `onMessage` gets each parsed message. */
export function openFeed({ token, onMessage, onStatus, onInvalidToken }) {
  let socket = null
  let delay = RECONNECT_FIRST_MS
  let timer = null
  let closed = false

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    // The token travels as a subprotocol, never in the URL (which logs and proxies keep).
    const current = new WebSocket(`${scheme}://${location.host}/v1/wallboard/socket`, ['screenpop.v1', `token.${token}`])
    socket = current
    onStatus('connecting')
    current.onmessage = (event) => {
      let message
      try {
        message = JSON.parse(event.data)
      } catch {
        return
      }
      if (message.type === 'snapshot') {
        delay = RECONNECT_FIRST_MS
        onStatus('live')
      }
      onMessage(message)
    }
    current.onclose = (event) => {
      if (socket !== current || closed) return
      socket = null
      if (event.code === CLOSE_INVALID_TOKEN) return onInvalidToken()
      const wait = event.code === CLOSE_TOO_FAR_BEHIND ? 0 : delay
      delay = Math.min(delay * 2, RECONNECT_MAX_MS)
      onStatus('lost', Math.round(wait / 1000))
      timer = setTimeout(connect, wait)
    }
  }

  connect()
  return {
    close() {
      closed = true
      clearTimeout(timer)
      socket?.close(1000)
    }
  }
}
