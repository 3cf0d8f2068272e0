import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Errors } from '../errors.js'
import type { WebVisits } from '../workflows/web-visits.js'
import { RowId } from './schemas.js'
import { DB_ERRORS, errorResponses } from './error-responses.js'
import { VisitResultView } from './routing-schemas.js'

export interface InteractionRoutesOptions {
  visits: WebVisits
}

const Page = Type.Union([
  Type.String({ minLength: 1, maxLength: 2048 }),
  Type.Object(
    { url: Type.String({ minLength: 1, maxLength: 2048 }), title: Type.Optional(Type.String({ maxLength: 300 })), seconds: Type.Optional(Type.Number({ minimum: 0 })) },
    { additionalProperties: false }
  )
])

const VisitBody = Type.Object(
  {
    kind: Type.Literal('web-visit'),
    visitorId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    customerId: Type.Optional(RowId),
    pages: Type.Array(Page, { maxItems: 200 }),
    product: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 128 }), Type.Null()])),
    callbackRequested: Type.Optional(Type.Boolean())
  },
  { additionalProperties: false }
)

const visitSchema = {
  summary: 'Reports a web visit: the agent who should know is told, or 202 when it is not worth attention yet',
  body: VisitBody,
  response: { 200: VisitResultView, 202: VisitResultView, ...errorResponses({ 400: ['CTI_ERR_BAD_REQUEST'] }, DB_ERRORS) }
}

/**
 * `POST /v1/interactions` `{ kind: 'web-visit', visitorId | phone | customerId, pages, product?, callbackRequested? }`:
 * 200 with the agent told (or 202 `attended: false` when the visit is not worth attention yet).
 */
export async function interactionRoutes(fastify: FastifyInstance, options: InteractionRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post('/v1/interactions', { schema: visitSchema }, async (request, reply) => {
    const { visitorId, phone, customerId, pages, product, callbackRequested } = request.body
    if (visitorId === undefined && phone === undefined && customerId === undefined) throw Errors.badRequest('say who is visiting: visitorId, phone or customerId')
    const result = await options.visits.visit({
      visitorId,
      phone,
      customerId,
      pages: pages.map((p) => (typeof p === 'string' ? { url: p } : p)),
      product: product ?? null,
      callbackRequested
    })
    return reply.code(result.callId === null ? 202 : 200).send(result)
  })
}
