import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import type { ChatConversations } from '../chat/chat-conversations.js'
import type { ChatSites } from '../chat/chat-sites.js'
import { agentLanguage } from '../crm/agent.repository.js'
import type { Database } from '../crm/schema.js'
import { requireAgentToken } from './agent-token-auth.js'
import { DB_ERRORS, errorResponses } from './error-responses.js'
import { ChatMessageView } from './response-schemas.js'

export interface MeChatRoutesOptions {
  db: Kysely<Database>
  sites: ChatSites
  conversations: ChatConversations
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Named = Nullable(Type.Object({ id: Type.String(), name: Type.String() }))
const AgentChat = Type.Object({
  id: Type.String(),
  state: Type.Union([Type.Literal('waiting'), Type.Literal('talking'), Type.Literal('ended')]),
  site: Type.String(),
  startedAt: Type.String(),
  visitor: Type.Object({ id: Type.String(), customer: Named, lead: Named, pages: Type.Array(Type.Object({ url: Type.String(), title: Nullable(Type.String()), at: Type.String() })), product: Nullable(Type.String()) }),
  messages: Type.Array(ChatMessageView)
})
const ERRORS = errorResponses({ 401: ['CTI_ERR_UNAUTHORIZED'], 503: ['CTI_ERR_CHAT_DISABLED'] }, DB_ERRORS)

/** `GET /v1/me/chat/catalogue` and `GET /v1/me/chats`: what the agent's chat panel needs besides its socket. */
export async function meChatRoutes(fastify: FastifyInstance, options: MeChatRoutesOptions): Promise<void> {
  const { db, sites, conversations } = options
  const agentOf = requireAgentToken(fastify, db)

  fastify.get('/v1/me/chat/catalogue', {
    schema: {
      summary: 'The product cards and links an agent may send in a chat, and the quick replies in their language',
      response: { 200: Type.Object({ cards: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), summary: Type.String(), url: Type.String(), product: Nullable(Type.String()) })), quickReplies: Type.Array(Type.String()) }), ...ERRORS }
    }
  }, async (request) => {
    const settings = sites.settings()
    const language = (await agentLanguage(db, agentOf(request))) ?? 'en'
    return { cards: settings.catalogue.map((c) => ({ ...c })), quickReplies: [...settings.quickReplies[language]] }
  })

  fastify.get('/v1/me/chats', {
    schema: { summary: "The agent's open chats, whole, as their chat socket sends them on connect", response: { 200: Type.Object({ chats: Type.Array(AgentChat) }), ...ERRORS } }
  }, async (request) => {
    sites.settings()
    return { chats: await conversations.agentChats(agentOf(request)) }
  })
}
