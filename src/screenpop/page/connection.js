// The live channel: the screen-pop WebSocket, reconnecting with the last seq
// seen so that the server replays what the page missed.

import { labels } from './labels.js'

const RECONNECT_FIRST_MS = 1000
const RECONNECT_MAX_MS = 15_000
/** Close codes of the live channel (see the server's protocol.ts). */
const CLOSE_INVALID_TOKEN = 4401
const CLOSE_TOO_FAR_BEHIND = 4429

/**
 * Opens the channel with `token` and keeps it open until `close()`.
 * `onEvent` gets each event once (deduplicated on its id), in order;
 * `onStatus(state, text)` the channel's state for the page to show
 * (connecting, live, lost); `onInvalidToken` a refused or replaced token.
 */
export function openLiveChannel({ token, onEvent, onStatus, onInvalidToken }) {
  let socket = null
  let lastSeq = null
  let reconnectDelay = RECONNECT_FIRST_MS
  let reconnectTimer = null
  const seen = new Set()

  function connect() {
    clearTimeout(reconnectTimer)
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    // A page with nothing yet asks for every kept event: a reload shows the recent calls again.
    const url = `${scheme}://${location.host}/v1/agents/socket?lastSeq=${lastSeq ?? 0}`
    const current = new WebSocket(url, ['screenpop.v1', `token.${token}`])
    socket = current
    onStatus('connecting', labels.connection.connecting)
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
      if (close.code === CLOSE_INVALID_TOKEN) {
        onInvalidToken()
        return
      }
      const delay = close.code === CLOSE_TOO_FAR_BEHIND ? 0 : reconnectDelay
      reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS)
      onStatus('lost', delay > 0 ? labels.connection.lost(Math.round(delay / 1000)) : labels.connection.catchingUp)
      reconnectTimer = setTimeout(connect, delay)
    }
  }

  function receive(event) {
    if (event.type === 'hello') {
      reconnectDelay = RECONNECT_FIRST_MS
      // The server restarted: our seq belongs to a stream that is gone; everything kept follows.
      if (event.reset) lastSeq = null
      onStatus('live', labels.connection.live(event.lost))
      return
    }
    if (event.type === 'resync') {
      onStatus('lost', labels.connection.catchingUp)
      return
    }
    if (typeof event.seq === 'number') {
      lastSeq = event.seq
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'ack', seq: event.seq }))
    }
    if (event.id) {
      if (seen.has(event.id)) return
      seen.add(event.id)
    }
    onEvent(event)
  }

  connect()
  return {
    close() {
      clearTimeout(reconnectTimer)
      if (!socket) return
      socket.onclose = null
      socket.close(1000, 'signed out')
      socket = null
    }
  }
}
