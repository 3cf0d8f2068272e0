import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { sql, type Kysely } from 'kysely'
import type { CallAgents } from '../calls/call-agents.js'
import { getDeal, recordDealOutcome, type Deal, type DealVocabulary } from '../crm/deal.repository.js'
import { convertLead } from '../crm/lead-conversion.js'
import { LeadErrors } from '../crm/lead.repository.js'
import type { Database } from '../crm/schema.js'
import { leadIsTheirs } from '../crm/task-actions.repository.js'
import { CtiError, Errors } from '../errors.js'
import type { CallerIdentifier } from '../identify/identify-caller.js'
import { requireAgentToken } from './agent-token-auth.js'
import { actionsOnce } from './idempotency.js'
import { meConvertSchema, outcomeSchema } from './me-actions-schemas.js'

export interface MeCallActionOptions {
  db: Kysely<Database>
  vocabulary: DealVocabulary
  calls: CallAgents
  identifier: Pick<CallerIdentifier, 'customerChanged'>
  now: () => number
}

/** Errors of the agent's own actions, in words they can act on. */
export const MeActionErrors = {
  callNotTaken: (callId: string) => new CtiError('CTI_ERR_CALL_NOT_FOUND', `you took no call ${callId}: an action on a call is for the agents who answered it`, 404, 404),
  unknownReason: (reason: string, reasons: readonly string[]) =>
    new CtiError('CTI_ERR_UNKNOWN_REASON', `refusal reason "${reason}" is not one of ${reasons.join(', ')}`, 400, 400, { reasons: [...reasons] }),
  unknownStage: (stage: string, stages: readonly string[]) => new CtiError('CTI_ERR_UNKNOWN_STAGE', `stage "${stage}" is not one of ${stages.join(', ')}`, 400, 400, { stages: [...stages] })
}

/**
 * What an agent does about a call from its card, with their token: `POST /v1/me/calls/:callId/outcome`
 * (a deal moved or a refusal reason, and a note) and `POST /v1/me/leads/:id/convert`. Only on calls
 * they took and leads they handled (anything else answers 404); each joins the call's events, and
 * each honours an Idempotency-Key.
 */
export async function meCallActionRoutes(fastify: FastifyInstance, options: MeCallActionOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { db, vocabulary, calls, now } = options
  const agentOf = requireAgentToken(fastify, db)
  const once = actionsOnce(db, now)

  app.post('/v1/me/calls/:callId/outcome', { schema: outcomeSchema }, async (request, reply) => {
    const agentId = agentOf(request)
    const { callId } = request.params
    const { stage, refusalReason, dealId, note } = request.body
    return once(request, reply, agentId, async () => {
      if (stage !== undefined && refusalReason !== undefined) throw Errors.badRequest('send a stage or a refusal reason, not both')
      if (stage === undefined && refusalReason === undefined && note === undefined) throw Errors.badRequest('send a stage, a refusal reason or a note')
      if (stage !== undefined && dealId === undefined) throw Errors.badRequest('a stage moves a deal: name it with dealId')
      if (dealId !== undefined && stage === undefined && refusalReason === undefined) throw Errors.badRequest('a deal is moved by a stage or lost with a refusal reason: send one of them with dealId')
      if (stage !== undefined && !vocabulary.stages.includes(stage)) throw MeActionErrors.unknownStage(stage, vocabulary.stages)
      if (refusalReason !== undefined && !vocabulary.reasons.includes(refusalReason)) throw MeActionErrors.unknownReason(refusalReason, vocabulary.reasons)
      const call = await calls.takenBy(callId, agentId)
      if (!call) throw MeActionErrors.callNotTaken(callId)
      const at = now()
      let deal: Deal | null = null
      if (dealId !== undefined) {
        const found = await getDeal(db, dealId)
        const aboutCall = found && ((call.customerId !== null && found.customerId === call.customerId) || (call.leadId !== null && found.leadId === call.leadId) || (call.customerId === null && call.leadId === null))
        if (found && found.agentId === agentId && !aboutCall) throw Errors.badRequest(`deal ${dealId} is not of this call's customer or lead`)
        // Another agent's deal answers 404 as if absent (recordDealOutcome's scope).
        deal = await recordDealOutcome(db, dealId, stage !== undefined ? { stage } : { lost: true, reason: refusalReason! }, vocabulary, agentId, at, { heldBy: agentId })
      } else if (refusalReason !== undefined && call.customerId !== null) {
        await addRefusalReason(db, call.customerId, refusalReason, at)
      }
      const outcome = { stage: stage ?? null, refusalReason: refusalReason ?? null, note: note ?? null }
      await calls.record(callId, 'outcome', agentId, { ...outcome, dealId: deal?.id ?? null, dealStage: deal?.stage ?? null, dealStatus: deal?.status ?? null }, at)
      request.log.info({ agentId, callId, dealId: deal?.id, stage, refusalReason }, 'call outcome recorded from the agent page')
      return { status: 201, body: { callId, at: new Date(at).toISOString(), ...outcome, deal } }
    })
  })

  app.post('/v1/me/leads/:id/convert', { schema: meConvertSchema }, async (request, reply) => {
    const agentId = agentOf(request)
    const leadId = request.params.id
    const body = request.body ?? {}
    return once(request, reply, agentId, async () => {
      const call = body.callId === undefined ? null : await calls.takenBy(body.callId, agentId)
      if (body.callId !== undefined && !call) throw MeActionErrors.callNotTaken(body.callId)
      if (call?.leadId !== leadId && !(await leadIsTheirs(db, leadId, agentId))) throw LeadErrors.notFound(leadId)
      const at = now()
      const conversion = await convertLead(db, leadId, { name: body.name, company: body.company, ownerAgentId: agentId }, at)
      // The number was cached as "nobody": the next call must find the customer.
      options.identifier.customerChanged(conversion.customer.id, conversion.customer.phone ? [conversion.customer.phone] : [])
      if (call) await calls.record(call.callId, 'lead-converted', agentId, { leadId, customerId: conversion.customer.id, name: conversion.customer.name }, at)
      request.log.info({ agentId, leadId, customerId: conversion.customer.id }, 'lead converted to a customer from the agent page')
      return { status: 201, body: conversion }
    })
  })
}

/** A refusal said on a call without a deal still shows on the customer's card, once. */
async function addRefusalReason(db: Kysely<Database>, customerId: number, reason: string, at: number): Promise<void> {
  await db
    .updateTable('customers')
    .set({ refusal_reasons: sql`array_append(refusal_reasons, ${reason})`, updated_at: new Date(at) })
    .where('id', '=', customerId)
    .where(sql<boolean>`not (${reason} = any(refusal_reasons))`)
    .execute()
}
