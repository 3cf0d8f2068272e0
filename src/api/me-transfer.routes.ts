import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import type { Database } from '../crm/schema.js'
import { Errors } from '../errors.js'
import type { TransferDesk, TransferTarget } from '../interactions/transfer-desk.js'
import { requireAgentToken } from './agent-token-auth.js'
import { DB_ERRORS, errorResponses } from './error-responses.js'
import { actionsOnce, IDEMPOTENCY_ERRORS, IdempotencyHeaders } from './idempotency.js'
import { CallIdParams } from './me-actions-schemas.js'

const TransferBody = Type.Object(
  {
    toAgentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the colleague to hand the call to' })),
    team: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'or a team: its longest-idle free agent takes it' })),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: "what the colleague's card says of the call so far, e.g. \"wants a discount\"" }))
  },
  { additionalProperties: false, description: 'name a colleague or a team; with neither, the routing rules choose (never you)' }
)

const TransferView = Type.Object({
  callId: Type.String(),
  fromAgentId: Type.String(),
  toAgentId: Type.String(),
  toName: Type.Union([Type.String(), Type.Null()]),
  ringSeconds: Type.Integer(),
  status: Type.Literal('ringing')
})

const transferSchema = {
  summary: 'Hands the call they are talking on to a colleague, a team, or whoever the rules choose (a blind transfer); they go into wrap-up',
  params: CallIdParams,
  headers: IdempotencyHeaders,
  body: TransferBody,
  response: {
    202: TransferView,
    ...errorResponses(
      {
        400: ['CTI_ERR_BAD_REQUEST'],
        404: ['CTI_ERR_CALL_NOT_FOUND', 'CTI_ERR_SIP_CALL_NOT_HELD', 'CTI_ERR_CALL_NOT_LIVE'],
        409: ['CTI_ERR_TRANSFER_REFUSED', 'CTI_ERR_TRANSFER_UNDER_WAY', 'CTI_ERR_SIP_TRANSFER_UNDER_WAY', 'CTI_ERR_CALL_NOT_ANSWERED', 'CTI_ERR_CALL_NOT_THEIRS', 'CTI_ERR_SIP_NOT_THE_AGENT', 'CTI_ERR_CALL_NOT_TRANSFERABLE'],
        422: ['CTI_ERR_NO_EXTENSION', 'CTI_ERR_SIP_NO_ADDRESS'],
        502: ['CTI_ERR_AMI_REFUSED'],
        503: ['CTI_ERR_NO_TELEPHONY', 'CTI_ERR_AMI_UNAVAILABLE', 'CTI_ERR_SIP_NOT_CONNECTED'],
        504: ['CTI_ERR_AMI_TIMEOUT']
      },
      IDEMPOTENCY_ERRORS,
      DB_ERRORS
    )
  }
}

/**
 * `POST /v1/me/calls/:callId/transfer`: the agent talking on a call hands it on. The new agent's
 * card says who handed it over and why; a colleague who cannot take it is refused with a 409 and
 * the call stays where it was; a double click (same Idempotency-Key) transfers once.
 */
export async function meTransferRoutes(fastify: FastifyInstance, options: { db: Kysely<Database>; desk: TransferDesk; now: () => number }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const agentOf = requireAgentToken(fastify, options.db)
  const once = actionsOnce(options.db, options.now)

  app.post('/v1/me/calls/:callId/transfer', { schema: transferSchema }, async (request, reply) => {
    const agentId = agentOf(request)
    const { toAgentId, team, note } = request.body
    return once(request, reply, agentId, async () => {
      if (toAgentId !== undefined && team !== undefined) throw Errors.badRequest('name a colleague (toAgentId) or a team, not both')
      const target: TransferTarget = toAgentId !== undefined ? { agentId: toAgentId } : team !== undefined ? { team } : { rules: true }
      const started = await options.desk.transfer(request.params.callId, agentId, target, note ?? null)
      return { status: 202, body: { ...started, status: 'ringing' as const } }
    })
  })
}
