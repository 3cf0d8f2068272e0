import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { phonesOfCustomer } from '../crm/customer.repository.js'
import { getLead, LeadErrors } from '../crm/lead.repository.js'
import type { Database } from '../crm/schema.js'
import { customerIsTheirs, leadIsTheirs } from '../crm/task-actions.repository.js'
import { CtiError, Errors } from '../errors.js'
import type { CallControl } from '../interactions/call-control.js'
import { requireAgentToken } from './agent-token-auth.js'
import { DB_ERRORS, errorResponses } from './error-responses.js'
import { actionsOnce, IDEMPOTENCY_ERRORS, IdempotencyHeaders } from './idempotency.js'
import { RowId } from './schemas.js'

export interface MeCallBackOptions {
  db: Kysely<Database>
  /** The telephony that places calls for agents (Asterisk, else drachtio in path); null: none is configured. */
  callControl: CallControl | null
  now: () => number
}

const MeCallBackBody = Type.Object(
  {
    customerId: Type.Optional(RowId),
    leadId: Type.Optional(RowId),
    taskId: Type.Optional(RowId)
  },
  { additionalProperties: false, description: 'whom to call: one of their customers, one of their leads, or one of their open tasks (its customer or lead)' }
)

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const MeCallBackView = Type.Object({
  callId: Type.String(),
  phone: Type.String(),
  customerId: Nullable(Type.Integer()),
  leadId: Nullable(Type.Integer()),
  taskId: Nullable(Type.Integer()),
  via: Type.Union([Type.Literal('ami'), Type.Literal('sip'), Type.Literal('http')]),
  status: Type.Literal('ringing-agent')
})

const meCallBackSchema = {
  summary: "Calls one of their customers or leads back from the card or a task: the agent's phone rings first, then the customer's",
  headers: IdempotencyHeaders,
  body: MeCallBackBody,
  response: {
    202: MeCallBackView,
    ...errorResponses(
      {
        400: ['CTI_ERR_BAD_REQUEST'],
        404: ['CTI_ERR_CUSTOMER_NOT_FOUND', 'CTI_ERR_LEAD_NOT_FOUND', 'CTI_ERR_TASK_NOT_FOUND'],
        409: ['CTI_ERR_NO_AGENT', 'CTI_ERR_SIP_AGENT_NOT_FREE'],
        422: ['CTI_ERR_NO_PHONE', 'CTI_ERR_NO_EXTENSION', 'CTI_ERR_SIP_NO_PHONE', 'CTI_ERR_SIP_NO_ADDRESS'],
        502: ['CTI_ERR_AMI_REFUSED', 'CTI_ERR_SIP_INVITE_NOT_SENT'],
        503: ['CTI_ERR_NO_TELEPHONY', 'CTI_ERR_AMI_UNAVAILABLE', 'CTI_ERR_SIP_NOT_CONNECTED', 'CTI_ERR_SIP_NO_TRUNK'],
        504: ['CTI_ERR_AMI_TIMEOUT']
      },
      IDEMPOTENCY_ERRORS,
      DB_ERRORS
    )
  }
}

export const MeCallBackErrors = {
  noTelephony: () => new CtiError('CTI_ERR_NO_TELEPHONY', 'calls are placed through Asterisk (set AMI_HOST) or drachtio in path (SIP_DRACHTIO_HOST with SIP_OUTBOUND_TRUNK); neither is configured here', 503, 503),
  noTask: (id: number) => new CtiError('CTI_ERR_TASK_NOT_FOUND', `you have no open task ${id}`, 404, 404),
  noPhone: (what: string) => new CtiError('CTI_ERR_NO_PHONE', `no phone number to call: ${what}`, 422, 484)
}

interface CallBackSubject {
  customerId: number | null
  leadId: number | null
  taskId: number | null
  phone: string
}

/**
 * `POST /v1/me/callbacks`: an agent calls back one of their customers or leads, or the one of
 * their open task, through the telephony's CallControl. Their phone rings first, then the
 * customer's; the call is recorded as outbound with the customer's card. Someone else's customer,
 * lead or task answers 404; a double click (same Idempotency-Key) places one call.
 */
export async function meCallBackRoutes(fastify: FastifyInstance, options: MeCallBackOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { db, callControl, now } = options
  const agentOf = requireAgentToken(fastify, db)
  const once = actionsOnce(db, now)

  app.post('/v1/me/callbacks', { schema: meCallBackSchema }, async (request, reply) => {
    const agentId = agentOf(request)
    const body = request.body
    return once(request, reply, agentId, async () => {
      const named = [body.customerId, body.leadId, body.taskId].filter((v) => v !== undefined).length
      if (named !== 1) throw Errors.badRequest('name whom to call back: one of customerId, leadId or taskId')
      const subject = await subjectOf(db, agentId, body)
      if (!callControl) throw MeCallBackErrors.noTelephony()
      const { customerId, leadId, taskId, phone } = subject
      const placed = await callControl.callBack({ agentId, phone, customerId: customerId === null ? null : String(customerId), leadId: leadId === null ? null : String(leadId), taskId: taskId === null ? null : String(taskId) })
      request.log.info({ agentId, callId: placed.callId, customerId, leadId, taskId, via: callControl.kind }, 'call-back placed from the agent page')
      return { status: 202, body: { callId: placed.callId, phone, customerId, leadId, taskId, via: callControl.kind, status: 'ringing-agent' as const } }
    })
  })
}

/** Whom the call is for, checked to be the agent's, with the number to dial. */
async function subjectOf(db: Kysely<Database>, agentId: string, body: { customerId?: number; leadId?: number; taskId?: number }): Promise<CallBackSubject> {
  if (body.taskId !== undefined) {
    const task = await db.selectFrom('tasks').select(['customer_id', 'lead_id']).where('id', '=', body.taskId).where('assignee_agent_id', '=', agentId).where('status', '=', 'open').executeTakeFirst()
    if (!task) throw MeCallBackErrors.noTask(body.taskId)
    const about = await subjectOf(db, agentId, task.customer_id !== null ? { customerId: Number(task.customer_id) } : { leadId: Number(task.lead_id) })
    return { ...about, taskId: body.taskId }
  }
  if (body.customerId !== undefined) {
    if (!(await customerIsTheirs(db, body.customerId, agentId))) throw Errors.customerNotFound(`id ${body.customerId} among yours`)
    const phone = (await phonesOfCustomer(db, body.customerId))[0]
    if (!phone) throw MeCallBackErrors.noPhone(`customer ${body.customerId} has no phone number`)
    return { customerId: body.customerId, leadId: null, taskId: null, phone }
  }
  const leadId = body.leadId!
  const lead = await getLead(db, leadId)
  if (!lead || !(await leadIsTheirs(db, leadId, agentId))) throw LeadErrors.notFound(leadId)
  if (!lead.phone) throw MeCallBackErrors.noPhone(`lead ${leadId} came without a phone number`)
  return { customerId: lead.customerId, leadId, taskId: null, phone: lead.phone }
}
