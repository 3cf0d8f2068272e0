import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { Errors } from '../errors.js'
import { CloseCodes, tokenFromRequest } from '../screenpop/protocol.js'
import type { WallboardFeed } from '../wallboard/board-feed.js'
import { errorBody } from './error-responses.js'
import { principalOfToken, type Principal, type SupervisorAuthOptions } from './supervisor-auth.js'
import { WALLBOARD_SOCKET_PATH } from './supervisor-paths.js'

export interface WallboardSocketRoutesOptions {
  feed: WallboardFeed
  auth: SupervisorAuthOptions
  /** How often the connection is pinged and its token checked again (a revoked or expired token closes it with 4401). */
  heartbeatMs: number
  /** Past this many bytes waiting to be sent the board is too slow: it is closed (4429) and reconnects to a fresh snapshot. */
  maxBufferedBytes?: number
}

const socketSchema = {
  summary: "The wallboard's live feed: a snapshot, then deltas of agents, calls and queues (WebSocket)",
  description: 'The upgrade is always accepted; a bad, expired or revoked token closes the socket with 4401. The messages are in docs/api.md.',
  querystring: Type.Object({ token: Type.Optional(Type.Unknown({ description: "a supervisor's token or the admin token (or Authorization: Bearer, or the token subprotocol)" })) }),
  response: { 101: { description: 'Switching Protocols: the WebSocket', type: 'null' }, 426: errorBody(['CTI_ERR_UPGRADE_REQUIRED']) }
}

type Caller = { principal: Principal; token: string | null } | { refused: { code: number; reason: string } }

const TOO_SLOW = { code: 4429, reason: 'too far behind; reconnect for a fresh snapshot' }

/**
 * `GET /v1/wallboard/socket?token=…`: the snapshot on connect, then deltas at most every
 * feed interval. The token is checked before the upgrade and again at each heartbeat.
 * Needs @fastify/websocket registered first.
 */
export async function wallboardSocketRoutes(fastify: FastifyInstance, options: WallboardSocketRoutesOptions): Promise<void> {
  const { feed, auth, heartbeatMs } = options
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024
  const callers = new WeakMap<FastifyRequest, Caller>()

  fastify.route({
    method: 'GET',
    url: WALLBOARD_SOCKET_PATH,
    schema: socketSchema,
    preValidation: async (request) => {
      callers.set(request, await identify(request))
    },
    handler: async (_request, reply) => {
      void reply.header('upgrade', 'websocket')
      throw Errors.upgradeRequired("this endpoint is the wallboard's WebSocket: connect with Upgrade: websocket")
    },
    wsHandler: (socket, request) => {
      const caller = callers.get(request)
      if (!caller || 'refused' in caller) {
        const refusal = caller && 'refused' in caller ? caller.refused : CloseCodes.invalidToken
        request.log.info({ code: refusal.code }, 'wallboard refused')
        socket.close(refusal.code, refusal.reason)
        return
      }
      let alive = true
      const unsubscribe = feed.subscribe({
        principal: caller.principal,
        send: (message) => {
          if (socket.readyState !== socket.OPEN) return
          if (socket.bufferedAmount > maxBuffered) return socket.close(TOO_SLOW.code, TOO_SLOW.reason)
          socket.send(message)
        }
      })
      const heartbeat = setInterval(() => {
        if (!alive) return socket.terminate()
        alive = false
        socket.ping()
        if (caller.token !== null) void stillValid(caller.token, request).then((ok) => ok || socket.close(CloseCodes.invalidToken.code, CloseCodes.invalidToken.reason))
      }, heartbeatMs)
      heartbeat.unref()
      socket.on('pong', () => (alive = true))
      socket.on('close', () => {
        clearInterval(heartbeat)
        unsubscribe()
      })
    }
  })

  async function identify(request: FastifyRequest): Promise<Caller> {
    const token = tokenFromRequest(request.query, request.headers)
    if (!token) return auth.adminToken === null ? { principal: { kind: 'admin' }, token: null } : { refused: CloseCodes.invalidToken }
    try {
      const principal = await principalOfToken(token, auth)
      return principal ? { principal, token } : { refused: CloseCodes.invalidToken }
    } catch (err) {
      request.log.warn({ err }, 'wallboard token could not be checked')
      return { refused: CloseCodes.tryAgainLater }
    }
  }

  async function stillValid(token: string, request: FastifyRequest): Promise<boolean> {
    try {
      return (await principalOfToken(token, auth)) !== null
    } catch (err) {
      // The database is unreachable: the board keeps its feed until the token can be checked again.
      request.log.warn({ err }, 'wallboard token could not be checked again; kept for now')
      return true
    }
  }
}
