import type { Logger } from 'pino'
import type { InteractionRouter } from '../../interactions/interaction-router.js'
import type { OfferFailure } from '../../routing/call-router.js'
import type { FinalAction, RouteDecision } from '../../routing/types.js'
import type { AgentDirectory } from './agent-directory.js'
import { callerIdValue, describe, field, type AmiMessage } from './ami-message.js'
import { deviceOf } from './channel-name.js'
import { RecentIds } from './recent-ids.js'

/** The lifecycle calls the adapter drives; InteractionRouter provides them. */
export type CallLifecycle = Pick<InteractionRouter, 'route' | 'failed' | 'answered' | 'ended' | 'ringing' | 'note'>

/** Sends one AMI action and resolves with its response (AmiClient.action). */
export type SendAction = (fields: Record<string, string>) => Promise<AmiMessage>

/** Where the shipped dialplan expects the server to send calls. */
export interface DialplanContexts {
  /** Dials the agent's extension (Redirect target), then reports with a CtiDialResult UserEvent. */
  agents: string
  /** Where a call waits (music on hold) for the server's next move. */
  wait: string
  /** Final actions by extension: voicemail, reject, queue; the argument is in CTI_FINAL. */
  final: string
}

/** UserEvent names the shipped dialplan sends. */
export const ROUTE_EVENT = 'CtiRoute'
export const DIAL_RESULT_EVENT = 'CtiDialResult'

/** One inbound call from its route request until its channel hangs up. */
interface InboundCall {
  callId: string
  /** The channel that asked to be routed: the one to Redirect (the ";2" half of a Local channel). */
  channel: string
  uniqueid: string
  log: Logger
  offered: string | null
  answered: boolean
  final: FinalAction | null
  /** A move sent while the connection dropped: Asterisk may or may not have made it. */
  unconfirmed: PendingMove | null
}

interface PendingMove {
  context: string
  exten: string
  variables: Record<string, string>
  agentId: string | null
}

/** Where a call found by a re-sync stands in Asterisk. */
export interface ChannelSnapshot {
  channel: string
  uniqueid: string
  linkedid: string
  context: string | undefined
  callerNum: string | null
  callerName: string | null
  bridged: boolean
}

export interface InboundCallsOptions {
  lifecycle: CallLifecycle
  directory: AgentDirectory
  send: SendAction
  contexts: DialplanContexts
  logger: Logger
}

const DIAL_FAILURES: Record<string, OfferFailure> = {
  NOANSWER: 'ring-timeout',
  BUSY: 'busy',
  CONGESTION: 'unreachable',
  CHANUNAVAIL: 'unreachable',
  INVALIDARGS: 'unreachable',
  DONTCALL: 'declined',
  TORTURE: 'declined'
}

/**
 * Inbound calls as the shipped dialplan hands them over: a CtiRoute UserEvent
 * asks for a decision, the server Redirects the waiting channel to the chosen
 * agent's extension, a CtiDialResult UserEvent says the agent did not answer
 * (next agent, or the final action), DialBegin/DialEnd/BridgeEnter say ringing
 * and answered, the Hangup of the waiting channel ends the call. One call per
 * Linkedid: duplicates and events of calls already ended are logged and dropped.
 */
export class InboundCalls {
  private readonly calls = new Map<string, InboundCall>()
  private readonly byUniqueid = new Map<string, InboundCall>()
  /** Calls (Linkedid) and their routed channels (Uniqueid) that ended lately, to tell a duplicate from an unknown. */
  private readonly endedCalls = new RecentIds()
  private readonly endedChannels = new RecentIds()

  constructor(private readonly options: InboundCallsOptions) {}

  get inProgress(): number {
    return this.calls.size
  }

  /** Feeds one event; events that are not about inbound calls are ignored. */
  handle(event: AmiMessage): void {
    switch (field(event, 'event')) {
      case 'UserEvent':
        return this.userEvent(event)
      case 'DialBegin':
        return this.dialBegin(event)
      case 'DialEnd':
        return this.dialEnd(event)
      case 'BridgeEnter':
        return this.bridgeEnter(event)
      case 'Hangup':
        return this.hangup(event)
    }
  }

  /** Asks the core for a decision about a waiting channel and carries it out. */
  async routeChannel(request: { channel: string; uniqueid: string; linkedid: string; caller: string | null; callerName: string | null; dialed: string | null }): Promise<void> {
    const { channel, uniqueid, linkedid: callId } = request
    if (this.calls.has(callId) || this.endedCalls.has(callId)) {
      this.options.logger.info({ callId, channel }, 'route request for a call already routed; duplicate ignored')
      return
    }
    const call: InboundCall = { callId, channel, uniqueid, log: this.options.logger.child({ callId }), offered: null, answered: false, final: null, unconfirmed: null }
    this.calls.set(callId, call)
    this.byUniqueid.set(uniqueid, call)
    let routed: Awaited<ReturnType<CallLifecycle['route']>>
    try {
      routed = await this.options.lifecycle.route({
      callId,
      caller: request.caller,
      callerName: request.callerName,
      dialed: request.dialed,
      channel: 'ami',
      kind: 'call',
      ringTimer: false
    })
    } catch (err) {
      this.calls.delete(callId)
      this.byUniqueid.delete(uniqueid)
      throw err
    }
    if (this.calls.get(callId) !== call) {
      // The caller hung up while the decision was being made.
      this.options.lifecycle.ended(callId, { outcome: 'abandoned', cause: 'hung up before the decision' })
      return
    }
    await this.carryOut(call, routed.decision)
  }

  /** What a re-sync found: calls gone while disconnected end, calls that moved on are followed, lost route requests are routed. */
  async resync(channels: readonly ChannelSnapshot[], dialedOf: (channel: string) => Promise<string | null>): Promise<void> {
    const present = new Map(channels.map((c) => [c.uniqueid, c]))
    for (const call of [...this.calls.values()]) {
      const now = present.get(call.uniqueid)
      if (!now) {
        call.log.info({ channel: call.channel }, 'call ended while AMI was disconnected')
        this.options.lifecycle.note(call.callId, 'ami-resync', { found: 'channel gone' })
        this.finish(call, { cause: 'hung up while AMI was disconnected', outcome: call.answered || call.final ? undefined : 'abandoned' })
      } else if (call.unconfirmed && now.context === this.options.contexts.wait) {
        // The move was lost with the connection: the call still waits, so send it again.
        const move = call.unconfirmed
        call.unconfirmed = null
        await this.redirect(call, move.context, move.exten, move.variables, move.agentId)
      } else if (call.offered !== null && !call.answered) {
        call.unconfirmed = null
        if (now.bridged) this.answer(call, call.offered)
        else if (now.context === this.options.contexts.wait) await this.offerFailed(call, call.offered, 'ring-timeout', 'back to waiting while AMI was disconnected')
      } else {
        call.unconfirmed = null
      }
    }
    for (const c of channels) {
      if (c.context !== this.options.contexts.wait || this.byUniqueid.has(c.uniqueid) || this.endedCalls.has(c.linkedid)) continue
      this.options.logger.info({ callId: c.linkedid, channel: c.channel }, 'waiting call found by re-sync; its route request was missed')
      await this.routeChannel({ channel: c.channel, uniqueid: c.uniqueid, linkedid: c.linkedid, caller: c.callerNum, callerName: c.callerName, dialed: await dialedOf(c.channel) })
    }
  }

  private userEvent(event: AmiMessage): void {
    const name = field(event, 'userevent')
    if (name === ROUTE_EVENT) {
      const channel = field(event, 'channel')
      const uniqueid = field(event, 'uniqueid')
      const linkedid = field(event, 'linkedid') ?? uniqueid
      if (!channel || !uniqueid || !linkedid) {
        this.options.logger.warn(describe(event), 'route request without Channel/Uniqueid; ignored')
        return
      }
      const caller = field(event, 'caller') ?? callerIdValue(field(event, 'calleridnum')) ?? null
      const callerName = field(event, 'callername') ?? callerIdValue(field(event, 'calleridname')) ?? null
      void this.routeChannel({ channel, uniqueid, linkedid, caller, callerName, dialed: field(event, 'dialed') ?? null }).catch((err: unknown) => this.options.logger.error({ err, callId: linkedid }, 'routing an Asterisk call failed'))
    } else if (name === DIAL_RESULT_EVENT) {
      const call = this.callOf(event)
      if (!call) return
      const status = field(event, 'status') ?? ''
      const exten = field(event, 'agent')
      const agentId = exten === undefined ? call.offered : this.options.directory.byExten(exten) ?? null
      if (agentId === null || agentId !== call.offered) {
        call.log.info({ agentId, exten, offered: call.offered, status }, 'dial result for an agent not offered now; ignored')
        return
      }
      if (status === 'ANSWER') return this.answer(call, agentId)
      const why = DIAL_FAILURES[status]
      if (why === undefined) {
        call.log.info({ agentId, status }, 'dial result that is not a failure to answer; nothing to do')
        return
      }
      void this.offerFailed(call, agentId, why, status).catch((err: unknown) => call.log.error({ err }, 'offering the next agent failed'))
    }
  }

  private dialBegin(event: AmiMessage): void {
    const call = this.callOf(event)
    const agentId = this.destAgent(event)
    if (call && agentId !== undefined && agentId === call.offered) this.options.lifecycle.ringing(call.callId, agentId)
  }

  private dialEnd(event: AmiMessage): void {
    const call = this.callOf(event)
    const agentId = this.destAgent(event)
    if (call && agentId !== undefined && agentId === call.offered && field(event, 'dialstatus') === 'ANSWER') this.answer(call, agentId)
  }

  private bridgeEnter(event: AmiMessage): void {
    const call = this.callOf(event, true)
    if (!call || call.answered || call.offered === null) return
    // The agent's leg joined the caller's bridge: answered, even if DialEnd was missed.
    const agentId = this.options.directory.byDeviceName(deviceOf(field(event, 'channel') ?? ''))
    if (agentId === call.offered) this.answer(call, agentId)
  }

  private hangup(event: AmiMessage): void {
    const uniqueid = field(event, 'uniqueid')
    const call = uniqueid === undefined ? undefined : this.byUniqueid.get(uniqueid)
    if (!call) {
      if (uniqueid !== undefined && this.endedChannels.has(uniqueid)) this.options.logger.info(describe(event), 'hangup of a call already ended; duplicate ignored')
      return
    }
    const cause = [field(event, 'cause'), field(event, 'cause-txt')].filter(Boolean).join(' ') || undefined
    this.finish(call, { cause, outcome: call.answered || call.final ? undefined : 'abandoned' })
  }

  private async carryOut(call: InboundCall, decision: RouteDecision): Promise<void> {
    for (let target = decision.targets[0]; target; ) {
      const line = this.options.directory.line(target.agentId)
      if (!line) {
        call.log.warn({ agentId: target.agentId }, 'agent has no extension to Redirect to; offering the next')
        const next = await this.options.lifecycle.failed(call.callId, target.agentId, 'unreachable')
        if (!next) return
        decision = next
        target = next.targets[0]
        continue
      }
      call.offered = target.agentId
      await this.redirect(call, this.options.contexts.agents, line.extension, { CTI_RING: String(target.ringSeconds), CTI_AGENT: target.agentId }, target.agentId)
      return
    }
    call.offered = null
    call.final = decision.final
    const argument = decision.final.kind === 'queue' ? decision.final.queue : decision.final.kind === 'voicemail' ? (decision.final.mailbox ?? '') : decision.final.cause
    await this.redirect(call, this.options.contexts.final, decision.final.kind, { CTI_FINAL: argument }, null)
  }

  private async redirect(call: InboundCall, context: string, exten: string, variables: Record<string, string>, agentId: string | null): Promise<void> {
    call.unconfirmed = null
    try {
      // One session's actions run in order: the variables are set before the Redirect moves the channel.
      const sets = Object.entries(variables).map(([name, value]) => this.options.send({ Action: 'Setvar', Channel: call.channel, Variable: name, Value: value }))
      const moved = this.options.send({ Action: 'Redirect', Channel: call.channel, Context: context, Exten: exten, Priority: '1' })
      await Promise.all([...sets, moved])
      call.log.info({ agentId, context, exten }, 'call redirected')
    } catch (err) {
      if (this.calls.get(call.callId) !== call) return
      if ((err as { code?: string }).code !== 'CTI_ERR_AMI_REFUSED') {
        // No answer (connection lost, timeout): Asterisk may have moved the call. The re-sync after
        // the reconnection looks where the channel is and sends the move again if it still waits.
        call.unconfirmed = { context, exten, variables, agentId }
        call.log.warn({ agentId, context, exten, err }, 'Redirect not confirmed; the re-sync will check where the call is')
        return
      }
      const message = err instanceof Error ? err.message : String(err)
      call.log.warn({ agentId, context, exten, err }, 'Redirect refused; the call is ended as failed')
      this.options.lifecycle.note(call.callId, 'redirect-failed', { context, exten, message }, agentId)
      this.finish(call, { outcome: 'failed', cause: message })
    }
  }

  private async offerFailed(call: InboundCall, agentId: string, why: OfferFailure, status: string): Promise<void> {
    call.offered = null
    call.log.info({ agentId, why, status }, 'agent did not answer')
    const next = await this.options.lifecycle.failed(call.callId, agentId, why)
    if (next) await this.carryOut(call, next)
  }

  private answer(call: InboundCall, agentId: string): void {
    if (call.answered) return
    if (this.options.lifecycle.answered(call.callId, agentId)) call.answered = true
  }

  private finish(call: InboundCall, detail: { outcome?: 'abandoned' | 'failed'; cause?: string }): void {
    this.calls.delete(call.callId)
    this.byUniqueid.delete(call.uniqueid)
    this.endedCalls.add(call.callId)
    this.endedChannels.add(call.uniqueid)
    this.options.lifecycle.ended(call.callId, detail)
  }

  /** The call an event belongs to, by its Linkedid; logs an event of a call that already ended. */
  private callOf(event: AmiMessage, quiet = false): InboundCall | undefined {
    const linkedid = field(event, 'linkedid') ?? field(event, 'destlinkedid')
    if (linkedid === undefined) {
      if (!quiet) this.options.logger.info(describe(event), 'call event without Linkedid; ignored')
      return undefined
    }
    const call = this.calls.get(linkedid)
    if (!call && !quiet && this.endedCalls.has(linkedid)) this.options.logger.info(describe(event), 'event of a call already ended (out of order); ignored')
    return call
  }

  private destAgent(event: AmiMessage): string | undefined {
    const dest = field(event, 'destchannel')
    return dest === undefined ? undefined : this.options.directory.byDeviceName(deviceOf(dest))
  }
}
