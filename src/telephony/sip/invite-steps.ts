import { readCaller, readDialed } from './call-parties.js'
import { finalAnswer, parkAnswer } from './final-answer.js'
import { CONNECTION_LOST, endCall, type InviteStep } from './invite-chain.js'
import { queuedSpot } from '../queue-spot.js'

/** Refuses INVITEs too large to be a real call's (513 Message Too Large). */
export const limitMessageSize: InviteStep = {
  name: 'limit-message-size',
  run(call, { settings }) {
    const size = Buffer.byteLength(call.req.raw ?? '', 'utf8')
    if (size <= settings.maxMessageBytes) return
    return { status: 513, outcome: 'rejected', why: `INVITE of ${size} bytes is over ${settings.maxMessageBytes}` }
  }
}

/** Who is calling: P-Asserted-Identity, Remote-Party-ID, then From; 400 when From is unreadable. */
export const identifyCaller: InviteStep = {
  name: 'identify-caller',
  run(call) {
    call.caller = readCaller(sipHeaders(call.req))
    if (!call.caller) return { status: 400, reason: 'Bad From Header', outcome: 'rejected', why: 'From header missing or unreadable' }
    call.log.debug({ caller: call.caller.number, source: call.caller.source, withheld: call.caller.withheld }, 'caller read')
  }
}

/** What they dialed: the configured header, the Request-URI or To. A missing number is routed as an unknown line. */
export const readDialedNumber: InviteStep = {
  name: 'read-dialed-number',
  run(call, { settings }) {
    call.dialed = readDialed(sipHeaders(call.req), settings.dialedHeader)
  }
}

/** Lets the core decide and reserve. 503 when it cannot decide at all (rules not loaded yet). */
export const routeCall: InviteStep = {
  name: 'route',
  async run(call, deps) {
    call.routing = true
    try {
      call.routed = await deps.lifecycle.route({
        callId: call.callId,
        caller: call.caller?.number ?? null,
        callerName: call.caller?.name ?? null,
        dialed: call.dialed,
        channel: 'sip',
        ringTimer: false,
        // A 302 hands the call back to the PBX, which rings the agents itself: nobody is held for it.
        reserve: deps.settings.mode !== 'redirect'
      })
    } catch (err) {
      call.log.error({ err }, 'routing failed')
      return { status: 503, headers: { 'Retry-After': '5' }, outcome: 'failed', why: 'routing unavailable' }
    } finally {
      call.routing = false
    }
    // The caller gave up, or the connection went, while the core decided: release what was reserved.
    if (call.cancelled) endCall(call, deps, 'abandoned', 'caller cancelled')
    else if (call.lost) endCall(call, deps, 'failed', CONNECTION_LOST)
  }
}

/**
 * A decision without targets: the rule's rejection, voicemail, or 480/486. A call that must wait
 * in a queue is held by the in-path offer; in redirect mode it goes to the PBX's park URI (302)
 * when one is configured.
 */
export const answerFinalAction: InviteStep = {
  name: 'final-action',
  run(call, { settings }) {
    const decision = call.routed?.decision
    if (!decision || decision.targets.length > 0) return
    const spot = queuedSpot(decision)
    if (spot && settings.mode === 'in-path') return
    if (settings.mode === 'redirect' && settings.queueParkUri && (spot || decision.final.kind === 'queue')) return parkAnswer(decision, settings.queueParkUri, spot)
    return finalAnswer(decision, settings)
  }
}

function sipHeaders(req: { uri: string; get(name: string): string | undefined }) {
  return { uri: req.uri, get: (name: string) => req.get(name) }
}
