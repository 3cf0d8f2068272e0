import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import type { ChatConversations } from '../chat/chat-conversations.js'
import type { ChatSites } from '../chat/chat-sites.js'
import { send, type ChatSockets } from '../chat/chat-sockets.js'
import type { ChatTalk } from '../chat/chat-talk.js'
import { agentMessage, clientIdOf, visitorMessage } from '../chat/client-messages.js'
import type { ChatStore } from '../chat/chat-store.js'
import { ChatCloseCodes, ChatErrorCodes } from '../chat/protocol.js'
import { endedChatOf } from '../chat/visitor-store.js'
import type { Database } from '../crm/schema.js'
import { Errors } from '../errors.js'
import { socketAgent } from './agent-token-auth.js'
import { originOf } from './chat-visitor.routes.js'
import { errorBody } from './error-responses.js'

export interface ChatSocketRoutesOptions {
  db: Kysely<Database>
  sites: ChatSites
  store: ChatStore
  sockets: ChatSockets
  talk: ChatTalk
  conversations: ChatConversations
}

type Refusal = (typeof ChatCloseCodes)[keyof typeof ChatCloseCodes]
type VisitorCaller = { chatId: string; visitorId: string; since: number } | { refused: Refusal }
type AgentCaller = { agentId: string } | { refused: Refusal }

const upgradeOnly = { 101: { description: 'Switching Protocols: the WebSocket', type: 'null' }, 426: errorBody(['CTI_ERR_UPGRADE_REQUIRED']) }
const visitorSchema = {
  summary: "The visitor's chat (WebSocket): messages both ways, typing and read marks; refused by close code (docs/chat.md)",
  querystring: Type.Object({ site: Type.Optional(Type.Unknown()), visitorId: Type.Optional(Type.Unknown()), chatId: Type.Optional(Type.Unknown()), since: Type.Optional(Type.Unknown()) }),
  response: upgradeOnly
}
const agentSchema = {
  summary: "The agent's chats (WebSocket): every open chat on connect, then new chats, messages, typing and read marks (docs/chat.md)",
  querystring: Type.Object({ token: Type.Optional(Type.Unknown()), since: Type.Optional(Type.Unknown()) }),
  response: upgradeOnly
}

/**
 * `WS /v1/chat/socket` (the widget) and `WS /v1/agents/chat-socket` (the agent page's chat panel).
 * Like the agent page's socket, the upgrade is always accepted and a caller that cannot be served
 * is closed at once with a code it can read. Needs @fastify/websocket registered first.
 */
export async function chatSocketRoutes(fastify: FastifyInstance, options: ChatSocketRoutesOptions): Promise<void> {
  const { db, sites, store, sockets, talk, conversations } = options
  const visitors = new WeakMap<FastifyRequest, VisitorCaller>()
  const agents = new WeakMap<FastifyRequest, AgentCaller>()
  const upgradeRequired = async () => {
    throw Errors.upgradeRequired('this endpoint is a WebSocket: connect with Upgrade: websocket')
  }

  fastify.route({
    method: 'GET',
    url: '/v1/chat/socket',
    schema: visitorSchema,
    preValidation: async (request) => void visitors.set(request, await visitorOf(request)),
    handler: upgradeRequired,
    wsHandler: (socket, request) => {
      const caller = visitors.get(request)
      if (!caller || 'refused' in caller) return socket.close((caller && 'refused' in caller ? caller.refused : ChatCloseCodes.badRequest).code, (caller && 'refused' in caller ? caller.refused : ChatCloseCodes.badRequest).reason)
      const { chatId, visitorId, since } = caller
      sockets.addVisitor(chatId, socket)
      socket.on('message', (raw) => {
        const message = visitorMessage(raw)
        if (!message) return send(socket, { type: 'error', code: ChatErrorCodes.badMessage, message: 'not a message of the chat protocol (docs/chat.md)', ...optional(clientIdOf(raw)) })
        talk.fromVisitor(chatId, visitorId, request.ip, message).then(
          (answer) => answer && send(socket, answer),
          (err: unknown) => {
            request.log.warn({ err, chatId }, 'chat: a visitor message failed')
            send(socket, { type: 'error', code: 'CTI_ERR_CHAT_UNAVAILABLE', message: 'the message was not taken; send it again in a moment', ...optional(message.type === 'message' ? message.clientId : undefined) })
          }
        )
      })
      void hello(chatId, visitorId, since).then((body) => send(socket, body), (err: unknown) => {
        request.log.warn({ err, chatId }, 'chat: the visitor hello failed')
        socket.close(ChatCloseCodes.tryAgainLater.code, ChatCloseCodes.tryAgainLater.reason)
      })
    }
  })

  fastify.route({
    method: 'GET',
    url: '/v1/agents/chat-socket',
    schema: agentSchema,
    preValidation: async (request) => void agents.set(request, await agentOf(request)),
    handler: upgradeRequired,
    wsHandler: (socket, request) => {
      const caller = agents.get(request)
      if (!caller || 'refused' in caller) return socket.close((caller && 'refused' in caller ? caller.refused : ChatCloseCodes.invalidToken).code, (caller && 'refused' in caller ? caller.refused : ChatCloseCodes.invalidToken).reason)
      const { agentId } = caller
      sockets.addAgent(agentId, socket)
      socket.on('message', (raw) => {
        const message = agentMessage(raw)
        if (!message) return send(socket, { type: 'error', code: ChatErrorCodes.badMessage, message: 'not a message of the chat protocol (docs/chat.md)', ...optional(clientIdOf(raw)) })
        talk.fromAgent(agentId, message).then(
          (answer) => answer && send(socket, answer),
          (err: unknown) => {
            request.log.warn({ err, agentId }, 'chat: an agent message failed')
            send(socket, { type: 'error', code: 'CTI_ERR_CHAT_UNAVAILABLE', message: 'not done; try again in a moment', chatId: message.chatId })
          }
        )
      })
      void conversations.agentChats(agentId).then((chats) => {
        for (const chat of chats) send(socket, { type: 'chat', chat })
      }, (err: unknown) => request.log.warn({ err, agentId }, "chat: the agent's open chats could not be sent"))
    }
  })

  async function hello(chatId: string, visitorId: string, since: number) {
    const chat = await store.get(chatId)
    if (chat) return { type: 'hello' as const, chatId, state: chat.state, agent: chat.agentName ? { name: chat.agentName } : null, estimatedWaitSeconds: chat.estimatedWaitSeconds, messages: await store.messages(chatId, since) }
    const ended = await endedChatOf(db, chatId, visitorId, since)
    return { type: 'hello' as const, chatId, state: 'ended' as const, agent: ended?.agentName ? { name: ended.agentName } : null, estimatedWaitSeconds: 0, messages: ended?.messages ?? [] }
  }

  async function visitorOf(request: FastifyRequest): Promise<VisitorCaller> {
    const q = request.query as Record<string, unknown>
    const since = q.since === undefined ? 0 : Number(q.since)
    if (typeof q.site !== 'string' || typeof q.visitorId !== 'string' || typeof q.chatId !== 'string' || !Number.isSafeInteger(since) || since < 0) return { refused: ChatCloseCodes.badRequest }
    try {
      sites.admit(q.site, originOf(request))
    } catch (err) {
      return { refused: (err as { code?: string }).code === 'CTI_ERR_CHAT_ORIGIN_REFUSED' ? ChatCloseCodes.originRefused : ChatCloseCodes.badRequest }
    }
    const chat = await store.get(q.chatId)
    if (chat ? chat.visitorId !== q.visitorId || chat.site !== q.site : !(await endedChatOf(db, q.chatId, q.visitorId, Number.MAX_SAFE_INTEGER))) return { refused: ChatCloseCodes.notFound }
    return { chatId: q.chatId, visitorId: q.visitorId, since }
  }

  async function agentOf(request: FastifyRequest): Promise<AgentCaller> {
    const who = await socketAgent(db, request)
    return who === 'invalid' ? { refused: ChatCloseCodes.invalidToken } : who === 'retry' ? { refused: ChatCloseCodes.tryAgainLater } : who
  }
}

function optional(clientId: string | undefined): { clientId?: string } {
  return clientId === undefined ? {} : { clientId }
}
