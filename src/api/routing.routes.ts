import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Errors } from '../errors.js'
import type { InteractionRouter, RoutedInteraction } from '../interactions/interaction-router.js'
import { errorResponses } from './error-responses.js'
import { NoAnswerWaitingView, QueuedRouteAnswerView } from './queue-schemas.js'
import { presentPosition } from './queues.routes.js'
import { AnsweredView, EndedView, RouteAnswerView } from './routing-schemas.js'

export interface RoutingRoutesOptions {
  interactions: InteractionRouter
}

const RouteBody = Type.Object(
  {
    caller: Type.Union([Type.String({ maxLength: 512 }), Type.Null()]),
    dialed: Type.Optional(Type.Union([Type.String({ maxLength: 512 }), Type.Null()])),
    callId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    kind: Type.Optional(Type.Enum(['call', 'web-visit', 'callback'])),
    product: Type.Optional(Type.Union([Type.String({ maxLength: 128 }), Type.Null()]))
  },
  { additionalProperties: false }
)

const ExplainBody = Type.Object(
  {
    ...RouteBody.properties,
    at: Type.Optional(Type.String({ format: 'date-time', description: 'decide as if at this instant' }))
  },
  { additionalProperties: false }
)

const CallParams = Type.Object({ callId: Type.String({ minLength: 1, maxLength: 256 }) })
const AgentBody = Type.Object({ agentId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })
const NoAnswerBody = Type.Object(
  { agentId: Type.String({ minLength: 1, maxLength: 64 }), reason: Type.Optional(Type.Enum(['ring-timeout', 'busy', 'declined', 'unreachable'])) },
  { additionalProperties: false }
)

const EndedBody = Type.Union([
  Type.Object(
    {
      outcome: Type.Optional(Type.Enum(['answered', 'missed', 'abandoned', 'busy', 'rejected', 'failed'], { description: 'how it ended, when the PBX knows better (a caller who hung up while waiting: abandoned)' })),
      cause: Type.Optional(Type.String({ maxLength: 256 }))
    },
    { additionalProperties: false }
  ),
  Type.Null()
])

const NOT_WAITING = { 400: ['CTI_ERR_BAD_REQUEST'] }
const routeSchema = {
  summary: 'Routes a call: identifies the caller, decides, and reserves the first target; 202 when nobody can take it now and it waits in a queue',
  body: RouteBody,
  response: { 200: RouteAnswerView, 202: QueuedRouteAnswerView }
}
const explainSchema = { summary: 'The decision a call would get (at an instant, if given), reserving nobody', body: ExplainBody, response: { 200: RouteAnswerView } }
const answeredSchema = { summary: 'The agent rung answered', params: CallParams, body: AgentBody, response: { 200: AnsweredView, ...errorResponses(NOT_WAITING) } }
const noAnswerSchema = {
  summary: 'The agent rung did not answer: the next decision, without them',
  params: CallParams,
  body: NoAnswerBody,
  response: { 200: NoAnswerWaitingView, ...errorResponses(NOT_WAITING) }
}
const endedSchema = { summary: 'The call ended (how, when the PBX knows better)', params: CallParams, body: Type.Optional(EndedBody), response: { 200: EndedView } }

/**
 * Routing over HTTP, for PBXs that ask (FreeSWITCH, Kamailio, Asterisk CURL)
 * and for admins: route (reserves), explain (reserves nothing), and the
 * lifecycle reports that follow a routed call.
 */
export async function routingRoutes(fastify: FastifyInstance, options: RoutingRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { interactions } = options

  app.post('/v1/route', { schema: routeSchema }, async (request, reply) => {
    const body = request.body
    const routed = await interactions.route({ caller: body.caller, dialed: body.dialed ?? null, callId: body.callId, kind: body.kind, product: body.product, channel: 'http' })
    // Nobody can take it now: it waits (POST /v1/interactions/:id/wait, or the queue webhook, says when an agent is chosen).
    const queued = routed.decision.queued
    if (queued) return reply.code(202).send({ ...present(routed), queued: presentPosition(queued) })
    return present(routed)
  })

  app.post('/v1/route/explain', { schema: explainSchema }, async (request) => {
    const body = request.body
    const routed = await interactions.explain({
      caller: body.caller,
      dialed: body.dialed ?? null,
      callId: body.callId,
      kind: body.kind,
      product: body.product,
      channel: 'http',
      at: body.at ? Date.parse(body.at) : undefined
    })
    return present(routed)
  })

  app.post('/v1/interactions/:callId/answered', { schema: answeredSchema }, async (request) => {
    if (!interactions.answered(request.params.callId, request.body.agentId)) {
      throw Errors.badRequest(`call ${request.params.callId} is not ringing agent ${request.body.agentId}`)
    }
    return { callId: request.params.callId, answeredBy: request.body.agentId }
  })

  app.post('/v1/interactions/:callId/no-answer', { schema: noAnswerSchema }, async (request) => {
    const decision = await interactions.failed(request.params.callId, request.body.agentId, request.body.reason ?? 'ring-timeout')
    if (!decision) throw Errors.badRequest(`call ${request.params.callId} is not waiting for an answer`)
    const reasons = interactions.interaction(request.params.callId)?.degradedReasons ?? []
    // Nobody left to ring and the rule ends in a queue: the call waits there (the long poll says when an agent is chosen).
    const queued = decision.queued ? { queued: presentPosition(decision.queued) } : {}
    return { callId: request.params.callId, degraded: reasons.length > 0, degradedReasons: reasons, decision: presentDecision(decision), ...queued }
  })

  app.post('/v1/interactions/:callId/ended', { schema: endedSchema }, async (request) => {
    const body = request.body ?? {}
    return { callId: request.params.callId, ended: interactions.ended(request.params.callId, { outcome: body.outcome, cause: body.cause }) }
  })
}

function present(routed: RoutedInteraction) {
  const { caller, decision } = routed
  return {
    callId: routed.callId,
    caller: caller.phone.ok
      ? { number: caller.phone.e164, displayName: caller.phone.displayName }
      : { number: null, problem: caller.phone.problem, displayName: caller.phone.displayName },
    customer: caller.customer ? { id: Number(caller.customer.id), name: caller.customer.name, tier: caller.customer.tier, ownerAgentId: caller.customer.ownerAgentId } : null,
    line: routed.line,
    rulesVersion: routed.rulesVersion,
    // Any reason counts: the CRM unreachable, or agent states that Redis could not confirm.
    degraded: routed.degraded || (routed.degradedReasons?.length ?? 0) > 0,
    degradedReasons: routed.degradedReasons ?? (routed.degraded ? ['crm-unreachable'] : []),
    decision: presentDecision(decision)
  }
}

export function presentDecision(decision: RoutedInteraction['decision']) {
  return {
    rule: decision.rule,
    priority: decision.priority,
    reason: decision.reason,
    targets: decision.targets,
    final: decision.final,
    trace: decision.trace
  }
}
