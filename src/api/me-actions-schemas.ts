import { Type } from 'typebox'
import { DB_ERRORS, errorResponses, WRITE_ERRORS } from './error-responses.js'
import { IDEMPOTENCY_ERRORS, IdempotencyHeaders } from './idempotency.js'
import { ConversionView, DealView, TaskView } from './response-schemas.js'
import { IdParams, RowId } from './schemas.js'

/** The agent's actions from the card (`/v1/me/…`, agent token): bodies and answers. */

const Note = Type.String({ minLength: 1, maxLength: 2000, description: 'what the agent wants remembered, in their words' })
/** An instant as ISO 8601 with its offset (what `<input type="datetime-local">` gives, turned into an instant by the page). */
const DueAt = Type.String({ minLength: 10, maxLength: 40, description: 'ISO 8601 date-time, e.g. 2026-11-24T10:00:00+03:00; from now to a year ahead' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

export const CallIdParams = Type.Object({ callId: Type.String({ minLength: 1, maxLength: 128 }) })

export const OutcomeBody = Type.Object(
  {
    stage: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'a deal stage (GET /v1/me/deals/options); needs dealId' })),
    refusalReason: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'a configured refusal reason; with dealId the deal is lost with it' })),
    dealId: Type.Optional(RowId),
    note: Type.Optional(Note)
  },
  { additionalProperties: false }
)
export const OutcomeView = Type.Object({
  callId: Type.String(),
  at: Type.String({ format: 'date-time' }),
  stage: Nullable(Type.String()),
  refusalReason: Nullable(Type.String()),
  note: Nullable(Type.String()),
  deal: Nullable(DealView)
})

export const NewTaskBody = Type.Object(
  {
    customerId: Type.Optional(RowId),
    leadId: Type.Optional(RowId),
    callId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    dueAt: DueAt,
    note: Type.Optional(Note)
  },
  { additionalProperties: false }
)
export const FollowUpView = Type.Intersect([TaskView, Type.Object({ note: Nullable(Type.String()) })])

export const SnoozeBody = Type.Object({ minutes: Type.Integer({ minimum: 1, maximum: 10_080, description: 'from now; at most a week' }) }, { additionalProperties: false })
export const RescheduleBody = Type.Object({ dueAt: DueAt }, { additionalProperties: false })

export const MeConvertBody = Type.Union([
  Type.Object(
    {
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      company: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
      callId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'the call it happens on: the conversion joins its events' }))
    },
    { additionalProperties: false }
  ),
  Type.Null()
])

const ACTION_ERRORS = [IDEMPOTENCY_ERRORS, WRITE_ERRORS, DB_ERRORS] as const
const CALL_FOUND = { 404: ['CTI_ERR_CALL_NOT_FOUND'] }
const TASK_FOUND = { 404: ['CTI_ERR_TASK_NOT_FOUND'] }

export const outcomeSchema = {
  summary: 'Records the outcome of a call they took: a deal moved to a stage, or a refusal reason, and a note; it joins the call\'s events',
  params: CallIdParams,
  headers: IdempotencyHeaders,
  body: OutcomeBody,
  response: {
    201: OutcomeView,
    ...errorResponses({ 400: ['CTI_ERR_BAD_REQUEST', 'CTI_ERR_UNKNOWN_STAGE', 'CTI_ERR_UNKNOWN_REASON'], 404: ['CTI_ERR_CALL_NOT_FOUND', 'CTI_ERR_DEAL_NOT_FOUND'], 409: ['CTI_ERR_DEAL_CLOSED'] }, ...ACTION_ERRORS)
  }
}
export const newTaskSchema = {
  summary: 'Sets themselves a follow-up task on their customer or lead, or the one of a call they took',
  headers: IdempotencyHeaders,
  body: NewTaskBody,
  response: { 201: FollowUpView, ...errorResponses({ 400: ['CTI_ERR_BAD_REQUEST'], 404: ['CTI_ERR_CALL_NOT_FOUND', 'CTI_ERR_CUSTOMER_NOT_FOUND', 'CTI_ERR_LEAD_NOT_FOUND'] }, ...ACTION_ERRORS) }
}
export const snoozeSchema = {
  summary: 'Puts off one of their open tasks by some minutes from now; its reminder follows',
  params: IdParams,
  headers: IdempotencyHeaders,
  body: SnoozeBody,
  response: { 200: TaskView, ...errorResponses(TASK_FOUND, ...ACTION_ERRORS) }
}
export const rescheduleSchema = {
  summary: 'Moves one of their open tasks to another due time; its reminder follows',
  params: IdParams,
  headers: IdempotencyHeaders,
  body: RescheduleBody,
  response: { 200: TaskView, ...errorResponses({ 400: ['CTI_ERR_BAD_REQUEST'] }, TASK_FOUND, ...ACTION_ERRORS) }
}
export const meConvertSchema = {
  summary: 'Turns a lead they handled (assigned, or on a call they took) into a customer they own',
  params: IdParams,
  headers: IdempotencyHeaders,
  body: MeConvertBody,
  response: { 201: ConversionView, ...errorResponses({ 404: ['CTI_ERR_LEAD_NOT_FOUND', 'CTI_ERR_CALL_NOT_FOUND'], 409: ['CTI_ERR_LEAD_CONVERTED', 'CTI_ERR_PHONE_TAKEN'] }, ...ACTION_ERRORS) }
}
