import type { FastifyBaseLogger } from 'fastify'
import type { WebSocket } from 'ws'
import type { ScreenPopEvent } from './card-events.js'
import { CloseCodes, parseClientMessage } from './protocol.js'
import type { ScreenPopHub } from './screen-pop-hub.js'

export interface AgentConnectionOptions {
  socket: WebSocket
  agentId: string
  /** The last seq the page saw, or null for a page starting afresh. */
  lastSeq: number | null
  hub: ScreenPopHub<ScreenPopEvent>
  /** Interval between pings; two unanswered pings in a row end the connection. */
  heartbeatMs: number
  log: FastifyBaseLogger
  /** How many interactions wait for the agent and their team; sent as a `waiting` message when it changes. */
  waiting?: () => { forYou: number; forTeam: number }
}

/** How often the page's waiting counts are looked at (sent only when they changed). */
const WAITING_EVERY_MS = 1000

/** Pings the page may leave unanswered; at the next ping after that the connection is cut. */
const MISSED_PONGS_ALLOWED = 2

/**
 * One agent page's live channel: subscribes it to the agent's screen-pops
 * (replaying what it missed), keeps it alive with pings, and unsubscribes it
 * however it ends.
 */
export function serveAgentConnection(options: AgentConnectionOptions): void {
  const { socket, agentId, hub, log } = options
  let unanswered = 0
  let lastAck: number | null = null

  const heartbeat = setInterval(() => {
    if (unanswered >= MISSED_PONGS_ALLOWED) {
      log.info({ agentId }, 'agent page missed two pongs; connection terminated')
      socket.terminate()
      return
    }
    unanswered++
    socket.ping()
  }, options.heartbeatMs)
  heartbeat.unref()

  socket.on('pong', () => {
    unanswered = 0
  })

  socket.on('message', (data, isBinary) => {
    const message = isBinary ? null : parseClientMessage(data.toString())
    if (!message) {
      log.warn({ agentId, bytes: (data as Buffer).length, binary: isBinary }, 'malformed message from agent page ignored')
      return
    }
    lastAck = message.seq
    log.debug({ agentId, seq: message.seq }, 'agent page acknowledged')
  })

  const subscription = hub.subscribe(agentId, options.lastSeq, {
    send: (frame) => socket.send(frame),
    backlog: () => socket.bufferedAmount,
    resync: (reason) => {
      log.warn({ agentId, reason, bufferedAmount: socket.bufferedAmount }, 'agent page too far behind; told to resync')
      socket.send(JSON.stringify({ type: 'resync', reason }))
      socket.close(CloseCodes.tooFarBehind.code, CloseCodes.tooFarBehind.reason)
    }
  })
  const { head, replaying, lost, reset } = subscription.hello
  log.info({ agentId, lastSeq: options.lastSeq, head, replaying, lost, reset }, 'agent page connected')

  // Not a screen-pop (not kept, not replayed): the counts each time they change, from the first
  // time anyone waits (a page with nobody waiting is sent nothing).
  let lastWaiting = JSON.stringify({ type: 'waiting', forYou: 0, forTeam: 0 })
  const sendWaiting = () => {
    const counts = options.waiting?.()
    if (!counts) return
    const frame = JSON.stringify({ type: 'waiting', forYou: counts.forYou, forTeam: counts.forTeam })
    if (frame !== lastWaiting) socket.send(frame)
    lastWaiting = frame
  }
  sendWaiting()
  const waitingTimer = options.waiting ? setInterval(sendWaiting, WAITING_EVERY_MS) : undefined
  waitingTimer?.unref()

  socket.on('close', (code) => {
    clearInterval(heartbeat)
    clearInterval(waitingTimer)
    subscription.unsubscribe()
    log.info({ agentId, code, lastAck }, 'agent page disconnected')
  })
}
