import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Errors } from '../errors.js'
import { AmiErrors } from '../telephony/ami/ami-errors.js'
import type { CallBackRequest, PlacedCallBack } from '../telephony/ami/call-backs.js'
import { RowId } from './schemas.js'
import { errorResponses } from './error-responses.js'
import { PlacedCallBackView } from './routing-schemas.js'

export interface CallBackRoutesOptions {
  /** Places a call-back through the telephony side; null when none is configured. */
  place: ((request: CallBackRequest) => Promise<PlacedCallBack>) | null
  /** A customer's first phone number, or null when the customer is unknown or has none. */
  phoneOfCustomer: (customerId: number) => Promise<string | null>
}

const CallBackBody = Type.Object(
  {
    customerId: Type.Optional(RowId),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    agentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the agent asking to call (click-to-call); the rules must pick them' })),
    product: Type.Optional(Type.String({ minLength: 1, maxLength: 128 }))
  },
  { additionalProperties: false }
)

const callBackSchema = {
  summary: "Places a call-back through Asterisk: the rules pick the agent, whose phone rings first, then the customer's",
  body: CallBackBody,
  response: {
    202: PlacedCallBackView,
    ...errorResponses({
      400: ['CTI_ERR_BAD_REQUEST'],
      404: ['CTI_ERR_CUSTOMER_NOT_FOUND'],
      409: ['CTI_ERR_NO_AGENT'],
      422: ['CTI_ERR_NO_EXTENSION', 'CTI_ERR_NO_PHONE'],
      502: ['CTI_ERR_AMI_REFUSED'],
      503: ['CTI_ERR_AMI_NOT_CONFIGURED', 'CTI_ERR_AMI_UNAVAILABLE', 'CTI_ERR_DB_UNAVAILABLE'],
      504: ['CTI_ERR_AMI_TIMEOUT']
    })
  }
}

/** `POST /v1/callbacks`: the core picks the agent (owner first); the agent's phone rings, then the customer's. */
export async function callBackRoutes(fastify: FastifyInstance, options: CallBackRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.post('/v1/callbacks', { schema: callBackSchema }, async (request, reply) => {
    const { customerId, phone, agentId, product } = request.body
    if (!options.place) throw AmiErrors.notConfigured()
    if (customerId === undefined && phone === undefined) throw Errors.badRequest('send the customer to call: customerId or phone')
    const number = phone ?? (await options.phoneOfCustomer(customerId!))
    if (number === null) throw Errors.customerNotFound(`id ${customerId} with a phone number`)
    const placed = await options.place({ phone: number, agentId: agentId ?? null, product: product ?? null })
    request.log.info({ callId: placed.callId, agentId: placed.agentId }, 'call-back placed')
    return reply.code(202).send({ ...placed, status: 'ringing-agent' })
  })
}
