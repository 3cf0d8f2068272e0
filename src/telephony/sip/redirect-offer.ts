import { agentUri, contactList } from './agent-uri.js'
import { finalAnswer } from './final-answer.js'
import { endCall, type InviteStep } from './invite-chain.js'

/**
 * Redirect mode: answers 302 with the decision's targets as Contacts in order
 * (q falling from 1.0), naming the rule and the customer, so the upstream PBX
 * or SBC rings them. What follows is the PBX's: the reservation is given back
 * at once and the call recorded as redirected.
 */
export const redirectToAgents: InviteStep = {
  name: 'redirect',
  run(call, deps) {
    const routed = call.routed
    if (!routed) return { status: 500, outcome: 'failed', why: 'redirect without a decision' }
    const pbxHost = deps.settings.extensionHost ?? `${call.req.source_address}:${call.req.source_port}`
    const targets = routed.decision.targets.flatMap((t) => {
      const uri = agentUri(t.address, pbxHost)
      return uri ? [{ agentId: t.agentId, uri }] : []
    })
    if (targets.length === 0) {
      call.log.warn({ agents: routed.decision.targets.map((t) => t.agentId) }, 'no target has a usable SIP address')
      return finalAnswer(routed.decision, deps.settings)
    }
    const headers: Record<string, string> = { Contact: contactList(targets.map((t) => t.uri)), 'X-Route-Rule': routed.decision.rule ?? 'fallback' }
    const customerId = routed.caller.customer?.id
    if (customerId !== undefined) headers['X-Customer-Id'] = String(customerId)
    if (routed.degradedReasons?.some((r) => r.startsWith('redis'))) headers['X-Route-Degraded'] = 'redis'
    call.respond(302, headers)
    deps.lifecycle.note(call.callId, 'sip-302', { contacts: targets.map((t) => t.uri) }, targets[0]!.agentId)
    call.log.debug({ agents: targets.map((t) => t.agentId), rule: routed.decision.rule }, 'call redirected')
    endCall(call, deps, 'redirected', '302 sent')
  }
}
