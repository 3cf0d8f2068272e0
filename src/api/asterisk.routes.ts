import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Errors } from '../errors.js'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import { CurlCalls, type DialAnswer } from '../telephony/ami/curl-calls.js'
import { errorResponses } from './error-responses.js'
import { textAnswer } from './operations-schemas.js'

export interface AsteriskRoutesOptions {
  interactions: InteractionRouter
  /** The extension to dial for an agent (the CRM's extension, else the SIP URI's user), or null when they have none. */
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
const CallParams = Type.Object({ callId: Type.String({ minLength: 1, maxLength: 256, description: 'the channel= given to /v1/asterisk/dial' }) })
const NoAnswerBody = Type.Object({ status: Type.Optional(Type.String({ maxLength: 32, description: "Dial()'s ${DIALSTATUS}: NOANSWER, BUSY, CHANUNAVAIL…" })) })
const EndedBody = Type.Object({ cause: Type.Optional(Type.String({ maxLength: 64, description: "the caller channel's ${HANGUPCAUSE}" })) })
const DialAnswerText = textAnswer('a ready Dial() argument, "PJSIP/1001,20" (device, ring seconds), or empty when nobody can take the call; headers x-cti-call-id, x-cti-agent-id, x-cti-final', 'text/plain')
const FORM = ['application/x-www-form-urlencoded', 'application/json']
const dialSchema = { summary: 'Routes a call for a dialplan that asks with CURL() and dials itself', querystring: DialQuery, response: { 200: DialAnswerText } }
const answeredSchema = {
  summary: "The dialplan reports the agent's answer",
  params: CallParams,
  response: { 200: Type.Object({ callId: Type.String(), answered: Type.Boolean() }), ...errorResponses({ 400: ['CTI_ERR_BAD_REQUEST'] }) }
}
const noAnswerSchema = { summary: 'The dialplan reports no answer; answered with the next Dial() argument', consumes: FORM, params: CallParams, body: Type.Optional(NoAnswerBody), response: { 200: DialAnswerText } }
const endedSchema = {
  summary: 'The dialplan reports the call ended',
  consumes: FORM,
  params: CallParams,
  body: Type.Optional(EndedBody),
  response: { 200: Type.Object({ callId: Type.String(), ended: Type.Boolean() }) }
}

/**
 * For dialplans that ask synchronously with CURL() and dial themselves: the
 * answer to a dial request is a ready Dial() argument, "PJSIP/1001,20"
 * (device, ring seconds), or an empty body when nobody can take the call (the
 * dialplan then runs its final action). The agent stays reserved until the
 * dialplan reports answered, no-answer (answered with the next Dial argument)
 * or ended; reports are POSTs with form fields, as CURL(url,data) sends them.
 */
export async function asteriskRoutes(fastify: FastifyInstance, options: AsteriskRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const calls = new CurlCalls({ ...options, logger: fastify.log })
  fastify.addHook('onClose', async () => calls.close())
  // CURL(url,data) posts data as a form; the platform's parser reads it.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))))

  const dialText = (reply: { type: (t: string) => unknown; header: (k: string, v: string) => unknown }, answer: DialAnswer) => {
    reply.type('text/plain; charset=utf-8')
    reply.header('x-cti-call-id', answer.callId)
    if (answer.agentId) reply.header('x-cti-agent-id', answer.agentId)
    if (answer.final) reply.header('x-cti-final', answer.final)
    return answer.dial
  }

  app.get('/v1/asterisk/dial', { schema: dialSchema }, async (request, reply) => {
    const { caller, dialed, channel } = request.query
    return dialText(reply, await calls.dial({ caller: caller || null, dialed: dialed || null, channel }))
  })

  app.post('/v1/asterisk/calls/:callId/answered', { schema: answeredSchema }, async (request) => {
    if (!calls.answered(request.params.callId)) throw Errors.badRequest(`call ${request.params.callId} is not ringing an agent`)
    return { callId: request.params.callId, answered: true }
  })

  app.post('/v1/asterisk/calls/:callId/no-answer', { schema: noAnswerSchema }, async (request, reply) => {
    return dialText(reply, await calls.noAnswer(request.params.callId, request.body?.status ?? 'NOANSWER'))
  })

  app.post('/v1/asterisk/calls/:callId/ended', { schema: endedSchema }, async (request) => {
    return { callId: request.params.callId, ended: calls.ended(request.params.callId, request.body?.cause || undefined) }
  })
}
