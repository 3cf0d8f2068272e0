import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Kysely } from 'kysely'
import { createDeal, DealErrors, dealSteps, getDeal, recordDealOutcome, type DealOutcome, type DealVocabulary } from '../crm/deal.repository.js'
import type { Database } from '../crm/schema.js'
import { requireAgentToken } from './agent-token-auth.js'
import { Amount, IdParams, RowId } from './schemas.js'
import { DB_ERRORS, errorResponses, WRITE_ERRORS } from './error-responses.js'
import { DealOptionsView, DealView, DealWithStepsView } from './response-schemas.js'

export interface DealRoutesOptions {
  db: Kysely<Database>
  vocabulary: DealVocabulary
  now: () => number
}

const NewDealBody = Type.Object(
  {
    customerId: Type.Optional(RowId),
    leadId: Type.Optional(RowId),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    stage: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    amount: Type.Optional(Type.Union([Amount(14), Type.Null()])),
    agentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 }))
  },
  { additionalProperties: false }
)
const OutcomeBody = Type.Union([
  Type.Object({ stage: Type.String({ minLength: 1, maxLength: 64 }), agentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
  Type.Object(
    { lost: Type.Literal(true), reason: Type.String({ minLength: 1, maxLength: 64 }), agentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
    { additionalProperties: false }
  )
])

const DEAL_FOUND = { 404: ['CTI_ERR_DEAL_NOT_FOUND'] }
const OUTCOME_ERRORS = { 400: ['CTI_ERR_UNKNOWN_STAGE', 'CTI_ERR_UNKNOWN_REASON'], 409: ['CTI_ERR_DEAL_CLOSED'] }
const optionsSchema = { summary: 'The deal stages (in order) and refusal reasons in force', response: { 200: DealOptionsView } }
const createSchema = {
  summary: 'Opens a deal for a customer or a lead',
  body: NewDealBody,
  response: { 201: DealView, ...errorResponses({ 400: ['CTI_ERR_BAD_REQUEST', 'CTI_ERR_UNKNOWN_STAGE'] }, WRITE_ERRORS) }
}
const getSchema = { summary: 'A deal with its steps', params: IdParams, response: { 200: DealWithStepsView, ...errorResponses(DEAL_FOUND, DB_ERRORS) } }
const patchSchema = {
  summary: 'Records an outcome: a move to a stage, or lost with a reason',
  params: IdParams,
  body: OutcomeBody,
  response: { 200: DealView, ...errorResponses(OUTCOME_ERRORS, DEAL_FOUND, WRITE_ERRORS) }
}
const meCreateSchema = { ...createSchema, summary: 'Opens a deal from the agent page; the agent holds it', body: Type.Omit(NewDealBody, ['agentId']) }
const mePatchSchema = { ...patchSchema, summary: 'Records an outcome of one of their own deals (another agent\'s answers 404)' }

/**
 * Deals and conversation outcomes: `GET /v1/deals/options` (stages and refusal
 * reasons in force), `POST /v1/deals`, `GET /v1/deals/:id` (with its steps),
 * `PATCH /v1/deals/:id` `{ stage }` or `{ lost: true, reason }`.
 */
export async function dealRoutes(fastify: FastifyInstance, options: DealRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { db, vocabulary, now } = options

  app.get('/v1/deals/options', { schema: optionsSchema }, async () => ({ stages: [...vocabulary.stages], reasons: [...vocabulary.reasons] }))

  app.post('/v1/deals', { schema: createSchema }, async (request, reply) => {
    const deal = await createDeal(db, request.body, vocabulary, now())
    return reply.code(201).send(deal)
  })

  app.get('/v1/deals/:id', { schema: getSchema }, async (request) => {
    const deal = await getDeal(db, request.params.id)
    if (!deal) throw DealErrors.notFound(request.params.id)
    return { ...deal, steps: await dealSteps(db, deal.id) }
  })

  app.patch('/v1/deals/:id', { schema: patchSchema }, async (request) => {
    const { agentId, ...outcome } = request.body
    const deal = await recordDealOutcome(db, request.params.id, outcome as DealOutcome, vocabulary, agentId ?? null, now())
    return deal
  })
}

/** The same from an agent's page with their token: `GET /v1/me/deals/options`, `POST /v1/me/deals`, `PATCH /v1/me/deals/:id` (their own deals only); the agent is recorded as who moved it. */
export async function meDealRoutes(fastify: FastifyInstance, options: DealRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { db, vocabulary, now } = options
  const agentOf = requireAgentToken(fastify, db)

  app.get('/v1/me/deals/options', { schema: optionsSchema }, async () => ({ stages: [...vocabulary.stages], reasons: [...vocabulary.reasons] }))

  app.post('/v1/me/deals', { schema: meCreateSchema }, async (request, reply) => {
    const agentId = agentOf(request)
    const deal = await createDeal(db, { ...request.body, agentId }, vocabulary, now())
    request.log.info({ agentId, dealId: deal.id }, 'deal opened from the agent page')
    return reply.code(201).send(deal)
  })

  app.patch('/v1/me/deals/:id', { schema: mePatchSchema }, async (request) => {
    const agentId = agentOf(request)
    const { agentId: _ignored, ...outcome } = request.body
    // An agent's token reaches only the deals that agent holds; another's answers 404, as if absent.
    const deal = await recordDealOutcome(db, request.params.id, outcome as DealOutcome, vocabulary, agentId, now(), { heldBy: agentId })
    request.log.info({ agentId, dealId: deal.id, stage: deal.stage, status: deal.status }, 'deal outcome recorded from the agent page')
    return deal
  })
}
