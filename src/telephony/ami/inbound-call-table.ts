import type { Logger } from 'pino'
import type { FinalAction } from '../../routing/types.js'
import { describe, field, type AmiMessage } from './ami-message.js'
import type { QueueSpot } from '../queue-spot.js'
import { RecentIds } from './recent-ids.js'
import type { TransferLeg } from './call-transfers.js'

/** A move sent while the connection dropped: Asterisk may or may not have made it. */
export interface PendingMove {
  context: string
  exten: string
  variables: Record<string, string>
  agentId: string | null
}

/** One inbound call from its route request until its channel hangs up. */
export interface InboundCall {
  callId: string
  /** The channel that asked to be routed: the one to Redirect (the ";2" half of a Local channel). */
  channel: string
  uniqueid: string
  log: Logger
  offered: string | null
  answered: boolean
  final: FinalAction | null
  unconfirmed: PendingMove | null
  /** Where the call waits in a queue (in the holding context), or null when it does not wait. */
  queued: QueueSpot | null
  /** When the server last knew the call alive: its last event, or the last channel list that showed it. */
  lastSeenAt: number
  /** The place of that event among all events received, to tell whether a channel list is older. */
  lastSeenSeq: number
  /** The caller hung up while an agent was offered: the end waits briefly for late answer events. */
  hungUp: { cause: string | undefined; timer: NodeJS.Timeout } | null
  /** A blind transfer ringing its target, or the caller held after one not taken. */
  transfer: TransferLeg | null
  /** An agent talked with the caller at some point (the call stays answered when it moves on after a transfer). */
  talked: boolean
}

/** A point in the event stream: what was received before an action was sent, and when. */
export interface StreamMark {
  seq: number
  at: number
}

/**
 * The inbound calls followed now, by Linkedid (the call) and Uniqueid (the
 * routed channel), with the ids of calls ended lately so that a duplicate or
 * late event can be told from an unknown one. Every event received is counted,
 * and the call it names is marked alive at that moment.
 */
export class InboundCallTable {
  private readonly calls = new Map<string, InboundCall>()
  private readonly channels = new Map<string, InboundCall>()
  private readonly endedCalls = new RecentIds()
  private readonly endedChannels = new RecentIds()
  private seq = 0

  constructor(
    private readonly now: () => number,
    private readonly logger: Logger
  ) {}

  get size(): number {
    return this.calls.size
  }

  /** Counts one event received and marks its call (by Linkedid or DestLinkedid) alive now. */
  touch(event: AmiMessage): void {
    this.seq++
    const id = field(event, 'linkedid') ?? field(event, 'destlinkedid')
    const call = id === undefined ? undefined : this.calls.get(id)
    if (call) this.seen(call)
  }

  /** Where the event stream stands now (taken just before asking Asterisk for its channels). */
  mark(): StreamMark {
    return { seq: this.seq, at: this.now() }
  }

  add(call: Omit<InboundCall, 'lastSeenAt' | 'lastSeenSeq' | 'hungUp' | 'queued' | 'transfer' | 'talked'>): InboundCall {
    const followed: InboundCall = { ...call, lastSeenAt: this.now(), lastSeenSeq: this.seq, hungUp: null, queued: null, transfer: null, talked: false }
    this.calls.set(call.callId, followed)
    this.channels.set(call.uniqueid, followed)
    return followed
  }

  /** Stops following a call that was never routed (its route request failed). */
  drop(call: InboundCall): void {
    this.calls.delete(call.callId)
    this.channels.delete(call.uniqueid)
  }

  /** Stops following an ended call, remembering its ids for the late events. */
  ended(call: InboundCall): void {
    this.drop(call)
    this.endedCalls.add(call.callId)
    this.endedChannels.add(call.uniqueid)
  }

  /** The call is alive as of a channel list taken at that mark. */
  aliveAt(call: InboundCall, mark: StreamMark): void {
    call.lastSeenAt = Math.max(call.lastSeenAt, mark.at)
  }

  get(callId: string): InboundCall | undefined {
    return this.calls.get(callId)
  }

  byChannel(uniqueid: string): InboundCall | undefined {
    return this.channels.get(uniqueid)
  }

  isEnded(callId: string): boolean {
    return this.endedCalls.has(callId)
  }

  isEndedChannel(uniqueid: string): boolean {
    return this.endedChannels.has(uniqueid)
  }

  all(): InboundCall[] {
    return [...this.calls.values()]
  }

  /** The call an event belongs to, by its Linkedid; logs an event of a call that already ended. */
  callOf(event: AmiMessage, quiet = false): InboundCall | undefined {
    const linkedid = field(event, 'linkedid') ?? field(event, 'destlinkedid')
    if (linkedid === undefined) {
      if (!quiet) this.logger.info(describe(event), 'call event without Linkedid; ignored')
      return undefined
    }
    const call = this.calls.get(linkedid)
    if (!call && !quiet && this.endedCalls.has(linkedid)) this.logger.info(describe(event), 'event of a call already ended (out of order); ignored')
    return call
  }

  private seen(call: InboundCall): void {
    call.lastSeenAt = this.now()
    call.lastSeenSeq = this.seq
  }
}
