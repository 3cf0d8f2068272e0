import type { Logger } from 'pino'
import type { TransferEvents, TransferRequest } from '../../interactions/call-control.js'
import type { Srf } from './drachtio.js'
import { ringLeg, type LegResult } from './ring-leg.js'
import { addressOf, type SipAgentDirectory } from './sip-agents.js'
import type { PendingTransfer, SipBridge } from './sip-bridge.js'
import { SipErrors } from './sip-errors.js'
import { reoffer } from './sdp-origin.js'
import { endRefer } from './refer-notify.js'

export interface TransferDeps {
  srf: Srf
  agents: SipAgentDirectory
  now: () => number
}

/**
 * A blind transfer of a talking call: the first agent's leg is released at once (BYE; a REFER
 * from their phone first gets its final NOTIFY), the target is rung from here, and when they
 * answer the caller's leg is re-INVITEd onto the target's media.
 *
 * The offer/answer flow is the 3PCC one of RFC 3725 (flow I): the INVITE to the target carries no
 * SDP, the target offers in its 200, that offer goes to the caller in a re-INVITE, and the
 * caller's answer goes back to the target in the ACK. Reusing the caller's old SDP as the offer to
 * the target would not do: that SDP was the caller's side of a finished negotiation with the
 * first agent, and the target's answer to it would have to reach the caller as a new offer in the
 * re-INVITE, whose answer could then never reach the target (its INVITE is already acknowledged),
 * so the two ends could disagree on codecs or addresses. Here each side gets a complete
 * offer/answer with the other. The price is no early media from the target, which a blind
 * transfer does not use.
 *
 * While the target rings, and after they fail, the caller's leg stays as it is (no re-INVITE):
 * the workplace then transfers again or queues the call, and the caller is never dropped here.
 */
export async function transferBridge(bridge: SipBridge, deps: TransferDeps, request: TransferRequest, events: TransferEvents): Promise<void> {
  const { callId, fromAgentId, toAgentId } = request
  if (bridge.ended) throw SipErrors.notHeld(callId)
  if (bridge.transfer) throw SipErrors.transferUnderWay(callId, bridge.transfer.toAgentId)
  // While held after a failed transfer the call has no agent: whoever the workplace says may move it.
  if (bridge.agentLeg && bridge.agentId !== fromAgentId) throw SipErrors.notTheirs(callId, fromAgentId, bridge.agentId)
  const uri = addressOf(deps.agents, toAgentId, bridge.pbxHost)
  if (!uri) throw SipErrors.noAddress(toAgentId)
  const log = bridge.log.child({ transferTo: toAgentId })
  const pending: PendingTransfer = { toAgentId, leg: null }
  bridge.transfer = pending
  const startedAt = performance.now()
  log.info({ fromAgentId, uri, ringSeconds: request.ringSeconds }, 'transfer started')
  await endRefer(bridge, 'SIP/2.0 200 OK')
  bridge.releaseAgent()
  if (bridge.transfer !== pending) return // the caller hung up meanwhile
  const leg = ringLeg(deps.srf, {
    uri,
    headers: { 'X-Original-Call-ID': callId, 'X-Transferred-By': fromAgentId },
    callingNumber: bridge.partyShown.number ?? 'anonymous',
    callingName: bridge.partyShown.name ?? undefined,
    ringSeconds: request.ringSeconds,
    log,
    onRinging: () => log.info({ msSinceStart: Math.round(performance.now() - startedAt) }, 'transfer target ringing')
  })
  pending.leg = leg
  void leg.result.then((result) => settle(bridge, pending, result, deps, events, log, startedAt))
  await leg.sent
}

async function settle(bridge: SipBridge, pending: PendingTransfer, result: LegResult, deps: TransferDeps, events: TransferEvents, log: Logger, startedAt: number): Promise<void> {
  // The caller hung up (or the connection went) while the target rang: the call's end says it all.
  if (bridge.transfer !== pending || result.kind === 'stopped') {
    if (result.kind === 'answered') result.abandon()
    return
  }
  const fail = (why: Parameters<TransferEvents['failed']>[0], detail: Record<string, unknown>) => {
    if (bridge.transfer === pending) bridge.transfer = null
    if (bridge.ended) return
    log.info({ why, ...detail }, 'transfer failed: the caller stays on the line, held here')
    events.failed(why, deps.now())
  }
  if (result.kind === 'failed') return fail(result.why, { status: result.status })
  if (!result.sdp) {
    result.abandon()
    return fail('unreachable', { problem: "the target's 200 carried no SDP offer" })
  }
  try {
    const callerAnswer = await bridge.party.modify(reoffer(bridge.party.local.sdp, result.sdp))
    if (bridge.transfer !== pending) return result.abandon()
    const dialog = await result.complete(callerAnswer)
    bridge.transfer = null
    bridge.connect(pending.toAgentId, dialog)
    log.info({ msSinceStart: Math.round(performance.now() - startedAt) }, 'transfer connected')
    if (!bridge.ended) events.answered(deps.now())
  } catch (err) {
    result.abandon()
    // The caller's re-INVITE failed: they hung up (the bridge ends) or refused the target's media.
    fail('unreachable', { err })
  }
}
