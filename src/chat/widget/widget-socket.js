// The visitor's WebSocket to the chat: reconnects by itself and asks with `since` for what it
// missed, so each message reaches the page once and in order.

const SOCKET_FIRST_DELAY_MS = 1000
const SOCKET_MAX_DELAY_MS = 15000

/**
 * `url(since)` gives the address to connect to; `onEvent` gets each server message once
 * (messages deduplicated on seq); `onStatus('connecting' | 'live' | 'lost' | 'refused', reason)`.
 * The server refuses for good with a 4xxx close (unknown chat, origin not allowed).
 */
function openChatSocket({ url, since, onEvent, onStatus }) {
  let socket = null
  let lastSeq = since || 0
  let delay = SOCKET_FIRST_DELAY_MS
  let timer = null

  function connect() {
    clearTimeout(timer)
    const current = new WebSocket(url(lastSeq))
    socket = current
    onStatus('connecting')
    current.onmessage = (message) => {
      let event
      try {
        event = JSON.parse(message.data)
      } catch {
        return
      }
      receive(event)
    }
    current.onclose = (close) => {
      if (socket !== current) return
      socket = null
      if (close.code >= 4000 && close.code < 5000 && close.code !== 4429) {
        onStatus('refused', close.reason)
        return
      }
      onStatus('lost')
      timer = setTimeout(connect, delay)
      delay = Math.min(delay * 2, SOCKET_MAX_DELAY_MS)
    }
  }

  function fresh(message) {
    if (typeof message.seq !== 'number') return true
    if (message.seq <= lastSeq) return false
    lastSeq = message.seq
    return true
  }

  function receive(event) {
    if (event.type === 'hello') {
      delay = SOCKET_FIRST_DELAY_MS
      onStatus('live')
      onEvent({ ...event, messages: (event.messages || []).filter(fresh) })
      return
    }
    if (event.type === 'message' && !fresh(event)) return
    onEvent(event)
  }

  connect()
  return {
    get lastSeq() {
      return lastSeq
    },
    /** Sends when connected; false when not (the caller says so to the visitor). */
    send(message) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false
      socket.send(JSON.stringify(message))
      return true
    },
    close() {
      clearTimeout(timer)
      if (!socket) return
      socket.onclose = null
      socket.close(1000, 'closed by the visitor')
      socket = null
    }
  }
}
