import type { Logger } from 'pino'
import type { InteractionEvent } from '../interactions/interaction-router.js'
import type { Channel, FinalAction, InteractionKind } from '../routing/types.js'
import type { CallOutcome, CallRecord, CallStep } from './call-record.js'
import type { CallRecordWriter } from './call-record-writer.js'

export interface CallRecorderOptions {
  writer: Pick<CallRecordWriter, 'enqueue' | 'flush' | 'pending'>
  logger: Logger
  now: () => number
  /** Calls followed at once at most; past it the oldest is written as it stands. */
  maxOpen?: number
  /** A call still in progress this long after it was routed is written as it stands (no outcome yet), so the database shows it while it lasts. */
  inProgressAfterMs?: number
}

/** A call refused before it could be routed (garbage input, an unknown line refused by the adapter). */
export interface UnroutedCall {
  callId: string
  channel: Channel
  kind?: InteractionKind
  direction?: 'inbound' | 'outbound'
  caller: string | null
  callerName?: string | null
  dialed: string | null
  outcome: CallOutcome
  /** Why it was refused, in words or as a status ("400 missing From user"). */
  reason: string
  at?: number
  /** When the caller arrived, when earlier than `at` (a waiting call ended later): the wait runs from it. */
  arrivedAt?: number
}

/**
 * Follows every interaction from its routing to its end and turns what
 * happened into one call record with its steps. A call that lasts is handed to
 * the writer soon after it is routed, without an outcome, so that it has a row
 * while it is in progress; it is handed over again, with the steps since, when
 * it ends (a call over before that is written once). Synchronous and cheap: it
 * runs on the call path.
 */
export class CallRecorder {
  private readonly open = new Map<string, CallRecord>()
  /** Steps of an open call already handed to the writer. */
  private readonly stepsHandedOver = new Map<string, number>()
  /** Calls routed and not handed to the writer yet. */
  private readonly fresh = new Set<string>()
  private freshTimer: NodeJS.Timeout | undefined
  private readonly maxOpen: number
  private readonly inProgressAfterMs: number
  private readonly finishedListeners: ((record: Readonly<CallRecord>) => void)[] = []

  constructor(private readonly options: CallRecorderOptions) {
    this.maxOpen = options.maxOpen ?? 100_000
    this.inProgressAfterMs = options.inProgressAfterMs ?? 1000
  }

  /** Calls routed and not yet ended. */
  get inProgress(): number {
    return this.open.size
  }

  /** Records waiting for the database. */
  get pending(): number {
    return this.options.writer.pending
  }

  /** Feed every InteractionRouter event here. */
  readonly handle = (event: InteractionEvent): void => {
    const now = this.options.now()
    if (event.type === 'routed') return this.routed(event, now)
    const record = this.open.get(event.callId)
    if (!record) {
      if (event.type !== 'ended') this.options.logger.debug({ callId: event.callId, event: event.type }, 'call event for a call not followed; ignored')
      return
    }
    switch (event.type) {
      case 'offered':
        record.agentId = event.agentId
        return step(record, now, 'offered', event.agentId, { ringSeconds: event.ringSeconds, reason: event.routed.decision.reason })
      case 'ringing':
        record.ringingAt ??= now
        return step(record, now, 'ringing', event.agentId, null)
      case 'offer-failed':
        return step(record, now, 'offer-failed', event.agentId, { why: event.why })
      case 'final':
        record.finalAction = describeFinal(event.decision.final)
        return step(record, now, 'final', null, { action: event.decision.final, reason: event.decision.reason })
      case 'answered':
        record.answeredAt ??= now
        record.agentId = event.agentId
        return step(record, now, 'answered', event.agentId, null)
      case 'note':
        return step(record, now, event.kind, event.agentId, event.data)
      // The wait itself is the time from arrival (offeredAt) to the answer or the end; these say where it was spent.
      case 'queued':
        return step(record, now, 'queued', null, { queue: event.queue, position: event.position, estimatedWaitSeconds: event.estimatedWaitSeconds })
      case 'dequeued':
        return step(record, now, 'dequeued', null, { queue: event.queue, why: event.why, waitedMs: event.waitedMs })
      case 'ended':
        record.endedAt = event.detail.at ?? now
        record.endCause = event.detail.cause ?? null
        record.outcome = event.detail.outcome ?? computedOutcome(record)
        step(record, record.endedAt, 'ended', null, { outcome: record.outcome, cause: record.endCause })
        return this.finish(record)
    }
  }

  /** Told of every call record as it is finished (ended), before it is written; must not throw or block. */
  onFinished(listener: (record: Readonly<CallRecord>) => void): void {
    this.finishedListeners.push(listener)
  }

  /** Links a call still in progress to its lead; false when the call is not followed (already ended). */
  attachLead(callId: string, leadId: number): boolean {
    const record = this.open.get(callId)
    if (!record) return false
    record.leadId = leadId
    return true
  }

  /** Records a call that never reached routing, with why. */
  recordUnrouted(call: UnroutedCall): void {
    const at = call.at ?? this.options.now()
    const record = blankRecord(call.callId, call.kind ?? 'call', call.channel, call.direction ?? 'inbound', call.arrivedAt ?? at)
    record.caller = call.caller
    record.callerName = call.callerName ?? null
    record.dialed = call.dialed
    record.outcome = call.outcome
    record.endCause = call.reason
    record.endedAt = at
    step(record, at, 'refused', null, { reason: call.reason })
    this.options.writer.enqueue(record)
  }

  /** Resolves once every finished call recorded so far is written. */
  flush(): Promise<void> {
    return this.options.writer.flush()
  }

  /** At shutdown: calls still in progress are written as they stand (no outcome yet), so none is lost. */
  writeInProgress(): void {
    clearTimeout(this.freshTimer)
    this.fresh.clear()
    for (const record of this.open.values()) {
      step(record, this.options.now(), 'recorder-stopped', null, null)
      this.handOver(record)
    }
    this.open.clear()
  }

  private routed(event: Extract<InteractionEvent, { type: 'routed' }>, now: number): void {
    const { routed, request } = event
    let record = this.open.get(event.callId)
    if (record) {
      // A queued call routed again: one record, one more step.
      step(record, now, 'rerouted', routed.decision.targets[0]?.agentId ?? null, { rule: routed.decision.rule })
      return
    }
    if (this.open.size >= this.maxOpen) this.evictOldest()
    record = blankRecord(event.callId, request.kind, request.channel, request.direction, request.at)
    record.caller = routed.caller.phone.ok ? routed.caller.phone.e164 : null
    record.callerName = request.callerName
    record.dialed = request.dialed
    record.customerId = routed.caller.customer ? Number(routed.caller.customer.id) : null
    record.rule = routed.decision.rule
    record.source = routed.line?.source ?? null
    record.campaign = routed.line?.campaign ?? null
    record.degraded = routed.degraded
    record.routedAt = now
    record.trace = routed.decision.trace
    const callerProblem = routed.caller.phone.ok ? undefined : routed.caller.phone.problem
    step(record, now, 'routed', routed.decision.targets[0]?.agentId ?? null, { rule: routed.decision.rule, rulesVersion: routed.rulesVersion, callerProblem })
    this.open.set(event.callId, record)
    this.fresh.add(event.callId)
    if (!this.freshTimer) {
      this.freshTimer = setTimeout(this.writeFresh, this.inProgressAfterMs)
      this.freshTimer.unref()
    }
  }

  /** Calls routed since the last turn and still in progress get their row now. */
  private readonly writeFresh = (): void => {
    this.freshTimer = undefined
    for (const callId of this.fresh) {
      const record = this.open.get(callId)
      if (!record) continue
      const sent = this.stepsHandedOver.get(callId) ?? 0
      // A copy: the call goes on changing, and the writer must see it as it stands now.
      this.options.writer.enqueue({ ...record, steps: record.steps.slice(sent) })
      this.stepsHandedOver.set(callId, record.steps.length)
    }
    this.fresh.clear()
  }

  /** Hands the record over for the last time, with the steps not handed over before. */
  private handOver(record: CallRecord): void {
    const sent = this.stepsHandedOver.get(record.id) ?? 0
    this.stepsHandedOver.delete(record.id)
    this.fresh.delete(record.id)
    this.options.writer.enqueue(sent === 0 ? record : { ...record, steps: record.steps.slice(sent) })
  }

  private finish(record: CallRecord): void {
    this.open.delete(record.id)
    this.handOver(record)
    for (const listener of this.finishedListeners) {
      try {
        listener(record)
      } catch (err) {
        this.options.logger.error({ err, callId: record.id }, 'call finished listener failed')
      }
    }
  }

  private evictOldest(): void {
    const oldest = this.open.values().next().value as CallRecord
    this.options.logger.warn({ callId: oldest.id, maxOpen: this.maxOpen }, 'too many calls in progress; the oldest is written as it stands (was it ever ended?)')
    this.open.delete(oldest.id)
    this.handOver(oldest)
  }
}

function blankRecord(id: string, kind: InteractionKind, channel: Channel, direction: 'inbound' | 'outbound', at: number): CallRecord {
  return {
    id,
    kind,
    channel,
    direction,
    caller: null,
    callerName: null,
    dialed: null,
    customerId: null,
    leadId: null,
    agentId: null,
    rule: null,
    source: null,
    campaign: null,
    outcome: null,
    endCause: null,
    finalAction: null,
    degraded: false,
    offeredAt: at,
    routedAt: null,
    ringingAt: null,
    answeredAt: null,
    endedAt: null,
    trace: null,
    steps: []
  }
}

function step(record: CallRecord, at: number, kind: string, agentId: string | null, data: Record<string, unknown> | null): void {
  record.steps.push({ at, kind, agentId, data } satisfies CallStep)
}

function computedOutcome(record: CallRecord): CallOutcome {
  if (record.answeredAt !== null) return 'answered'
  if (record.finalAction?.startsWith('reject')) return 'rejected'
  return 'missed'
}

function describeFinal(final: FinalAction): string {
  switch (final.kind) {
    case 'queue':
      return `queue ${final.queue}`
    case 'voicemail':
      return final.mailbox ? `voicemail ${final.mailbox}` : 'voicemail'
    case 'reject':
      return `reject ${final.sipStatus}`
  }
}
