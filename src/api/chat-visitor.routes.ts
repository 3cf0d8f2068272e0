import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { ChatSites } from '../chat/chat-sites.js'
import type { VisitorDesk } from '../chat/visitor-desk.js'
import { DB_ERRORS, errorResponses } from './error-responses.js'

export interface ChatVisitorRoutesOptions {
  sites: ChatSites
  desk: VisitorDesk
}

const Site = Type.String({ minLength: 1, maxLength: 64, description: "the widget's data-site id (chat.yaml sites)" })
const VisitorId = Type.String({ maxLength: 64, description: 'the id /v1/chat/views answered, kept by the widget' })
const Text = (max: number, description: string) => Type.String({ maxLength: max, description })
const AgentName = Type.Union([Type.Object({ name: Type.String() }), Type.Null()])

const SITE_ERRORS = { 403: ['CTI_ERR_CHAT_ORIGIN_REFUSED'], 404: ['CTI_ERR_CHAT_UNKNOWN_SITE'], 503: ['CTI_ERR_CHAT_DISABLED'] }
const VISITOR_ERRORS = { 404: ['CTI_ERR_CHAT_VISITOR_NOT_FOUND'] }
const BAD_INPUT = { 400: ['CTI_ERR_BAD_REQUEST', 'CTI_ERR_INVALID_PHONE'] }

const viewSchema = {
  summary: "A page view of the site's visitor: counts the visit's pages and says whether to offer a chat (and who would answer)",
  body: Type.Object({ site: Site, visitorId: Type.Optional(Type.String({ maxLength: 64 })), url: Text(2048, 'the page address'), title: Type.Optional(Text(300, 'the page title')), product: Type.Optional(Text(100, "the page's data-product")) }, { additionalProperties: false }),
  response: {
    200: Type.Object({
      visitorId: Type.String({ description: 'the id to keep (a new one when the one sent is unknown)' }),
      visit: Type.Object({ pages: Type.Integer(), product: Type.Union([Type.String(), Type.Null()]) }),
      offer: Type.Union([Type.Object({ reason: Type.String(), expert: AgentName, estimatedWaitSeconds: Type.Integer() }), Type.Null()])
    }),
    ...errorResponses(SITE_ERRORS, DB_ERRORS)
  }
}

const ChatAnswer = Type.Object({ chatId: Type.String(), state: Type.Union([Type.Literal('talking'), Type.Literal('waiting'), Type.Literal('ended')]), agent: AgentName, estimatedWaitSeconds: Type.Integer() })
const requestSchema = {
  summary: 'The visitor asks for a chat: routed like a call, to an agent at once or waiting in the queue (the open chat again when there is one)',
  body: Type.Object({ site: Site, visitorId: VisitorId }, { additionalProperties: false }),
  response: { 200: ChatAnswer, 201: ChatAnswer, ...errorResponses(SITE_ERRORS, VISITOR_ERRORS, DB_ERRORS) }
}

const messageLeftSchema = {
  summary: 'The visitor leaves a message instead of waiting: a task for their owner, else the product expert',
  body: Type.Object({ site: Site, visitorId: VisitorId, text: Text(20_000, 'the message'), phone: Type.Optional(Text(64, 'a phone to reach them')), email: Type.Optional(Text(254, 'an e-mail to reach them')) }, { additionalProperties: false }),
  response: { 201: Type.Object({ taskId: Type.String() }), ...errorResponses(BAD_INPUT, SITE_ERRORS, VISITOR_ERRORS, { 413: ['CTI_ERR_CHAT_MESSAGE_TOO_LONG'] }, DB_ERRORS) }
}

const callMeSchema = {
  summary: 'The visitor asks to be called back: a call-back task for their owner, else the product expert',
  body: Type.Object({ site: Site, visitorId: VisitorId, phone: Text(64, 'the number to call') }, { additionalProperties: false }),
  response: { 201: Type.Object({ taskId: Type.String(), callId: Type.Null() }), ...errorResponses(BAD_INPUT, SITE_ERRORS, VISITOR_ERRORS, DB_ERRORS) }
}

const identifySchema = {
  summary: 'The visitor gives a phone or e-mail: linked to the customer (else lead) who has it; never says to whom',
  body: Type.Object({ site: Site, visitorId: VisitorId, phone: Type.Optional(Text(64, 'a phone')), email: Type.Optional(Text(254, 'an e-mail')) }, { additionalProperties: false }),
  response: { 200: Type.Object({ linked: Type.Boolean() }), ...errorResponses(BAD_INPUT, SITE_ERRORS, VISITOR_ERRORS, DB_ERRORS) }
}

/** The request's Origin header, or null: the site's origins decide (a request without one is refused). */
export function originOf(request: FastifyRequest): string | null {
  const origin = request.headers.origin
  return typeof origin === 'string' && origin !== '' && origin !== 'null' ? origin : null
}

const PATHS = ['/v1/chat/views', '/v1/chat/requests', '/v1/chat/messages-left', '/v1/chat/call-me', '/v1/chat/identify'] as const

const preflightSchema = {
  summary: "CORS preflight of the widget's endpoint: allowed for the origins chat.yaml's sites configure",
  response: { 204: { description: 'allowed: Access-Control-Allow-Origin names the origin; absent for any other origin', type: 'null' } }
}

/**
 * The widget's public endpoints, `/v1/chat/*`. CORS answers only origins some site configures
 * (a preflight carries no site); each endpoint then checks the origin against its own site.
 * The preflights are routes of their own, one per endpoint, so the API's description names them.
 */
export async function chatVisitorRoutes(parent: FastifyInstance, options: ChatVisitorRoutesOptions): Promise<void> {
  const { sites, desk } = options
  const fastify = parent.withTypeProvider<TypeBoxTypeProvider>()
  fastify.addHook('onRequest', async (request, reply) => {
    const origin = originOf(request)
    void reply.header('vary', 'Origin')
    if (origin !== null && sites.allowsOrigin(origin)) void reply.header('access-control-allow-origin', origin)
  })
  for (const path of PATHS) {
    fastify.options(path, { schema: preflightSchema }, async (_request, reply) => {
      if (reply.hasHeader('access-control-allow-origin')) void reply.header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'content-type').header('access-control-max-age', '600')
      return reply.code(204).send()
    })
  }
  fastify.post('/v1/chat/views', { schema: viewSchema }, (request) => desk.view(request.body, originOf(request)))
  fastify.post('/v1/chat/requests', { schema: requestSchema }, async (request, reply) => {
    const { created, answer } = await desk.request(request.body, originOf(request))
    return reply.code(created ? 201 : 200).send(answer)
  })
  fastify.post('/v1/chat/messages-left', { schema: messageLeftSchema }, async (request, reply) => reply.code(201).send(await desk.leaveMessage(request.body, originOf(request))))
  fastify.post('/v1/chat/call-me', { schema: callMeSchema }, async (request, reply) => reply.code(201).send(await desk.callMe(request.body, originOf(request))))
  fastify.post('/v1/chat/identify', { schema: identifySchema }, (request) => desk.identify(request.body, originOf(request)))
}
