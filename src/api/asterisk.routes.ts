import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { InteractionRouter } from '../interactions/interaction-router.js'

export interface AsteriskRoutesOptions {
  interactions: InteractionRouter
  /** The extension to dial for an agent, or null when they have none. */
  extensionOf: (agentId: string) => string | null
  /** Dial string with {extension}, e.g. "PJSIP/{extension}". */
  dialTemplate: string
}

const DialQuery = Type.Object(
  {
    caller: Type.Optional(Type.String({ maxLength: 512 })),
    dialed: Type.Optional(Type.String({ maxLength: 512 })),
    channel: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: "the call's id for the later reports (e.g. ${UNIQUEID})" }))
  },
  { additionalProperties: false }
)

/**
 * For dialplans that ask synchronously with CURL(): the answer is a ready
 * Dial() argument, "PJSIP/1001,20" (device, ring seconds), or an empty body
 * when nobody can take the call (the dialplan then runs its final action).
 * The agent is reserved; the dialplan reports the outcome to /v1/interactions/<id>/…,
 * and without a report the server moves on after the ring time.
 */
export async function asteriskRoutes(fastify: FastifyInstance, options: AsteriskRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get('/v1/asterisk/dial', { schema: { querystring: DialQuery } }, async (request, reply) => {
    const { caller, dialed, channel } = request.query
    const routed = await options.interactions.route({ callId: channel, caller: caller || null, dialed: dialed || null, channel: 'ami', kind: 'call', ringTimer: true })
    reply.type('text/plain; charset=utf-8').header('x-cti-call-id', routed.callId)
    let decision = routed.decision
    for (let target = decision.targets[0]; target; target = decision.targets[0]) {
      const extension = options.extensionOf(target.agentId)
      if (extension !== null) {
        reply.header('x-cti-agent-id', target.agentId)
        return `${options.dialTemplate.replaceAll('{extension}', extension)},${target.ringSeconds}`
      }
      request.log.warn({ callId: routed.callId, agentId: target.agentId }, 'agent has no extension to dial; offering the next')
      const next = await options.interactions.failed(routed.callId, target.agentId, 'unreachable')
      if (!next) break
      decision = next
    }
    reply.header('x-cti-final', decision.final.kind)
    return ''
  })
}
