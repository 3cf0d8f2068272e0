import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import { Errors } from '../errors.js'
import { serveAgentConnection } from '../screenpop/agent-connection.js'
import type { ScreenPopEvent } from '../screenpop/card-events.js'
import { CloseCodes, lastSeqFromQuery } from '../screenpop/protocol.js'
import type { ScreenPopHub } from '../screenpop/screen-pop-hub.js'
import { socketAgent } from './agent-token-auth.js'
import { errorBody } from './error-responses.js'

export interface AgentSocketRoutesOptions {
  db: Kysely<Database>
  hub: ScreenPopHub<ScreenPopEvent>
  heartbeatMs: number
  /** How many wait for an agent and their team, for the page's `waiting` message; absent: none is sent. */
  waiting?: (agentId: string) => { forYou: number; forTeam: number }
}

const socketSchema = {
  summary: "The agent page's live channel: screen-pops, notices and state changes (WebSocket)",
  description:
    'The upgrade is always accepted; a page that cannot be served is closed at once with a code and a reason: 4401 for a bad token, 4400 for a bad lastSeq. The protocol is in docs/api.md.',
  // Read by the handler itself, which refuses by close code: described here, not validated before the upgrade.
  querystring: Type.Object({
    token: Type.Optional(Type.Unknown({ description: "the agent's token (or Authorization: Bearer, or the token subprotocol)" })),
    lastSeq: Type.Optional(Type.Unknown({ description: 'the last event sequence number the page saw, a non-negative integer; missed events are replayed' }))
  }),
  response: {
    101: { description: 'Switching Protocols: the WebSocket', type: 'null' },
    426: errorBody(['CTI_ERR_UPGRADE_REQUIRED'])
  }
}

/** Who the connecting page is, decided before the upgrade. */
type Caller = { agentId: string } | { refused: (typeof CloseCodes)[keyof typeof CloseCodes] }

/**
 * The agent page's live channel: `GET /v1/agents/socket?token=…&lastSeq=N`.
 * The upgrade is always accepted, and a page that cannot be served is closed
 * at once with a code and reason it can read (4401 for a bad token): a browser
 * sees nothing of a refused upgrade but a failed connection.
 * Needs @fastify/websocket registered first.
 */
export async function agentSocketRoutes(fastify: FastifyInstance, options: AgentSocketRoutesOptions): Promise<void> {
  const { db, hub, heartbeatMs } = options
  if (!(heartbeatMs > 0)) throw new Error('agentSocketRoutes: heartbeatMs must be positive')
  const callers = new WeakMap<FastifyRequest, Caller>()

  fastify.route({
    method: 'GET',
    url: '/v1/agents/socket',
    schema: socketSchema,
    // The token is checked before the upgrade so that the socket handler is synchronous and misses no message.
    preValidation: async (request) => {
      callers.set(request, await identify(request))
    },
    // A plain GET (no Upgrade header) learns what the endpoint is instead of an empty 404.
    handler: async (_request, reply) => {
      void reply.header('upgrade', 'websocket')
      throw Errors.upgradeRequired('this endpoint is the agent page\'s WebSocket: connect with Upgrade: websocket')
    },
    wsHandler: (socket, request) => {
      const caller = callers.get(request)
      if (!caller || 'refused' in caller) {
        const refusal = caller?.refused ?? CloseCodes.invalidToken
        request.log.info({ code: refusal.code }, 'agent page refused')
        socket.close(refusal.code, refusal.reason)
        return
      }
      const lastSeq = lastSeqFromQuery(request.query) ?? null
      const waiting = options.waiting
      serveAgentConnection({ socket, agentId: caller.agentId, lastSeq, hub, heartbeatMs, log: request.log, waiting: waiting && (() => waiting(caller.agentId)) })
    }
  })

  async function identify(request: FastifyRequest): Promise<Caller> {
    if (lastSeqFromQuery(request.query) === undefined) return { refused: CloseCodes.badRequest }
    const who = await socketAgent(db, request)
    return who === 'invalid' ? { refused: CloseCodes.invalidToken } : who === 'retry' ? { refused: CloseCodes.tryAgainLater } : who
  }
}
