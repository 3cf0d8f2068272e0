import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { AgentCallBack } from '../../interactions/call-control.js'
import type { Srf } from './drachtio.js'
import { CONNECTION_LOST } from './invite-chain.js'
import { ringLeg, type AnsweredLeg, type RingingLeg } from './ring-leg.js'
import { addressOf, type SipAgentDirectory } from './sip-agents.js'
import { SipBridge } from './sip-bridge.js'
import type { CallLifecycle } from './sip-call.js'
import { SipErrors } from './sip-errors.js'

/**
 * How long the customer may ring. The agent's 200 waits for its ACK until the customer answers
 * (the ACK carries the customer's answer), and a phone gives up on a 200 left without ACK after
 * 64×T1 = 32 s (RFC 3261 §13.3.1.4): the customer's ringing must end well before that.
 */
export const CUSTOMER_RING_SECONDS = 25

export interface CallBackDeps {
  srf: Srf
  agents: SipAgentDirectory
  lifecycle: CallLifecycle
  /** host[:port] of the outbound trunk customers are called through; null: no call-backs. */
  trunk: string | null
  /** Where agents known by extension only are rung; null: at the trunk. */
  extensionHost: string | null
  bridges: Map<string, SipBridge>
  onBridged: (bridge: SipBridge) => void
  /** Call-backs not talking yet, by call id: what to give up when the connection to drachtio-server goes. */
  placing: Map<string, RingingLeg>
  log: Logger
}

/**
 * A call-back placed from here (3PCC, RFC 3725 flow I): the agent's phone is rung first with an
 * INVITE without SDP, showing the customer's number; when the agent answers, their 200 carries
 * the offer, which goes to the customer in the INVITE through the trunk; the customer's answer
 * goes back to the agent in the ACK. The two legs are then bridged like an in-path call. The
 * call is routed (kind callback, outbound, the agent pinned) so that it is recorded and carded
 * like any other; answered when the agent answers, as call-backs through Asterisk are.
 */
export async function placeCallBack(deps: CallBackDeps, request: AgentCallBack): Promise<{ callId: string }> {
  const { lifecycle } = deps
  if (!deps.trunk) throw SipErrors.noTrunk()
  const callId = `cb-${randomUUID()}`
  const routed = await lifecycle.route({ callId, caller: request.phone, dialed: null, kind: 'callback', channel: 'sip', direction: 'outbound', ringTimer: false, agentId: request.agentId })
  if (!routed.caller.phone.ok) {
    lifecycle.ended(callId, { outcome: 'failed', cause: 'not a usable phone number' })
    throw SipErrors.noPhone(request.phone)
  }
  const target = routed.decision.targets[0]
  if (!target || target.agentId !== request.agentId) {
    lifecycle.ended(callId, { outcome: 'missed', cause: 'the agent cannot take it now' })
    throw SipErrors.agentNotFree(request.agentId, routed.decision.reason)
  }
  const pbxHost = deps.extensionHost ?? deps.trunk
  const uri = addressOf(deps.agents, target.agentId, pbxHost)
  if (!uri) {
    lifecycle.ended(callId, { outcome: 'failed', cause: 'the agent has no address to ring' })
    throw SipErrors.noAddress(target.agentId)
  }
  const phone = routed.caller.phone.e164
  const name = routed.caller.customer?.name
  const log = deps.log.child({ callId, agentId: target.agentId })
  lifecycle.note(callId, 'call-back', { phone, customerId: request.customerId, leadId: request.leadId, taskId: request.taskId }, target.agentId)
  await lifecycle.beforeRing(callId, target.agentId)
  const headers: Record<string, string> = { 'X-Original-Call-ID': callId, 'X-Call-Back': phone }
  if (request.customerId) headers['X-Customer-Id'] = request.customerId
  log.info({ uri, ringSeconds: target.ringSeconds }, 'call-back: ringing the agent')
  const agentLeg = ringLeg(deps.srf, { uri, headers, callingNumber: phone, callingName: name, ringSeconds: target.ringSeconds, log, onRinging: () => lifecycle.ringing(callId, target.agentId) })
  deps.placing.set(callId, agentLeg)
  void follow(deps, { callId, agentId: target.agentId, phone, name: name ?? null, pbxHost, log }, agentLeg).catch((err: unknown) => {
    log.error({ err }, 'following a call-back failed')
    lifecycle.ended(callId, { outcome: 'failed', cause: 'call-back failed' })
  })
  if (!(await agentLeg.sent)) throw SipErrors.inviteNotSent(target.agentId)
  return { callId }
}

interface Placed {
  callId: string
  agentId: string
  phone: string
  name: string | null
  pbxHost: string
  log: Logger
}

async function follow(deps: CallBackDeps, placed: Placed, agentLeg: RingingLeg): Promise<void> {
  const { lifecycle, trunk } = deps
  const { callId, agentId, log } = placed
  const agent = await agentLeg.result
  if (agent.kind !== 'answered') {
    deps.placing.delete(callId)
    if (agent.kind === 'stopped') return void lifecycle.ended(callId, { outcome: 'failed', cause: CONNECTION_LOST })
    log.info({ why: agent.why, status: agent.status }, 'call-back: the agent did not answer')
    await lifecycle.failed(callId, agentId, agent.why)
    return void lifecycle.ended(callId, { outcome: 'missed', cause: `agent's phone: ${agent.why}` })
  }
  if (!agent.sdp) return giveUp(deps, placed, agent, 'failed', "the agent's 200 carried no SDP offer")
  lifecycle.answered(callId, agentId)
  log.info('call-back: the agent answered, calling the customer')
  const customerLeg = ringLeg(deps.srf, {
    uri: `sip:${placed.phone}@${trunk}`,
    headers: { 'X-Original-Call-ID': callId },
    localSdp: agent.sdp,
    ringSeconds: CUSTOMER_RING_SECONDS,
    log,
    onRinging: () => lifecycle.note(callId, 'customer-ringing', {}, agentId)
  })
  deps.placing.set(callId, customerLeg)
  const customer = await customerLeg.result
  deps.placing.delete(callId)
  if (customer.kind === 'stopped') return void lifecycle.ended(callId, { outcome: 'failed', cause: CONNECTION_LOST })
  if (customer.kind === 'failed') {
    lifecycle.note(callId, 'customer-failed', { why: customer.why, status: customer.status }, agentId)
    return giveUp(deps, placed, agent, 'missed', `customer: ${customer.why}${customer.status ? ` (${customer.status})` : ''}`)
  }
  const agentDialog = await agent.complete(customer.sdp)
  const customerDialog = await customer.complete()
  lifecycle.note(callId, 'customer-answered', {}, agentId)
  log.info('call-back: the customer answered; talking')
  const bridge: SipBridge = new SipBridge(callId, customerDialog, agentId, agentDialog, log, placed.pbxHost, (cause) => {
    if (deps.bridges.get(callId) === bridge) deps.bridges.delete(callId)
    lifecycle.ended(callId, { outcome: 'answered', cause: cause.replace(/^caller/, 'customer') })
  })
  bridge.partyShown = { number: placed.phone, name: placed.name }
  deps.bridges.set(callId, bridge)
  deps.onBridged(bridge)
  bridge.start()
}

/** The agent answered but the call cannot go on: their leg is released (ACK, then BYE) and the call ends. */
function giveUp(deps: CallBackDeps, placed: Placed, agent: AnsweredLeg, outcome: 'missed' | 'failed', cause: string): void {
  placed.log.info({ cause }, 'call-back ended before the customer answered')
  agent.abandon()
  deps.lifecycle.ended(placed.callId, { outcome, cause })
}
