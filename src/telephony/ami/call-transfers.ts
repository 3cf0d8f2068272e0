import type { Logger } from 'pino'
import type { TransferEvents, TransferRequest } from '../../interactions/call-control.js'
import type { OfferFailure } from '../../routing/call-router.js'
import type { AgentDirectory } from './agent-directory.js'
import { AmiErrors } from './ami-errors.js'
import { field, type AmiMessage } from './ami-message.js'
import { deviceOf } from './channel-name.js'
import type { InboundCall } from './inbound-call-table.js'
import type { CallLifecycle, ChannelSnapshot, SendAction } from './inbound-calls.js'
import { DIAL_FAILURES } from './dial-failures.js'

/** The UserEvent the transfer context sends when the target did not take the call. */
export const TRANSFER_RESULT_EVENT = 'CtiTransferResult'
/** The transfer context's extension that holds a caller whose transfer was not taken. */
export const TRANSFER_HOLD_EXTEN = 'hold'
/** The shipped dialplan's transfer context (sip-config/asterisk/extensions.conf). */
export const DEFAULT_TRANSFER_CONTEXT = 'cti-transfer'

/** Seconds past the ring time after which a transfer with no word from Asterisk is checked. */
const GRACE_SECONDS = 5

/** A blind transfer of one call: ringing the target, or the caller held after the target did not take it. */
export interface TransferLeg {
  id: string
  fromAgentId: string
  toAgentId: string
  extension: string
  phase: 'ringing' | 'held'
  events: TransferEvents
  timer: NodeJS.Timeout | null
}

export interface CallTransfersOptions {
  lifecycle: CallLifecycle
  directory: AgentDirectory
  send: SendAction
  /** The dialplan context that dials the target (AMI_TRANSFER_CONTEXT). */
  context: string
  logger: Logger
  now: () => number
  /** The channels Asterisk has now, to tell where a transfer stands when its events did not come. */
  channels: () => Promise<ChannelSnapshot[]>
}

/**
 * Blind transfers of answered inbound calls: Setvar then Redirect of the caller's channel to the
 * transfer context, which dials the target (the agent the caller talked to leaves the bridge and is
 * hung up). DialBegin, DialEnd and BridgeEnter of the target's leg say ringing and answered; a
 * DialEnd that is not an answer, or the context's CtiTransferResult, says the target did not take
 * it, and the context then holds the caller (music on hold) for the server's next move. The call
 * stays one call, on the caller's channel: its Hangup still ends it once.
 */
export class CallTransfers {
  private count = 0

  constructor(private readonly options: CallTransfersOptions) {}

  async start(call: InboundCall, request: TransferRequest, events: TransferEvents): Promise<void> {
    const { callId, fromAgentId, toAgentId } = request
    if (call.transfer?.phase === 'ringing') throw AmiErrors.transferUnderWay(callId, call.transfer.toAgentId)
    const held = call.transfer?.phase === 'held'
    if (!held) {
      if (!call.answered || call.offered === null) throw AmiErrors.notAnswered(callId)
      if (call.offered !== fromAgentId) throw AmiErrors.notTheirs(callId, fromAgentId, call.offered)
      if (toAgentId === fromAgentId) throw AmiErrors.sameAgent(callId, toAgentId)
    }
    const line = this.options.directory.line(toAgentId)
    if (!line) throw AmiErrors.noExtension(toAgentId)
    const ringSeconds = Math.max(1, Math.round(request.ringSeconds))
    const id = `${callId}-t${++this.count}`
    const variables = { CTI_RING: String(ringSeconds), CTI_AGENT: toAgentId, CTI_TRANSFER: id, CTI_TRANSFER_FROM: fromAgentId }
    // Set before the Redirect: events of the target's leg may come before its response.
    const previous = call.transfer
    const leg: TransferLeg = { id, fromAgentId, toAgentId, extension: line.extension, phase: 'ringing', events, timer: null }
    call.transfer = leg
    try {
      // One session's actions run in order: the variables are set before the Redirect moves the channel.
      const sets = Object.entries(variables).map(([name, value]) => this.options.send({ Action: 'Setvar', Channel: call.channel, Variable: name, Value: value }))
      await Promise.all([...sets, this.options.send({ Action: 'Redirect', Channel: call.channel, Context: this.options.context, Exten: line.extension, Priority: '1' })])
    } catch (err) {
      if (call.transfer === leg) call.transfer = previous
      const message = err instanceof Error ? err.message : String(err)
      call.log.warn({ fromAgentId, toAgentId, err }, 'transfer Redirect not made; the call stays where it was')
      this.options.lifecycle.note(callId, 'transfer-redirect-failed', { to: toAgentId, extension: line.extension, message }, fromAgentId)
      throw err
    }
    if (call.transfer !== leg) return
    call.offered = toAgentId
    leg.timer = setTimeout(() => void this.check(call, leg), (ringSeconds + GRACE_SECONDS) * 1000)
    leg.timer.unref()
    this.options.lifecycle.note(callId, 'transfer-redirect', { from: fromAgentId, to: toAgentId, extension: line.extension, ringSeconds }, toAgentId)
    call.log.info({ fromAgentId, toAgentId, extension: line.extension, ringSeconds }, 'call redirected to the transfer target')
  }

  /** Feeds an event of a call whose transfer is ringing; true when it was the transfer's. */
  handle(call: InboundCall, event: AmiMessage): boolean {
    const leg = call.transfer
    if (leg?.phase !== 'ringing') return false
    switch (field(event, 'event')) {
      case 'DialBegin':
        if (this.targetOf(event) !== leg.toAgentId) return false
        this.options.lifecycle.note(call.callId, 'transfer-ringing', { extension: leg.extension }, leg.toAgentId)
        return true
      case 'DialEnd': {
        if (this.targetOf(event) !== leg.toAgentId) return false
        const status = field(event, 'dialstatus') ?? ''
        if (status === 'ANSWER') this.answered(call, leg)
        else if (DIAL_FAILURES[status]) this.failed(call, leg, DIAL_FAILURES[status]!, status)
        return true
      }
      case 'BridgeEnter':
        // The target's leg joined the caller's bridge: answered, even if DialEnd was missed.
        if (this.options.directory.byDeviceName(deviceOf(field(event, 'channel') ?? '')) !== leg.toAgentId) return false
        this.answered(call, leg)
        return true
      case 'UserEvent': {
        if (field(event, 'userevent') !== TRANSFER_RESULT_EVENT) return false
        if (field(event, 'transfer') !== leg.id) return true
        const status = field(event, 'status') ?? ''
        this.failed(call, leg, DIAL_FAILURES[status] ?? 'unreachable', status)
        return true
      }
      default:
        return false
    }
  }

  /** The call ended: a transfer still ringing is over with it (the caller is gone; nothing is failed). */
  forget(call: InboundCall): void {
    if (call.transfer?.timer) clearTimeout(call.transfer.timer)
    call.transfer = null
  }

  private answered(call: InboundCall, leg: TransferLeg): void {
    this.forget(call)
    call.offered = leg.toAgentId
    const at = this.options.now()
    call.log.info({ fromAgentId: leg.fromAgentId, toAgentId: leg.toAgentId }, 'transfer answered')
    leg.events.answered(at)
  }

  private failed(call: InboundCall, leg: TransferLeg, why: OfferFailure, status: string): void {
    if (leg.timer) clearTimeout(leg.timer)
    // The caller waits in the transfer context's hold for the next move: nobody talks with them now.
    call.transfer = { ...leg, phase: 'held', timer: null }
    call.offered = null
    const at = this.options.now()
    call.log.info({ toAgentId: leg.toAgentId, why, status }, 'transfer not taken; the caller is held')
    this.options.lifecycle.note(call.callId, 'transfer-not-taken', { extension: leg.extension, status, why }, leg.toAgentId)
    leg.events.failed(why, at)
  }

  /** Nothing came within the ring time: a caller bridged meanwhile was answered, else the dial is stopped and the caller held. */
  private async check(call: InboundCall, leg: TransferLeg): Promise<void> {
    if (call.transfer !== leg) return
    let bridged = false
    try {
      bridged = (await this.options.channels()).some((c) => c.uniqueid === call.uniqueid && c.bridged)
    } catch (err) {
      call.log.warn({ err }, 'channels not readable while checking a silent transfer; taken as not answered')
    }
    if (call.transfer !== leg) return
    if (bridged) return this.answered(call, leg)
    try {
      await this.options.send({ Action: 'Redirect', Channel: call.channel, Context: this.options.context, Exten: TRANSFER_HOLD_EXTEN, Priority: '1' })
    } catch (err) {
      // A channel gone is ended by its Hangup (or the channel check); the failure is still told.
      call.log.warn({ err }, 'caller not moved to the transfer hold')
    }
    if (call.transfer === leg) this.failed(call, leg, 'ring-timeout', 'no dial result within the ring time')
  }

  private targetOf(event: AmiMessage): string | undefined {
    const dest = field(event, 'destchannel')
    return dest === undefined ? undefined : this.options.directory.byDeviceName(deviceOf(dest))
  }
}
