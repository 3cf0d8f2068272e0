// The agent's chat channel: /v1/agents/chat-socket, reconnecting by itself. On each connect the
// server sends every open chat whole (a `chat` message each), so a reconnect misses nothing.

const RECONNECT_FIRST_MS = 1000
const RECONNECT_MAX_MS = 15_000
const CLOSE_INVALID_TOKEN = 4401

/** `onEvent(message)` for each server message; `onStatus('connecting' | 'live' | 'lost')`; `onInvalidToken()`. */
export function openChatChannel({ token, onEvent, onStatus, onInvalidToken }) {
  let socket = null
  let delay = RECONNECT_FIRST_MS
  let timer = null

  function connect() {
    clearTimeout(timer)
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    const current = new WebSocket(`${scheme}://${location.host}/v1/agents/chat-socket?token=${encodeURIComponent(token)}`)
    socket = current
    onStatus('connecting')
    current.onopen = () => {
      delay = RECONNECT_FIRST_MS
      onStatus('live')
    }
    current.onmessage = (message) => {
      let event
      try {
        event = JSON.parse(message.data)
      } catch {
        return
      }
      onEvent(event)
    }
    current.onclose = (close) => {
      if (socket !== current) return
      socket = null
      if (close.code === CLOSE_INVALID_TOKEN) {
        onInvalidToken()
        return
      }
      onStatus('lost')
      timer = setTimeout(connect, delay)
      delay = Math.min(delay * 2, RECONNECT_MAX_MS)
    }
  }

  connect()
  return {
    /** Sends when connected; false when not. */
    send(message) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false
      socket.send(JSON.stringify(message))
      return true
    },
    close() {
      clearTimeout(timer)
      if (!socket) return
      socket.onclose = null
      socket.close(1000, 'signed out')
      socket = null
    }
  }
}
