import type { Logger } from 'pino'
import type { CallerIdentifier } from '../identify/identify-caller.js'
import type { CallRouter, InteractionProgress, OfferFailure } from '../routing/call-router.js'
import type { RouteDecision, RuleSet } from '../routing/types.js'
import type { QueueServed } from '../routing/waiting/types.js'
import type { EndDetail, InteractionEvent, RouteRequest, RoutedInteraction, TransferStory } from './interaction-types.js'
import type { LineDirectory } from './line-directory.js'
import { prepareRoute } from './route-input.js'
import { RingGate, type RingGateResult } from './ring-gate.js'
import { confirmDecision, withCrm, type DegradedReason, type ReservationOutcome } from './shared-confirmation.js'

export type { DegradedReason, ReservationOutcome }

export type { DequeueReason, EndDetail, IdentifiedInteraction, InteractionEvent, RouteRequest, RoutedInteraction, RoutedRequest } from './interaction-types.js'

export interface InteractionRouterOptions {
  identifier: CallerIdentifier
  router: CallRouter
  /** The rule set in force now; read once per decision so a reload never splits one. */
  rules: () => RuleSet
  lines: LineDirectory
  logger: Logger
  now: () => number
  /**
   * When true (HTTP callers that cannot time ringing themselves), an unanswered offer
   * moves to the next target after its ring time. Adapters that ring the phone themselves
   * report no-answer instead.
   */
  ringTimers: boolean
  /**
   * Confirms a reservation the core just made locally with the store shared by several server
   * processes (Redis). When another process took the agent's last free slot first, or the store did
   * not answer in time, the core offers the next candidate. Absent when this process is the only one.
   */
  confirmReservation?: (agentId: string, callId: string, ringSeconds: number) => Promise<ReservationOutcome>
  /** Longest wait in beforeRing() for what the 'offered' listeners send first (SCREENPOP_BEFORE_RING_MS); default 5. */
  beforeRingMs?: number
}

/**
 * The path of every interaction around the pure core: identify the caller
 * (database, with cache), look up the line, let the core decide and reserve,
 * then follow the offer (ring timeout → next target, answered, ended).
 */
export class InteractionRouter {
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly routed = new Map<string, RoutedInteraction>()
  /** Interactions whose ring time the server keeps (see RouteRequest.ringTimer). */
  private readonly timed = new Set<string>()
  private readonly listeners: ((event: InteractionEvent) => unknown)[] = []
  private readonly closeListeners: (() => void)[] = []
  private readonly ringGate: RingGate
  /** Call-backs waiting in the place of a call whose caller hung up (see keepPlace). */
  private readonly keptPlaces = new Set<string>()
  /** Interactions parked in the core's queue now (their 'queued' was the last word). */
  private readonly queued = new Set<string>()
  private loggedRuleErrors = new Set<string>()
  private rulesVersion = ''
  /** Set by the wiring when agents' states are shared: why they are degraded now, for decisions that reserve nobody. */
  sharedStateDegraded: (() => DegradedReason | null) | null = null

  constructor(private readonly options: InteractionRouterOptions) {
    this.ringGate = new RingGate(options.beforeRingMs ?? 5)
  }

  /**
   * Listeners run synchronously, in the order added (`first` puts one ahead of those added before:
   * the shared agent store, so that a release reaches the other processes before records and cards
   * do their work), and must not throw. For an 'offered' event a listener may return a
   * promise of what must go out before the agent is rung (their card); beforeRing() waits for it.
   */
  onEvent(listener: (event: InteractionEvent) => unknown, order: { first?: boolean } = {}): void {
    if (order.first === true) this.listeners.unshift(listener)
    else this.listeners.push(listener)
  }

  /**
   * Resolves when the offered agent may be rung: what the 'offered' listeners had to send first (the
   * card on the agent's page) is sent, or beforeRingMs passed. Adapters that ring the phone themselves
   * (SIP in path, an AMI Redirect) await it just before ringing.
   */
  beforeRing(callId: string, agentId: string): Promise<RingGateResult> {
    return this.ringGate.wait(callId, agentId)
  }

  /** Decides and reserves the first target. Never throws for bad caller input or a database outage. */
  async route(request: RouteRequest): Promise<RoutedInteraction> {
    const prepared = await prepareRoute(this.options, request)
    this.emit({ type: 'identified', callId: prepared.result.callId, identity: prepared.result })
    // Routing a known call again (a queued call retried) replaces its offer and its ring timer.
    this.clearTimer(prepared.result.callId)
    const { decision, reasons } =
      request.reserve === false ? { decision: this.decideHoldingNobody(prepared.input), reasons: this.sharedDegradation() } : await confirmDecision(this.options, prepared.result.callId, this.options.router.route(prepared.input))
    const routed: RoutedInteraction = { ...prepared.result, decision, degradedReasons: withCrm(prepared.result.degraded, reasons) }
    this.logRuleErrors(decision)
    this.routed.set(routed.callId, routed)
    if (request.ringTimer ?? this.options.ringTimers) this.timed.add(routed.callId)
    else this.timed.delete(routed.callId)
    this.emit({
      type: 'routed',
      callId: routed.callId,
      routed,
      request: {
        kind: prepared.input.interaction.kind,
        channel: request.channel,
        direction: request.direction ?? 'inbound',
        callerName: request.callerName ?? routed.caller.phone.displayName,
        at: prepared.input.interaction.at,
        dialed: prepared.input.interaction.dialed ?? request.dialed?.slice(0, 64) ?? null
      }
    })
    this.options.logger.debug(
      { callId: routed.callId, caller: routed.caller.phone.ok ? routed.caller.phone.e164 : null, customerId: routed.caller.customer?.id ?? null, rule: decision.rule, agentId: decision.targets[0]?.agentId ?? null, final: decision.targets.length === 0 ? decision.final.kind : undefined },
      'interaction routed'
    )
    this.afterDecision(routed.callId, decision)
    return routed
  }

  /** The decision for a hypothetical interaction; reserves nobody. */
  async explain(request: RouteRequest): Promise<RoutedInteraction> {
    const prepared = await prepareRoute(this.options, request)
    const decision = this.options.router.explain(prepared.input)
    this.logRuleErrors(decision)
    return { ...prepared.result, decision, degradedReasons: withCrm(prepared.result.degraded, []) }
  }

  /**
   * The offered agent did not take it; resolves to the next decision (next target or final action),
   * or null if the interaction is unknown or ended meanwhile. With shared agent state the next
   * target is confirmed before it is returned, so an adapter never rings an agent another process took.
   */
  async failed(callId: string, agentId: string, why: OfferFailure): Promise<RouteDecision | null> {
    this.clearTimer(callId)
    const next = this.options.router.next(callId, agentId, why)
    if (!next) return null
    this.emit({ type: 'offer-failed', callId, agentId, why })
    this.options.logger.info({ callId, agentId, why, next: next.targets[0]?.agentId ?? null }, 'offer failed')
    return this.offerAgain(callId, next)
  }

  /** The offered agent's phone is ringing (adapters that see it say so; it goes into the call record). */
  ringing(callId: string, agentId: string): void {
    if (!this.routed.has(callId)) return
    this.emit({ type: 'ringing', callId, agentId })
  }

  /** An adapter's own step of the interaction (a SIP response, a refused Redirect), for the call record. */
  note(callId: string, kind: string, data: Record<string, unknown> | null = null, agentId: string | null = null): void {
    this.emit({ type: 'note', callId, kind, agentId, data })
  }

  answered(callId: string, agentId: string): boolean {
    if (!this.options.router.answered(callId, agentId)) return false
    this.clearTimer(callId)
    this.emit({ type: 'answered', callId, agentId })
    this.options.logger.debug({ callId, agentId }, 'interaction answered')
    return true
  }

  /** The interaction is over (hung up, cancelled): releases or wraps up its agent. */
  ended(callId: string, detail: EndDetail = {}): boolean {
    // The caller's leg of a call-back that keeps its place: the call-back itself goes on waiting.
    if (this.keptPlaces.has(callId)) return false
    const wait = this.queued.delete(callId) ? this.options.router.abandon(callId) : null
    if (wait) {
      this.emit({ type: 'dequeued', callId, queue: wait.queue, why: 'abandoned', waitedMs: wait.waitedMs })
      detail = { ...detail, outcome: detail.outcome ?? 'abandoned', cause: detail.cause ?? `hung up after waiting ${Math.round(wait.waitedMs / 1000)} s in queue ${wait.queue}` }
    }
    this.clearTimer(callId)
    this.timed.delete(callId)
    this.ringGate.forget(callId)
    const known = this.routed.delete(callId)
    if (!this.options.router.ended(callId) && !known) return false
    this.emit({ type: 'ended', callId, detail })
    this.options.logger.info({ callId, outcome: detail.outcome, cause: detail.cause }, 'interaction ended')
    return true
  }

  /**
   * A blind transfer by the talking agent (see CallRouter.transfer): with someone to take it, the
   * 'transfer' step is noted, the new agent is confirmed with the shared store and offered (their
   * card carries `story`); resolves to that decision. A decision with no targets means nobody can
   * take it and nothing changed; null: `fromAgentId` is not talking on the call.
   */
  async transfer(callId: string, fromAgentId: string, rules: RuleSet, story: TransferStory): Promise<RouteDecision | null> {
    const routed = this.routed.get(callId)
    const next = routed ? this.options.router.transfer(callId, fromAgentId, rules) : null
    if (!next || next.targets.length === 0) return next
    this.clearTimer(callId)
    routed!.transfer = story
    this.emit({ type: 'note', callId, kind: 'transfer', agentId: fromAgentId, data: { fromAgentId, toAgentId: next.targets[0]!.agentId, note: story.note } })
    return this.offerAgain(callId, next)
  }

  /**
   * The agent a call was transferred to did not take it: they are released and never offered it
   * again, and the call goes where `rules` say, `backTo` (the agent who transferred it) included.
   */
  async transferNotTaken(callId: string, toAgentId: string, why: OfferFailure, backTo: string, rules: RuleSet): Promise<RouteDecision | null> {
    this.clearTimer(callId)
    if (!this.options.router.withdraw(callId, toAgentId, why)) return null
    this.emit({ type: 'offer-failed', callId, agentId: toAgentId, why })
    const next = this.options.router.returnTo(callId, backTo, rules)
    return next && this.offerAgain(callId, next)
  }

  /** Confirms a decision made for a call already routed and offers it (or its final action). */
  private async offerAgain(callId: string, next: RouteDecision): Promise<RouteDecision | null> {
    const { decision, reasons } = await confirmDecision(this.options, callId, next)
    // The caller may have hung up while the agent was being confirmed.
    if (!this.options.router.progress(callId)) return null
    const routed = this.routed.get(callId)
    if (routed) {
      routed.decision = decision
      routed.degradedReasons = withCrm(routed.degraded, reasons)
    }
    this.afterDecision(callId, decision)
    return decision
  }

  /** Called when a new rule set is in force: rule errors are logged once per set. */
  rulesReloaded(version: string): void {
    this.rulesVersion = version
    this.loggedRuleErrors = new Set()
  }

  /**
   * A waiting interaction the core just gave an agent (serveWaiting, a widening): 'dequeued' then,
   * once the shared store confirmed the agent, 'offered' as for any decision. Resolves to the
   * decision offered (or the next one, when another process took the agent first), or null when
   * the interaction ended meanwhile.
   */
  async served(served: QueueServed): Promise<RouteDecision | null> {
    const callId = served.interactionId
    this.queued.delete(callId)
    // The reservation goes to the shared store before the listeners of 'dequeued' (records, boards)
    // take their turn, so their work does not delay the offer; 'offered' still comes after 'dequeued'.
    const confirming = confirmDecision(this.options, callId, served.decision)
    this.emit({ type: 'dequeued', callId, queue: served.queue, why: 'served', waitedMs: served.waitedMs })
    const { decision, reasons } = await confirming
    if (!this.options.router.progress(callId)) return null
    const routed = this.routed.get(callId)
    if (routed) {
      routed.decision = decision
      routed.degradedReasons = withCrm(routed.degraded, reasons)
    }
    this.options.logger.info({ callId, queue: served.queue, waitedMs: served.waitedMs, agentId: decision.targets[0]?.agentId ?? null }, 'waiting interaction served')
    this.afterDecision(callId, decision)
    return decision
  }

  /** The queue's overflow applies to a waiting interaction that already left the core: 'dequeued', then 'final'. */
  overflowed(callId: string, queue: string, waitedMs: number, decision: RouteDecision): void {
    this.queued.delete(callId)
    this.emit({ type: 'dequeued', callId, queue, why: 'overflow', waitedMs })
    const routed = this.routed.get(callId)
    if (routed) routed.decision = decision
    this.options.logger.info({ callId, queue, waitedMs, final: decision.final.kind }, 'waiting interaction overflowed')
    this.afterDecision(callId, decision)
  }

  /**
   * The caller asked to be called back while waiting: the call-back keeps the call's place in the core
   * (CallRouter.keepPlace), the caller's call ends ('dequeued' callback, then 'ended' as handed on, so
   * no missed-call task doubles the call-back), and a later ended() for it is ignored.
   */
  keepPlace(callId: string): boolean {
    const position = this.options.router.keepPlace(callId)
    if (!position) return false
    this.keptPlaces.add(callId)
    this.queued.delete(callId)
    this.emit({ type: 'dequeued', callId, queue: position.queue, why: 'callback', waitedMs: position.waitedMs })
    this.clearTimer(callId)
    this.timed.delete(callId)
    this.routed.delete(callId)
    this.emit({ type: 'ended', callId, detail: { outcome: 'redirected', cause: `call-back requested after waiting ${Math.round(position.waitedMs / 1000)} s in queue ${position.queue}; it keeps the place` } })
    return true
  }

  /** A call-back that kept its place was served (or dropped): its id is an ordinary finished one again. */
  placeKept(callId: string): void {
    this.keptPlaces.delete(callId)
  }

  /** For the queue service: tells every listener of a queue event (queue-moved) it worked out. */
  publish(event: InteractionEvent): void {
    this.emit(event)
  }

  /** Runs `listener` when the router is closed (the parts built around it stop their timers). */
  onClose(listener: () => void): void {
    this.closeListeners.push(listener)
  }

  close(): void {
    for (const listener of this.closeListeners) listener()
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
    this.ringGate.clear()
  }

  /** An interaction routed and not yet ended, with its current decision. */
  interaction(callId: string): Readonly<RoutedInteraction> | undefined {
    return this.routed.get(callId)
  }

  /** Where an interaction stands in the core (its agent, answered or ringing), or undefined once it ended. */
  progress(callId: string): InteractionProgress | undefined {
    return this.options.router.progress(callId)
  }

  /** Interactions routed and not yet ended. */
  get inProgress(): number {
    return this.routed.size
  }

  private afterDecision(callId: string, decision: RouteDecision): void {
    const target = decision.targets[0]
    const routed = this.routed.get(callId)
    if (target && routed) {
      const work = this.emit({ type: 'offered', callId, agentId: target.agentId, ringSeconds: target.ringSeconds, routed })
      this.ringGate.offered(callId, target.agentId, work)
      if (this.timed.has(callId)) {
        const timer = setTimeout(() => {
          this.timers.delete(callId)
          void this.failed(callId, target.agentId, 'ring-timeout')
        }, target.ringSeconds * 1000)
        timer.unref()
        this.timers.set(callId, timer)
      }
      return
    }
    if (decision.queued) {
      const { queue, position, estimatedWaitSeconds } = decision.queued
      this.queued.add(callId)
      this.emit({ type: 'queued', callId, queue, position, estimatedWaitSeconds })
      return
    }
    this.emit({ type: 'final', callId, decision })
    // Nothing is reserved any more: the final action (voicemail, reject, queue) is the adapter's to carry out.
    if (this.timed.has(callId)) this.ended(callId)
  }

  private logRuleErrors(decision: RouteDecision): void {
    for (const tried of decision.trace.rulesTried) {
      if (!tried.error || this.loggedRuleErrors.has(tried.rule)) continue
      this.loggedRuleErrors.add(tried.rule)
      this.options.logger.warn({ rule: tried.rule, error: tried.error, rulesVersion: this.rulesVersion }, 'rule condition failed at call time; counted as not matching')
    }
  }

  private clearTimer(callId: string): void {
    const timer = this.timers.get(callId)
    if (timer) clearTimeout(timer)
    this.timers.delete(callId)
  }

  /** Tells every listener; returns what they handed back to wait for (see onEvent), or null. */
  private emit(event: InteractionEvent): Promise<unknown> | null {
    let work: Promise<unknown>[] | null = null
    for (const listener of this.listeners) {
      const result = listener(event)
      if (result instanceof Promise) (work ??= []).push(result)
    }
    return work && (work.length === 1 ? work[0]! : Promise.all(work))
  }

  private sharedDegradation(): DegradedReason[] {
    const reason = this.sharedStateDegraded?.() ?? null
    return reason ? [reason] : []
  }

  /**
   * A decision that holds nobody: reserved and given back in one synchronous stretch, so no other
   * interaction ever sees its agents taken, while the round-robin still moves on past them.
   */
  private decideHoldingNobody(input: Parameters<CallRouter['route']>[0]): RouteDecision {
    const decision = this.options.router.route(input)
    this.options.router.ended(input.interaction.id)
    return decision
  }
}
