import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { chatsOf, historyItem } from '../chat/chat-history.js'
import { storedTranscript } from '../chat/visitor-store.js'
import { chatDb } from '../crm/chat-schema.js'
import type { Database } from '../crm/schema.js'
import { Errors } from '../errors.js'
import { DB_ERRORS, errorResponses } from './error-responses.js'
import { ChatInHistoryView, ChatMessageView } from './response-schemas.js'
import { RowId } from './schemas.js'


/** `GET /v1/customers/:id/chats` (their web chats, newest first) and `GET /v1/chats/:id` (one chat with its transcript). */
export async function chatHistoryRoutes(parent: FastifyInstance, options: { db: Kysely<Database> }): Promise<void> {
  const fastify = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { db } = options

  fastify.get('/v1/customers/:id/chats', {
    schema: { summary: "A customer's web chats, newest first (at most 50)", params: Type.Object({ id: RowId }), response: { 200: Type.Object({ chats: Type.Array(ChatInHistoryView) }), ...errorResponses(DB_ERRORS) } }
  }, async (request) => ({ chats: await chatsOf(db, { customerId: request.params.id }) }))

  fastify.get('/v1/chats/:id', {
    schema: {
      summary: 'One web chat: who, how it went, and its transcript',
      params: Type.Object({ id: Type.String({ maxLength: 80 }) }),
      response: { 200: Type.Intersect([ChatInHistoryView, Type.Object({ visitorId: Type.String(), customerId: Type.Union([Type.Integer(), Type.Null()]), leadId: Type.Union([Type.Integer(), Type.Null()]), rule: Type.Union([Type.String(), Type.Null()]), transcript: Type.Array(ChatMessageView) })]), ...errorResponses({ 404: ['CTI_ERR_CHAT_NOT_FOUND'] }, DB_ERRORS) }
    }
  }, async (request) => {
    const row = await chatDb(db).selectFrom('chats').selectAll().where('id', '=', request.params.id).executeTakeFirst()
    if (!row) throw Errors.chatNotFound(request.params.id)
    return {
      ...historyItem(row),
      visitorId: row.visitor_id, customerId: row.customer_id === null ? null : Number(row.customer_id), leadId: row.lead_id === null ? null : Number(row.lead_id), rule: row.rule,
      transcript: await storedTranscript(db, row.id, 0)
    }
  })
}
