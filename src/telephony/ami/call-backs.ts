import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { OfferFailure } from '../../routing/call-router.js'
import type { RouteTarget } from '../../routing/types.js'
import type { AgentDirectory } from './agent-directory.js'
import { AmiErrors } from './ami-errors.js'
import { describe, field, type AmiMessage } from './ami-message.js'
import type { StreamMark } from './inbound-call-table.js'
import type { CallLifecycle, ChannelSnapshot, SendAction } from './inbound-calls.js'

export interface CallBackRequest {
  /** The customer's number in any format. */
  phone: string
  /** The agent asking to call (click-to-call); the core must pick them, else the request is refused. */
  agentId?: string | null
  product?: string | null
  /**
   * What the call is for, when an agent asks from their page: the customer or lead whose card the
   * call shows and the task it comes from. Recorded with the call (a 'callback-for' step) and set on
   * the agent's leg (CTI_CUSTOMER_ID, CTI_LEAD_ID, CTI_TASK_ID) for the dialplan and the CDR.
   */
  customerId?: string | null
  leadId?: string | null
  taskId?: string | null
}

/** What a placed call-back is, as the HTTP answer shows it. */
export interface PlacedCallBack {
  callId: string
  agentId: string
  customerId: string | null
  phone: string
  ringSeconds: number
}

export interface CallBacksOptions {
  lifecycle: CallLifecycle
  directory: AgentDirectory
  send: SendAction
  /** Context the agent's leg is dialed through (Local/<extension>@<agents>). */
  agentsContext: string
  /** Context that dials the customer once the agent answered; the number is the extension. */
  outboundContext: string
  logger: Logger
  /** Where the event stream stands now (InboundCalls.mark), to tell a channel list older than a call-back. */
  mark: () => StreamMark
}

/** OriginateResponse Reason values (AST_CONTROL_*) that mean the agent's leg failed, and how. */
const ORIGINATE_FAILURES: Record<string, OfferFailure> = { '0': 'unreachable', '1': 'ring-timeout', '3': 'ring-timeout', '5': 'busy', '8': 'unreachable' }

/**
 * Why an Originate failed. Reason 0 means "no answer came back": for a Local channel it is
 * what Asterisk 22 sends when the Dial inside it gave up after the ring time.
 */
export function originateFailure(reason: string, channel: string | undefined): OfferFailure {
  if (reason === '0' && channel?.startsWith('Local/')) return 'ring-timeout'
  return ORIGINATE_FAILURES[reason] ?? 'unreachable'
}

interface CallBack {
  callId: string
  phone: string
  agentId: string
  log: Logger
  uniqueid: string | null
  answered: boolean
  /** When the call-back was last known alive, and the place of that in the event stream. */
  seen: StreamMark
  /** The customer, lead and task the call is for, as channel variables. */
  about: Record<string, string>
}

/** The channel variables naming what a call-back is for (only those given). */
function aboutOf(request: CallBackRequest): Record<string, string> {
  const about: Record<string, string> = {}
  // Ids only: a comma or a quote would split Originate's Variable list.
  const id = (value: string) => value.replace(/[^A-Za-z0-9_.:-]/g, '')
  if (request.customerId) about.CTI_CUSTOMER_ID = id(request.customerId)
  if (request.leadId) about.CTI_LEAD_ID = id(request.leadId)
  if (request.taskId) about.CTI_TASK_ID = id(request.taskId)
  return about
}

/**
 * Call-backs and click-to-call: the core picks the agent (the customer's owner
 * first), AMI Originate rings the agent through the agents context and, once
 * they answer, dials the customer through the outbound context. The
 * OriginateResponse says whether the agent answered (else the next agent is
 * tried); the Hangup of the originated channel ends the call.
 */
export class CallBacks {
  private readonly pending = new Map<string, CallBack>()
  private readonly byUniqueid = new Map<string, CallBack>()

  constructor(private readonly options: CallBacksOptions) {}

  /** Routes the call-back and originates it; throws a coded error when it cannot be placed. */
  async place(request: CallBackRequest): Promise<PlacedCallBack> {
    const callId = `cb-${randomUUID()}`
    const { lifecycle } = this.options
    const routed = await lifecycle.route({ callId, caller: request.phone, dialed: null, kind: 'callback', channel: 'ami', direction: 'outbound', ringTimer: false, product: request.product ?? null, agentId: request.agentId ?? null })
    if (!routed.caller.phone.ok) {
      lifecycle.ended(callId, { outcome: 'failed', cause: 'not a usable phone number' })
      throw AmiErrors.noPhone(`"${request.phone}" is not a usable phone number`)
    }
    const target = routed.decision.targets[0]
    if (!target) {
      lifecycle.ended(callId, { outcome: 'missed', cause: 'nobody available' })
      throw AmiErrors.noAgent(routed.decision.reason)
    }
    const phone = routed.caller.phone.e164
    const call: CallBack = { callId, phone, agentId: target.agentId, log: this.options.logger.child({ callId }), uniqueid: null, answered: false, seen: this.options.mark(), about: aboutOf(request) }
    if (Object.keys(call.about).length > 0) {
      const identified = routed.caller.customer?.id ?? null
      lifecycle.note(callId, 'callback-for', { ...call.about, identifiedCustomerId: identified === null ? null : String(identified) }, target.agentId)
    }
    try {
      await this.originate(call, target)
    } catch (err) {
      lifecycle.note(callId, 'originate-failed', { message: err instanceof Error ? err.message : String(err) }, target.agentId)
      lifecycle.ended(callId, { outcome: 'failed', cause: err instanceof Error ? err.message : String(err) })
      throw err
    }
    return { callId, agentId: target.agentId, customerId: routed.caller.customer?.id ?? null, phone, ringSeconds: target.ringSeconds }
  }

  /** Whether this call-back is being placed or talked on now. */
  holds(callId: string): boolean {
    for (const call of this.pending.values()) if (call.callId === callId) return true
    for (const call of this.byUniqueid.values()) if (call.callId === callId) return true
    return false
  }

  /** Feeds one event: OriginateResponse of a pending call-back, Hangup of a placed one. */
  handle(event: AmiMessage): void {
    const name = field(event, 'event')
    if (name === 'OriginateResponse') {
      const actionId = field(event, 'actionid')
      const call = actionId === undefined ? undefined : this.pending.get(actionId)
      if (!call) {
        if (actionId?.startsWith('cb-')) this.options.logger.info(describe(event), 'OriginateResponse of no pending call-back; ignored')
        return
      }
      this.pending.delete(actionId!)
      void this.originated(call, event).catch((err: unknown) => call.log.error({ err }, 'following a call-back failed'))
    } else if (name === 'Hangup') {
      const uniqueid = field(event, 'uniqueid')
      const call = uniqueid === undefined ? undefined : this.byUniqueid.get(uniqueid)
      if (!call) return
      this.byUniqueid.delete(uniqueid!)
      const cause = [field(event, 'cause'), field(event, 'cause-txt')].filter(Boolean).join(' ') || undefined
      this.options.lifecycle.ended(call.callId, { cause })
    }
  }

  /** The periodic check: a placed call-back whose channel Asterisk no longer lists lost its Hangup. */
  reconcile(channels: readonly ChannelSnapshot[], asked: StreamMark): number {
    const present = new Set(channels.map((c) => c.uniqueid))
    let ended = 0
    for (const [uniqueid, call] of this.byUniqueid) {
      if (call.seen.seq > asked.seq) continue
      if (present.has(uniqueid)) {
        call.seen = { seq: call.seen.seq, at: Math.max(call.seen.at, asked.at) }
        continue
      }
      this.byUniqueid.delete(uniqueid)
      call.log.warn({ uniqueid, lastSeenAt: new Date(call.seen.at).toISOString() }, 'call-back channel gone with no Hangup event; it ends when it was last seen')
      this.options.lifecycle.note(call.callId, 'ami-channel-check', { found: 'channel gone' }, call.agentId)
      this.options.lifecycle.ended(call.callId, { cause: 'channel gone with no Hangup event', at: call.seen.at })
      ended++
    }
    return ended
  }

  private async originate(call: CallBack, target: RouteTarget): Promise<void> {
    const line = this.options.directory.line(target.agentId)
    if (!line) throw AmiErrors.noExtension(target.agentId)
    const actionId = `${call.callId}-${target.agentId}`
    call.agentId = target.agentId
    this.pending.set(actionId, call)
    try {
      await this.options.send({
        Action: 'Originate',
        ActionID: actionId,
        Channel: `Local/${line.extension}@${this.options.agentsContext}`,
        Context: this.options.outboundContext,
        Exten: call.phone.replace(/^\+/, ''),
        Priority: '1',
        CallerID: `"Call-back" <${call.phone}>`,
        Timeout: String((target.ringSeconds + 5) * 1000),
        Variable: [`CTI_RING=${target.ringSeconds}`, 'CTI_CALLBACK=1', `CTI_CALLID=${call.callId}`, `CTI_PHONE=${call.phone}`, ...Object.entries(call.about).map(([k, v]) => `${k}=${v}`)].join(','),
        Async: 'true'
      })
    } catch (err) {
      this.pending.delete(actionId)
      throw err
    }
    this.options.lifecycle.note(call.callId, 'originate', { extension: line.extension }, target.agentId)
    call.log.info({ agentId: target.agentId, extension: line.extension }, 'call-back originated')
  }

  private async originated(call: CallBack, event: AmiMessage): Promise<void> {
    const { lifecycle } = this.options
    const response = field(event, 'response')
    const reason = field(event, 'reason') ?? ''
    lifecycle.note(call.callId, 'originate-response', { response, reason }, call.agentId)
    if (response === 'Success') {
      call.seen = this.options.mark()
      call.uniqueid = field(event, 'uniqueid') ?? null
      if (call.uniqueid) this.byUniqueid.set(call.uniqueid, call)
      lifecycle.ringing(call.callId, call.agentId)
      call.answered = lifecycle.answered(call.callId, call.agentId)
      if (!call.uniqueid) lifecycle.ended(call.callId, { cause: 'OriginateResponse without Uniqueid' })
      return
    }
    const why = originateFailure(reason, field(event, 'channel'))
    call.log.info({ agentId: call.agentId, reason, why }, 'agent did not take the call-back')
    const next = await lifecycle.failed(call.callId, call.agentId, why)
    const target = next?.targets[0]
    if (!target) {
      lifecycle.ended(call.callId, { outcome: 'missed', cause: `originate ${reason}` })
      return
    }
    try {
      await this.originate(call, target)
    } catch (err) {
      lifecycle.ended(call.callId, { outcome: 'failed', cause: err instanceof Error ? err.message : String(err) })
    }
  }
}
