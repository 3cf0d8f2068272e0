import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Kysely } from 'kysely'
import { convertLead } from '../crm/lead-conversion.js'
import { chatsOf } from '../chat/chat-history.js'
import { findOpenLeadByPhone, getLead, leadHistory, LeadErrors, markLeadLost } from '../crm/lead.repository.js'
import type { Database } from '../crm/schema.js'
import { Errors } from '../errors.js'
import type { CallerIdentifier } from '../identify/identify-caller.js'
import { DealErrors } from '../crm/deal.repository.js'
import { IdParams } from './schemas.js'
import { DB_ERRORS, errorResponses, WRITE_ERRORS } from './error-responses.js'
import { ConversionView, LeadView, LeadWithHistoryView } from './response-schemas.js'

export interface LeadRoutesOptions {
  db: Kysely<Database>
  identifier: CallerIdentifier
  /** Reasons a lead may be marked lost with. */
  reasons: readonly string[]
  now: () => number
}

const ConvertBody = Type.Union([
  Type.Object(
    {
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      company: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
      ownerAgentId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]))
    },
    { additionalProperties: false }
  ),
  Type.Null()
])
const LostBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })

const LEAD_FOUND = { 404: ['CTI_ERR_LEAD_NOT_FOUND'] }
const byPhoneSchema = {
  summary: "The open lead of a phone number, with its calls, tasks and deals",
  params: Type.Object({ phone: Type.String({ minLength: 1, maxLength: 64 }) }),
  response: { 200: LeadWithHistoryView, ...errorResponses({ 400: ['CTI_ERR_INVALID_PHONE'] }, LEAD_FOUND, DB_ERRORS) }
}
const getSchema = { summary: 'A lead with its calls, tasks, deals and web chats', params: IdParams, response: { 200: LeadWithHistoryView, ...errorResponses(LEAD_FOUND, DB_ERRORS) } }
const convertSchema = {
  summary: "Turns a lead into a customer with the lead's number; its calls, deals and tasks follow",
  params: IdParams,
  body: ConvertBody,
  response: { 201: ConversionView, ...errorResponses(LEAD_FOUND, { 409: ['CTI_ERR_LEAD_CONVERTED', 'CTI_ERR_PHONE_TAKEN'] }, WRITE_ERRORS) }
}
const lostSchema = {
  summary: 'Marks a lead lost with one of the refusal reasons',
  params: IdParams,
  body: LostBody,
  response: { 200: LeadView, ...errorResponses({ 400: ['CTI_ERR_UNKNOWN_REASON'], 409: ['CTI_ERR_LEAD_CONVERTED'] }, LEAD_FOUND, DB_ERRORS) }
}

/**
 * Leads: `GET /v1/leads/by-phone/:phone`, `GET /v1/leads/:id` (with its calls,
 * tasks and deals), `POST /v1/leads/:id/convert` (a customer with the lead's
 * number, history and source kept), `POST /v1/leads/:id/lost` `{ reason }`.
 */
export async function leadRoutes(fastify: FastifyInstance, options: LeadRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { db, identifier, now } = options

  app.get('/v1/leads/by-phone/:phone', { schema: byPhoneSchema }, async (request) => {
    const phone = identifier.normalize(request.params.phone)
    if (!phone.ok) throw Errors.invalidPhone(request.params.phone, phone.problem)
    const lead = await findOpenLeadByPhone(db, phone.e164)
    if (!lead) throw LeadErrors.notFoundByPhone(phone.e164)
    return { ...lead, ...(await leadHistory(db, lead.id)), chats: await chatsOf(db, { leadId: lead.id }) }
  })

  app.get('/v1/leads/:id', { schema: getSchema }, async (request) => {
    const lead = await getLead(db, request.params.id)
    if (!lead) throw LeadErrors.notFound(request.params.id)
    return { ...lead, ...(await leadHistory(db, lead.id)), chats: await chatsOf(db, { leadId: lead.id }) }
  })

  app.post('/v1/leads/:id/convert', { schema: convertSchema }, async (request, reply) => {
    const conversion = await convertLead(db, request.params.id, request.body ?? {}, now())
    // The number was cached as "nobody": the next call must find the customer.
    identifier.customerChanged(conversion.customer.id, conversion.customer.phone ? [conversion.customer.phone] : [])
    request.log.info({ leadId: conversion.lead.id, customerId: conversion.customer.id, linked: conversion.linked }, 'lead converted to a customer')
    return reply.code(201).send(conversion)
  })

  app.post('/v1/leads/:id/lost', { schema: lostSchema }, async (request) => {
    if (!options.reasons.includes(request.body.reason)) throw DealErrors.unknownReason(request.body.reason, options.reasons)
    return markLeadLost(db, request.params.id, request.body.reason, now())
  })
}
