import type { OfferFailure } from '../../routing/call-router.js'
import type { RouteDecision, RouteTarget } from '../../routing/types.js'
import { agentUri } from './agent-uri.js'
import type { SrfDialog, SrfRequest, SrfResponse, SrfSipError } from './drachtio.js'
import { finalAnswer } from './final-answer.js'
import { endCall, type InviteDeps, type InviteStep } from './invite-chain.js'
import { waitInQueue } from './queue-follow.js'
import { queuedSpot } from '../queue-spot.js'
import { SipBridge } from './sip-bridge.js'
import type { SipCall } from './sip-call.js'

type LegResult = { kind: 'answered'; dialog: SrfDialog } | { kind: 'failed'; why: OfferFailure; status: number | null } | { kind: 'lost' }

/**
 * In-path mode (a B2BUA): rings each target from here for its ring time; on
 * no answer, busy or decline asks the core again (the agent who failed is
 * excluded), until one answers — then bridges the caller to them and stays
 * in both dialogs to see the BYE — or the decision's final action applies. A decision that
 * parks the call in a queue holds the INVITE (182 Queued) until the core chooses an agent.
 */
export const ringInPath: InviteStep = {
  name: 'ring-in-path',
  async run(call, deps) {
    let decision: RouteDecision | null = call.routed?.decision ?? null
    let lastFailure: OfferFailure | null = null
    for (;;) {
      const spot = queuedSpot(decision)
      if (spot) {
        decision = await waitInQueue(call, deps, spot)
        if (call.stopped) return
        continue
      }
      const target = decision?.targets[0]
      if (!target) break
      const pbxHost = deps.settings.extensionHost ?? `${call.req.source_address}:${call.req.source_port}`
      const uri = agentUri(target.address, pbxHost)
      // The card goes to the agent's page before their phone rings (waiting a few ms at most).
      if (uri) await deps.lifecycle.beforeRing(call.callId, target.agentId)
      if (call.stopped) return
      const result: LegResult = uri ? await ringAgent(call, deps, target, uri) : { kind: 'failed', why: 'unreachable', status: null }
      // Whoever stopped the call (the CANCEL, the lost connection) records its end.
      if (call.stopped || result.kind === 'lost') {
        if (result.kind === 'answered') void result.dialog.destroy().catch((err: unknown) => call.log.warn({ err }, 'BYE to agent failed'))
        return
      }
      if (result.kind === 'answered') return bridge(call, deps, target.agentId, result.dialog)
      call.log.info({ agentId: target.agentId, why: result.why, status: result.status }, 'agent did not take the call')
      lastFailure = result.why
      decision = await deps.lifecycle.failed(call.callId, target.agentId, result.why)
    }
    if (!decision) return { status: 500, outcome: 'failed', why: 'call unknown to the router' }
    return finalAnswer(decision, deps.settings, lastFailure)
  }
}

/** Offers the call to one agent; settles when they answer, refuse, or the ring time runs out. */
function ringAgent(call: SipCall, deps: InviteDeps, target: RouteTarget, uri: string): Promise<LegResult> {
  return new Promise((resolve) => {
    let leg: SrfRequest | null = null
    let timedOut = false
    let ringing = false
    const cancelLeg = () => leg?.cancel((err) => err && call.log.debug({ err }, 'CANCEL to agent not sent'))
    const timer = setTimeout(() => {
      timedOut = true
      cancelLeg()
    }, target.ringSeconds * 1000)
    call.onCancel = cancelLeg
    // drachtio-server forgot the leg with the connection: no answer, 487 or timer callback will come.
    call.onLost = () => {
      clearTimeout(timer)
      call.onCancel = null
      call.onLost = null
      resolve({ kind: 'lost' })
    }
    const routed = call.routed!
    const headers: Record<string, string> = { 'X-Route-Rule': routed.decision.rule ?? 'fallback', 'X-Original-Call-ID': call.callId }
    if (routed.caller.customer) headers['X-Customer-Id'] = String(routed.caller.customer.id)
    call.log.info({ agentId: target.agentId, uri, ringSeconds: target.ringSeconds }, 'ringing agent')
    deps.srf
      .createUAC(
        uri,
        { headers, localSdp: call.req.body || undefined, callingNumber: call.caller?.number ?? 'anonymous', callingName: call.caller?.name ?? undefined },
        {
          cbRequest: (err, req) => {
            if (err) return
            leg = req
            if (call.cancelled || timedOut) cancelLeg()
          },
          cbProvisional: (res: SrfResponse) => {
            if (ringing || (res.status !== 180 && res.status !== 183)) return
            ringing = true
            deps.lifecycle.ringing(call.callId, target.agentId)
            call.respond(180)
          }
        }
      )
      .then(
        (dialog) => resolve({ kind: 'answered', dialog }),
        (err: SrfSipError) => resolve({ kind: 'failed', why: failureOf(err, timedOut), status: err.status ?? null })
      )
      .finally(() => {
        clearTimeout(timer)
        call.onCancel = null
        call.onLost = null
      })
  })
}

/**
 * Answers the caller with the agent's SDP and ties the two dialogs: either side's BYE ends both.
 * The bridge stays known (deps.bridges) while they talk, so the call can be transferred.
 */
async function bridge(call: SipCall, deps: InviteDeps, agentId: string, agentLeg: SrfDialog): Promise<void> {
  deps.lifecycle.answered(call.callId, agentId)
  let callerLeg: SrfDialog
  try {
    callerLeg = await deps.srf.createUAS(call.req, call.res, { localSdp: agentLeg.remote.sdp })
  } catch (err) {
    call.log.info({ err, agentId }, 'caller gone before the answer reached them')
    void agentLeg.destroy().catch((e: unknown) => call.log.warn({ err: e }, 'BYE to agent failed'))
    endCall(call, deps, 'abandoned', 'caller gone at answer')
    return
  }
  call.talking = true
  call.log.info({ agentId }, 'call answered')
  const pbxHost = deps.settings.extensionHost ?? `${call.req.source_address}:${call.req.source_port}`
  const talking = new SipBridge(call.callId, callerLeg, agentId, agentLeg, call.log, pbxHost, (cause) => {
    if (deps.bridges.get(call.callId) === talking) deps.bridges.delete(call.callId)
    endCall(call, deps, 'answered', cause)
  })
  // Who the caller is, for the colleague the call may be transferred to (their phone shows it as this agent's did).
  talking.partyShown = { number: call.caller?.number ?? null, name: call.caller?.name ?? null }
  deps.bridges.set(call.callId, talking)
  deps.onBridged?.(talking)
  talking.start()
}

/** The offer failure a final SIP status (or our own ring-time CANCEL) means. */
export function failureOf(err: SrfSipError, timedOut: boolean): OfferFailure {
  if (timedOut) return 'ring-timeout'
  switch (err.status) {
    case 486:
    case 600:
      return 'busy'
    case 603:
      return 'declined'
    case 408:
    case 480:
    case 487:
      return 'ring-timeout'
    default:
      return 'unreachable'
  }
}
