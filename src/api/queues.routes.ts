import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Errors } from '../errors.js'
import type { WaitingCalls } from '../interactions/waiting-calls.js'
import type { QueuedPosition, QueueSnapshot } from '../routing/waiting/types.js'
import { errorResponses } from './error-responses.js'
import { CallBackKeptView, QueuesView, WaitAnswerView } from './queue-schemas.js'
import { presentDecision } from './routing.routes.js'

export interface QueueRoutesOptions {
  waiting: WaitingCalls
  /** The web chats' queues, listed after the calls' (their entries have kind 'chat'). */
  chatQueues?: () => QueueSnapshot[]
  /** Longest long poll a PBX may ask for. */
  maxWaitSeconds?: number
}

const CallParams = Type.Object({ callId: Type.String({ minLength: 1, maxLength: 256 }) })
const WaitQuery = Type.Object({ timeoutSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 120, default: 30, description: 'answer after this long even if nothing happened (status queued)' })) })
const KNOWN = { 404: ['CTI_ERR_INTERACTION_NOT_FOUND'], 409: ['CTI_ERR_INTERACTION_FINISHED'] }

const waitSchema = {
  summary: 'Long poll: answers when an agent is chosen for the waiting interaction, on overflow, when it ends, or at the timeout with where it stands',
  params: CallParams,
  querystring: WaitQuery,
  response: { 200: WaitAnswerView, ...errorResponses(KNOWN) }
}
const callBackSchema = {
  summary: 'The waiting caller asks to be called back: the call-back keeps their place and is placed (Originate) when its turn comes',
  params: CallParams,
  response: { 202: CallBackKeptView, ...errorResponses({ 404: ['CTI_ERR_INTERACTION_NOT_FOUND'], 409: ['CTI_ERR_NOT_QUEUED'], 422: ['CTI_ERR_CALLBACK_IMPOSSIBLE'] }) }
}
const queuesSchema = { summary: 'Each queue with its waiting count, longest wait, and its calls with position, priority and wait so far', response: { 200: QueuesView } }

/** The waiting queue over HTTP: the PBX's long poll, a caller's call-back request, and the queues for supervisors. */
export async function queueRoutes(fastify: FastifyInstance, options: QueueRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { waiting } = options

  app.post('/v1/interactions/:callId/wait', { schema: waitSchema }, async (request) => {
    const { callId } = request.params
    const outcome = await waiting.waitFor(callId, (request.query.timeoutSeconds ?? 30) * 1000)
    switch (outcome.status) {
      case 'unknown':
        throw Errors.interactionNotFound(callId)
      case 'finished':
        throw Errors.interactionFinished(callId, `ended already${outcome.outcome ? ` (${outcome.outcome})` : ''}`)
      case 'offered':
      case 'final':
        return { callId, status: outcome.status, decision: presentDecision(outcome.decision) }
      case 'queued':
        return { callId, status: 'queued' as const, queued: presentPosition(outcome.queued) }
      case 'ended':
        return { callId, status: 'ended' as const, outcome: outcome.outcome }
    }
  })

  app.post('/v1/interactions/:callId/callback', { schema: callBackSchema }, async (request, reply) => {
    const { callId } = request.params
    const kept = waiting.requestCallBack(callId)
    if (!kept) {
      if (!waiting.known(callId)) throw Errors.interactionNotFound(callId)
      throw Errors.notQueued(callId)
    }
    return reply.code(202).send({ callId, status: 'call-back-queued', queued: presentPosition(kept) })
  })

  app.get('/v1/queues', { schema: queuesSchema }, async () => ({ queues: [...waiting.snapshots(), ...(options.chatQueues?.() ?? [])].map(presentQueue) }))
}

export function presentPosition(p: QueuedPosition) {
  return { queue: p.queue, position: p.position, estimatedWaitSeconds: Math.round(p.estimatedWaitSeconds), waitedSeconds: p.waitedMs / 1000, priority: p.priority }
}

function presentQueue(q: QueueSnapshot) {
  return {
    name: q.name,
    waiting: q.waiting,
    longestWaitSeconds: q.longestWaitMs / 1000,
    serviceLevelSeconds: q.settings.serviceLevelSeconds,
    maxWaitSeconds: q.settings.maxWaitSeconds,
    maxWaiting: q.settings.maxWaiting,
    calls: q.calls.map((c) => ({ callId: c.interactionId, position: c.position, priority: c.priority, waitedSeconds: c.waitedMs / 1000, estimatedWaitSeconds: Math.round(c.estimatedWaitSeconds), kind: c.kind }))
  }
}
