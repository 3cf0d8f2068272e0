import type { RouteDecision } from '../../routing/types.js'
import type { QueueSpot } from '../queue-spot.js'
import { queueHeaders } from './queue-wait.js'
import type { SipSettings } from './settings.js'
import type { Refusal } from './sip-call.js'

/**
 * The SIP answer for a decision with nobody (left) to ring: the rule's own
 * status for a rejection, 302 to the voicemail URI when there is one, else
 * 480 (or 486) with Retry-After.
 */
export function finalAnswer(decision: RouteDecision, settings: SipSettings, lastFailure: string | null = null): Refusal {
  const final = decision.final
  const rule = { 'X-Route-Rule': decision.rule ?? 'fallback' }
  if (final.kind === 'reject') {
    const headers = final.sipStatus === 480 || final.sipStatus === 486 ? { ...rule, ...retryAfter(settings) } : rule
    return { status: final.sipStatus, headers, outcome: 'rejected', why: `rejected by rule: ${final.cause}` }
  }
  const missed = lastFailure === 'busy' ? 'busy' : 'missed'
  if (final.kind === 'voicemail' && settings.voicemailUri) {
    return { status: 302, headers: { ...rule, Contact: `<${settings.voicemailUri}>` }, outcome: missed, why: 'sent to voicemail' }
  }
  const why = final.kind === 'queue' ? `no agent available (queue ${final.queue})` : 'no agent available (voicemail not configured)'
  return { status: settings.noAgentStatus, headers: { ...rule, ...retryAfter(settings) }, outcome: missed, why }
}

/**
 * Redirect mode cannot hold a call: one that must wait goes to the PBX's park URI (302), naming
 * the queue and, when the core knows it, the position and estimated wait. The PBX holds it from
 * then on; the server's record says redirected.
 */
export function parkAnswer(decision: RouteDecision, parkUri: string, spot: QueueSpot | null): Refusal {
  const queue = spot?.queue ?? (decision.final.kind === 'queue' ? decision.final.queue : '')
  const headers: Record<string, string> = { 'X-Route-Rule': decision.rule ?? 'fallback', Contact: `<${parkUri}>`, ...(spot ? queueHeaders(spot) : { 'X-Queue-Name': queue }) }
  return { status: 302, headers, outcome: 'redirected', why: `parked at the PBX (queue ${queue})` }
}

function retryAfter(settings: SipSettings): Record<string, string> {
  return settings.retryAfterSeconds > 0 ? { 'Retry-After': String(settings.retryAfterSeconds) } : {}
}
