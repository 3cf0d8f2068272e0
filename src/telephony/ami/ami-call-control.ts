import type { AgentCallBack, CallControl, TransferEvents, TransferRequest } from '../../interactions/call-control.js'
import type { AmiAdapter } from './ami-adapter.js'

/**
 * The workplace's call control through Asterisk: a transfer is a Redirect of the caller's channel to
 * the transfer context (CallTransfers), a call-back an Originate that rings the agent, then the
 * customer (CallBacks), placed for the agent who asks and nobody else.
 */
export class AmiCallControl implements CallControl {
  readonly kind = 'ami' as const

  constructor(private readonly adapter: Pick<AmiAdapter, 'transfer' | 'holds' | 'placeCallBack'>) {}

  holds(callId: string): boolean {
    return this.adapter.holds(callId)
  }

  transfer(request: TransferRequest, events: TransferEvents): Promise<void> {
    return this.adapter.transfer(request, events)
  }

  async callBack(request: AgentCallBack): Promise<{ callId: string }> {
    const { agentId, phone, customerId, leadId, taskId } = request
    const placed = await this.adapter.placeCallBack({ phone, agentId, customerId, leadId, taskId })
    return { callId: placed.callId }
  }
}
