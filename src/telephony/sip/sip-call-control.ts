import type { Logger } from 'pino'
import type { AgentCallBack, CallControl, TransferEvents, TransferRequest } from '../../interactions/call-control.js'
import { takeRefer, type ReferredTransfer } from './agent-refer.js'
import type { Srf } from './drachtio.js'
import type { InviteDeps } from './invite-chain.js'
import type { RingingLeg } from './ring-leg.js'
import type { SipAgentDirectory } from './sip-agents.js'
import type { SipBridge } from './sip-bridge.js'
import { placeCallBack } from './sip-call-back.js'
import { SipErrors } from './sip-errors.js'
import { transferBridge } from './sip-transfer.js'

export interface SipCallControlOptions {
  srf: Srf
  deps: InviteDeps
  agents: SipAgentDirectory
  /** host[:port] of the outbound trunk call-backs dial customers through; null: no call-backs. */
  outboundTrunk: string | null
  logger: Logger
  now: () => number
  /** Whether drachtio-server is connected now (nothing can be placed otherwise). */
  connected: () => boolean
  /**
   * Told when an agent's phone asks for a transfer itself (a REFER on their leg, Refer-To naming
   * a colleague). The workplace treats it as a transfer from the page: it checks and reserves the
   * target and calls `transfer`; a rejection leaves the call with the agent. Unset: the transfer
   * is made at once with `referRingSeconds`, noted in the call's events.
   */
  onAgentTransfer?: ReferredTransfer
  /** Ring time of a REFER's target when no hook is wired. */
  referRingSeconds?: number
}

/**
 * The workplace's hold on calls through drachtio in path: blind transfers of the talking calls
 * this server is in the path of (from the page, or the agent phone's REFER) and call-backs that
 * ring the agent first and then the customer through the outbound trunk.
 */
export class SipCallControl implements CallControl {
  readonly kind = 'sip' as const
  private readonly placing = new Map<string, RingingLeg>()

  constructor(private readonly options: SipCallControlOptions) {
    const start: ReferredTransfer = options.onAgentTransfer ?? ((callId, fromAgentId, toAgentId) => this.referredWithoutWorkplace(callId, fromAgentId, toAgentId))
    const onRefer = takeRefer(options.agents, start, options.logger)
    options.deps.onBridged = (bridge: SipBridge) => {
      bridge.onRefer = onRefer
    }
  }

  holds(callId: string): boolean {
    return this.options.deps.bridges.has(callId)
  }

  async transfer(request: TransferRequest, events: TransferEvents): Promise<void> {
    const bridge = this.options.deps.bridges.get(request.callId)
    if (!bridge) throw SipErrors.notHeld(request.callId)
    if (!this.options.connected()) throw SipErrors.notConnected()
    await transferBridge(bridge, { srf: this.options.srf, agents: this.options.agents, now: this.options.now }, request, events)
  }

  callBack(request: AgentCallBack): Promise<{ callId: string }> {
    if (!this.options.connected()) return Promise.reject(SipErrors.notConnected())
    const { srf, agents, deps, outboundTrunk, logger } = this.options
    return placeCallBack(
      { srf, agents, lifecycle: deps.lifecycle, trunk: outboundTrunk, extensionHost: deps.settings.extensionHost, bridges: deps.bridges, onBridged: (b) => deps.onBridged?.(b), placing: this.placing, log: logger },
      request
    )
  }

  /** The connection to drachtio-server went: call-backs still ringing are given up (talking ones end with the bridges). */
  connectionLost(): void {
    for (const leg of this.placing.values()) leg.lost()
    this.placing.clear()
  }

  private referredWithoutWorkplace(callId: string, fromAgentId: string, toAgentId: string): Promise<void> {
    const { lifecycle } = this.options.deps
    lifecycle.note(callId, 'transfer', { fromAgentId, toAgentId, by: 'phone' }, fromAgentId)
    const events: TransferEvents = {
      answered: () => lifecycle.note(callId, 'transfer-answered', { fromAgentId, toAgentId }, toAgentId),
      failed: (why) => lifecycle.note(callId, 'transfer-failed', { fromAgentId, toAgentId, why }, toAgentId)
    }
    return this.transfer({ callId, fromAgentId, toAgentId, ringSeconds: this.options.referRingSeconds ?? 20 }, events)
  }
}
