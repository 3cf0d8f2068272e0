import type { Logger } from 'pino'
import type { InteractionRouter } from '../../interactions/interaction-router.js'
import type { TransferEvents, TransferRequest } from '../../interactions/call-control.js'
import type { AgentDirectory } from './agent-directory.js'
import { callerIdValue, describe, field, type AmiMessage } from './ami-message.js'
import { CallMoves, DEFAULT_HOLD_CONTEXT } from './call-moves.js'
import { CallTransfers, DEFAULT_TRANSFER_CONTEXT } from './call-transfers.js'
import { AmiErrors } from './ami-errors.js'
import { deviceOf } from './channel-name.js'
import { InboundCallTable, type InboundCall, type StreamMark } from './inbound-call-table.js'
import { DIAL_FAILURES } from './dial-failures.js'
import { followQueue, followTransferHold } from './queue-follow.js'

/** The lifecycle calls the adapter drives; InteractionRouter provides them. */
export type CallLifecycle = Pick<InteractionRouter, 'route' | 'failed' | 'answered' | 'ended' | 'ringing' | 'note'> & Partial<Pick<InteractionRouter, 'onEvent'>>

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
  /**
   * Where a call waits in one of the server's queues: music on hold, and every CTI_ANNOUNCE_EVERY
   * seconds the position and wait the server keeps in CTI_QUEUE_POSITION and CTI_QUEUE_WAIT.
   * Default cti-queue-hold.
   */
  hold?: string
  /**
   * Where a blind transfer dials its target (Redirect target, the extension is the target's), then
   * reports a target who did not take it with a CtiTransferResult UserEvent and holds the caller
   * (extension `hold`). Default cti-transfer.
   */
  transfer?: string
}

/** UserEvent names the shipped dialplan sends. */
export const ROUTE_EVENT = 'CtiRoute'
export const DIAL_RESULT_EVENT = 'CtiDialResult'

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
  now: () => number
  /** Seconds between announcements of position and wait to a caller waiting in `queue`. */
  announceSeconds?: (queue: string) => number
  /**
   * How long the end of a call whose caller hung up while an agent was offered waits for
   * answer events that Asterisk may still send about it (DialEnd, BridgeEnter, the dial result).
   */
  lateEventsMs?: number
  /** The channels Asterisk has now (CoreShowChannels), for a transfer Asterisk said nothing about. */
  channels?: () => Promise<ChannelSnapshot[]>
}

const LATE_EVENTS_MS = 500

export { DIAL_FAILURES }

/**
 * Inbound calls as the shipped dialplan hands them over: a CtiRoute UserEvent
 * asks for a decision, the server Redirects the waiting channel to the chosen
 * agent's extension, a CtiDialResult UserEvent says the agent did not answer
 * (next agent, or the final action), DialBegin/DialEnd/BridgeEnter say ringing
 * and answered, the Hangup of the waiting channel ends the call. One call per
 * Linkedid: duplicates and events of calls already ended are logged and dropped.
 * A call whose channel is gone without a Hangup (found by a re-sync or the
 * periodic channel check) ends at the last time it was known alive.
 */
export class InboundCalls {
  private readonly table: InboundCallTable
  private readonly moves: CallMoves
  private readonly transfers: CallTransfers

  constructor(private readonly options: InboundCallsOptions) {
    this.table = new InboundCallTable(options.now, options.logger)
    this.moves = new CallMoves({ ...options, table: this.table, finish: (call, detail) => this.finish(call, detail) })
    const channels = options.channels ?? (() => Promise.resolve([]))
    this.transfers = new CallTransfers({ ...options, context: options.contexts.transfer ?? DEFAULT_TRANSFER_CONTEXT, channels })
    options.lifecycle.onEvent?.((event) => {
      followQueue(this.table, this.moves, event)
      followTransferHold(this.table, this.moves, event)
    })
  }

  get inProgress(): number {
    return this.table.size
  }

  /** Counts every event received (whether followed or not) and marks its call alive. */
  touch(event: AmiMessage): void {
    this.table.touch(event)
  }

  /** Where the event stream stands, taken just before a channel list is asked for. */
  mark(): StreamMark {
    return this.table.mark()
  }

  /** Whether this call is followed here and its caller still on the line. */
  holds(callId: string): boolean {
    const call = this.table.get(callId)
    return call !== undefined && call.hungUp === null
  }

  /** A blind transfer of an answered call (or of one held after a transfer not taken); see CallTransfers. */
  transfer(request: TransferRequest, events: TransferEvents): Promise<void> {
    const call = this.table.get(request.callId)
    if (!call || call.hungUp) return Promise.reject(AmiErrors.callNotLive(request.callId))
    return this.transfers.start(call, request, events)
  }

  /** Feeds one event; events that are not about inbound calls are ignored. */
  handle(event: AmiMessage): void {
    const followed = this.table.callOf(event, true)
    // The target's leg of a transfer is the transfer's, not an offer of the call's.
    if (followed?.transfer && this.transfers.handle(followed, event)) return
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
    if (this.table.get(callId) || this.table.isEnded(callId)) {
      this.options.logger.info({ callId, channel }, 'route request for a call already routed; duplicate ignored')
      return
    }
    const call = this.table.add({ callId, channel, uniqueid, log: this.options.logger.child({ callId }), offered: null, answered: false, final: null, unconfirmed: null })
    let routed: Awaited<ReturnType<CallLifecycle['route']>>
    try {
      routed = await this.options.lifecycle.route({ callId, caller: request.caller, callerName: request.callerName, dialed: request.dialed, channel: 'ami', kind: 'call', ringTimer: false })
    } catch (err) {
      this.table.drop(call)
      throw err
    }
    if (this.table.get(callId) !== call) {
      // The caller hung up while the decision was being made.
      this.options.lifecycle.ended(callId, { outcome: 'abandoned', cause: 'hung up before the decision' })
      return
    }
    await this.moves.carryOut(call, routed.decision)
  }

  /** What a re-sync found: calls gone while disconnected end, calls that moved on are followed, lost route requests are routed. */
  async resync(channels: readonly ChannelSnapshot[], asked: StreamMark, dialedOf: (channel: string) => Promise<string | null>): Promise<void> {
    const present = new Map(channels.map((c) => [c.uniqueid, c]))
    for (const call of this.table.all()) {
      const now = present.get(call.uniqueid)
      if (call.hungUp || call.lastSeenSeq > asked.seq) continue
      if (!now) {
        this.vanished(call, 'ami-resync', 'hung up while AMI was disconnected', 'call ended while AMI was disconnected')
        continue
      }
      this.table.aliveAt(call, asked)
      if (call.unconfirmed && (now.context === this.options.contexts.wait || now.context === (this.options.contexts.hold ?? DEFAULT_HOLD_CONTEXT))) {
        // The move was lost with the connection: the call still waits, so send it again.
        const move = call.unconfirmed
        call.unconfirmed = null
        await this.moves.redirect(call, move.context, move.exten, move.variables, move.agentId)
      } else if (call.offered !== null && !call.answered) {
        call.unconfirmed = null
        if (now.bridged) this.answer(call, call.offered)
        else if (now.context === this.options.contexts.wait) await this.moves.offerFailed(call, call.offered, 'ring-timeout', 'back to waiting while AMI was disconnected')
      } else {
        call.unconfirmed = null
      }
    }
    for (const c of channels) {
      if (c.context !== this.options.contexts.wait || this.table.byChannel(c.uniqueid) || this.table.isEnded(c.linkedid)) continue
      this.options.logger.info({ callId: c.linkedid, channel: c.channel }, 'waiting call found by re-sync; its route request was missed')
      await this.routeChannel({ channel: c.channel, uniqueid: c.uniqueid, linkedid: c.linkedid, caller: c.callerNum, callerName: c.callerName, dialed: await dialedOf(c.channel) })
    }
  }

  /**
   * The periodic check: a call whose channel Asterisk no longer lists, and about which nothing
   * was heard since the list was asked for, lost its Hangup; it ends at its last known time.
   */
  reconcile(channels: readonly ChannelSnapshot[], asked: StreamMark): number {
    const present = new Set(channels.map((c) => c.uniqueid))
    let ended = 0
    for (const call of this.table.all()) {
      if (call.hungUp || call.lastSeenSeq > asked.seq) continue
      if (present.has(call.uniqueid)) {
        this.table.aliveAt(call, asked)
        continue
      }
      this.vanished(call, 'ami-channel-check', 'channel gone with no Hangup event', 'channel gone with no Hangup event; the call ends when it was last seen')
      ended++
    }
    return ended
  }

  /** At stop: calls waiting for late events end now, so that their records are written. */
  close(): void {
    for (const call of this.table.all()) if (call.hungUp) this.settled(call)
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
      // The dialplan's ${CALLERID(...)} is "<unknown>" (or empty) when the trunk sent none: no name, not a name.
      const caller = callerIdValue(field(event, 'caller')) ?? callerIdValue(field(event, 'calleridnum'))
      const callerName = callerIdValue(field(event, 'callername')) ?? callerIdValue(field(event, 'calleridname'))
      void this.routeChannel({ channel, uniqueid, linkedid, caller, callerName, dialed: field(event, 'dialed') ?? null }).catch((err: unknown) => this.options.logger.error({ err, callId: linkedid }, 'routing an Asterisk call failed'))
    } else if (name === DIAL_RESULT_EVENT) {
      const call = this.table.callOf(event)
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
      // The caller is gone: nobody else is offered.
      if (call.hungUp) return
      void this.moves.offerFailed(call, agentId, why, status).catch((err: unknown) => call.log.error({ err }, 'offering the next agent failed'))
    }
  }

  private dialBegin(event: AmiMessage): void {
    const call = this.table.callOf(event)
    const agentId = this.destAgent(event)
    if (call && agentId !== undefined && agentId === call.offered) this.options.lifecycle.ringing(call.callId, agentId)
  }

  private dialEnd(event: AmiMessage): void {
    const call = this.table.callOf(event)
    const agentId = this.destAgent(event)
    if (call && agentId !== undefined && agentId === call.offered && field(event, 'dialstatus') === 'ANSWER') this.answer(call, agentId)
  }

  private bridgeEnter(event: AmiMessage): void {
    const call = this.table.callOf(event, true)
    if (!call || call.answered || call.offered === null) return
    // The agent's leg joined the caller's bridge: answered, even if DialEnd was missed.
    const agentId = this.options.directory.byDeviceName(deviceOf(field(event, 'channel') ?? ''))
    if (agentId === call.offered) this.answer(call, agentId)
  }

  private hangup(event: AmiMessage): void {
    const uniqueid = field(event, 'uniqueid')
    const call = uniqueid === undefined ? undefined : this.table.byChannel(uniqueid)
    if (!call || call.hungUp) {
      if (call || (uniqueid !== undefined && this.table.isEndedChannel(uniqueid))) this.options.logger.info(describe(event), 'hangup of a call already ended; duplicate ignored')
      return
    }
    const cause = [field(event, 'cause'), field(event, 'cause-txt')].filter(Boolean).join(' ') || undefined
    if (call.answered || call.final || call.offered === null) return this.finish(call, { cause, outcome: call.answered || call.talked || call.final ? undefined : 'abandoned' })
    // An agent was being offered: Asterisk publishes each channel's events on its own, so the
    // answer (DialEnd, BridgeEnter, the dial result) may still come after the caller's Hangup.
    call.hungUp = { cause, timer: setTimeout(() => this.settled(call), this.options.lateEventsMs ?? LATE_EVENTS_MS) }
  }

  /** The wait for late events after the caller's Hangup is over. */
  private settled(call: InboundCall): void {
    const cause = call.hungUp?.cause
    this.finish(call, { cause, outcome: call.answered || call.talked ? undefined : 'abandoned' }, call.lastSeenAt)
  }

  private vanished(call: InboundCall, step: string, cause: string, message: string): void {
    call.log.warn({ channel: call.channel, lastSeenAt: new Date(call.lastSeenAt).toISOString() }, message)
    this.options.lifecycle.note(call.callId, step, { found: 'channel gone' })
    this.finish(call, { cause, outcome: call.answered || call.talked || call.final ? undefined : 'abandoned' }, call.lastSeenAt)
  }

  private answer(call: InboundCall, agentId: string): void {
    if (call.answered) return
    if (this.options.lifecycle.answered(call.callId, agentId)) call.answered = call.talked = true
  }

  private finish(call: InboundCall, detail: { outcome?: 'abandoned' | 'failed'; cause?: string }, at = this.options.now()): void {
    if (this.table.get(call.callId) !== call) return
    if (call.hungUp) clearTimeout(call.hungUp.timer)
    this.transfers.forget(call)
    this.table.ended(call)
    this.options.lifecycle.ended(call.callId, { ...detail, at })
  }

  private destAgent(event: AmiMessage): string | undefined {
    const dest = field(event, 'destchannel')
    return dest === undefined ? undefined : this.options.directory.byDeviceName(deviceOf(dest))
  }
}
