import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { CallOutcome } from '../calls/call-record.js'
import { isConnectionError } from '../errors.js'
import type { CallerIdentifier, CallerIdentity } from '../identify/identify-caller.js'
import type { CallRouter, OfferFailure } from '../routing/call-router.js'
import type { Channel, InteractionKind, LineInfo, RouteDecision, RuleSet } from '../routing/types.js'
import type { LineDirectory } from './line-directory.js'
import { requestedAgentRules } from './requested-agent.js'
import { RingGate, type RingGateResult } from './ring-gate.js'
import { confirmDecision, withCrm, type DegradedReason, type ReservationOutcome } from './shared-confirmation.js'

export type { DegradedReason, ReservationOutcome }

/** A request to route something: a call, a web visit, a call-back request. */
export interface RouteRequest {
  /** The caller's number in any format (SIP URI, "8 (916) …"), or null when withheld. */
  caller: string | null
  /** The number they dialed (the line), in any format. */
  dialed: string | null
  /** The adapter's id for the interaction (SIP Call-ID, Asterisk Linkedid); generated when absent. */
  callId?: string
  kind?: InteractionKind
  channel: Channel
  product?: string | null
  /** Decide as if at this instant (explain only). */
  at?: number
  /** The caller's name as the telephony side gave it, when the caller field does not carry it. */
  callerName?: string | null
  /** Outbound for call-backs and click-to-call; inbound otherwise. */
  direction?: 'inbound' | 'outbound'
  /**
   * Whether the server moves to the next target after the ring time (HTTP callers that cannot time
   * ringing themselves). Adapters that ring the phone and report no-answer pass false. Default: the router's.
   */
  ringTimer?: boolean
  /** Offer this agent and nobody else (click-to-call, a call-back placed by its agent). */
  agentId?: string | null
  /**
   * False: decide without holding anybody (a SIP 302 hands the call back to the PBX, which rings the
   * agents itself). The round-robin moves on past the chosen agents as for any offer, but nobody is
   * reserved, so simultaneous interactions are decided as if this one were not there. Default true.
   */
  reserve?: boolean
}

/** How an adapter says an interaction ended; the outcome is worked out when not given. */
export interface EndDetail {
  /** Overrides the computed outcome (answered if answered, rejected by a rule, missed otherwise). */
  outcome?: CallOutcome
  /** The telephony side's reason: a hangup cause, a SIP status. */
  cause?: string
  /** When it ended (epoch ms), when the adapter learns of the end late (a lost Hangup found later); now otherwise. */
  at?: number
}

/** What routing an interaction produced, with everything the caller of the service needs to act on it. */
export interface RoutedInteraction {
  callId: string
  decision: RouteDecision
  caller: CallerIdentity
  line: LineInfo | null
  rulesVersion: string
  /** True when the CRM could not be asked and the caller was routed as unknown. */
  degraded: boolean
  /** Every reason the current decision is degraded, the CRM's included; absent or empty when none. */
  degradedReasons?: DegradedReason[]
}

/** What happened to an interaction after it was routed; adapters and screen-pops listen. */
export type InteractionEvent =
  | { type: 'identified'; callId: string; identity: IdentifiedInteraction }
  | { type: 'routed'; callId: string; routed: RoutedInteraction; request: RoutedRequest }
  | { type: 'offered'; callId: string; agentId: string; ringSeconds: number; routed: RoutedInteraction }
  | { type: 'offer-failed'; callId: string; agentId: string; why: OfferFailure }
  | { type: 'final'; callId: string; decision: RouteDecision }
  | { type: 'ringing'; callId: string; agentId: string }
  | { type: 'answered'; callId: string; agentId: string }
  | { type: 'ended'; callId: string; detail: EndDetail }
  | { type: 'note'; callId: string; kind: string; agentId: string | null; data: Record<string, unknown> | null }

/** Who is calling and on which line, known before the decision (for work that can start early, like the card). */
export type IdentifiedInteraction = Pick<RoutedInteraction, 'callId' | 'caller' | 'line' | 'rulesVersion' | 'degraded'>

/** What a 'routed' event tells of the request beyond the decision. */
export interface RoutedRequest {
  kind: InteractionKind
  channel: Channel
  direction: 'inbound' | 'outbound'
  callerName: string | null
  /** The number dialed: E.164 when it is one, else as given (shortened), null when none was. */
  dialed: string | null
  /** When the interaction arrived, epoch ms. */
  at: number
}

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
  private readonly ringGate: RingGate
  private loggedRuleErrors = new Set<string>()
  private rulesVersion = ''
  /** Set by the wiring when agents' states are shared: why they are degraded now, for decisions that reserve nobody. */
  sharedStateDegraded: (() => DegradedReason | null) | null = null

  constructor(private readonly options: InteractionRouterOptions) {
    this.ringGate = new RingGate(options.beforeRingMs ?? 5)
  }

  /**
   * Listeners run synchronously and must not throw. For an 'offered' event a listener may return a
   * promise of what must go out before the agent is rung (their card); beforeRing() waits for it.
   */
  onEvent(listener: (event: InteractionEvent) => unknown): void {
    this.listeners.push(listener)
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
    const prepared = await this.prepare(request)
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
    this.options.logger.info(
      { callId: routed.callId, caller: routed.caller.phone.ok ? routed.caller.phone.e164 : null, customerId: routed.caller.customer?.id ?? null, rule: decision.rule, agentId: decision.targets[0]?.agentId ?? null, final: decision.targets.length === 0 ? decision.final.kind : undefined },
      'interaction routed'
    )
    this.afterDecision(routed.callId, decision)
    return routed
  }

  /** The decision for a hypothetical interaction; reserves nobody. */
  async explain(request: RouteRequest): Promise<RoutedInteraction> {
    const prepared = await this.prepare(request)
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
    const { decision, reasons } = await confirmDecision(this.options, callId, next)
    // The caller may have hung up while the next agent was being confirmed.
    if (!this.options.router.progress(callId)) return null
    this.options.logger.info({ callId, agentId, why, next: decision.targets[0]?.agentId ?? null }, 'offer failed')
    const routed = this.routed.get(callId)
    if (routed) {
      routed.decision = decision
      routed.degradedReasons = withCrm(routed.degraded, reasons)
    }
    this.afterDecision(callId, decision)
    return decision
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
    this.options.logger.info({ callId, agentId }, 'interaction answered')
    return true
  }

  /** The interaction is over (hung up, cancelled): releases or wraps up its agent. */
  ended(callId: string, detail: EndDetail = {}): boolean {
    this.clearTimer(callId)
    this.timed.delete(callId)
    this.ringGate.forget(callId)
    const known = this.routed.delete(callId)
    if (!this.options.router.ended(callId) && !known) return false
    this.emit({ type: 'ended', callId, detail })
    this.options.logger.info({ callId, outcome: detail.outcome, cause: detail.cause }, 'interaction ended')
    return true
  }

  /** Called when a new rule set is in force: rule errors are logged once per set. */
  rulesReloaded(version: string): void {
    this.rulesVersion = version
    this.loggedRuleErrors = new Set()
  }

  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
    this.ringGate.clear()
  }

  /** An interaction routed and not yet ended, with its current decision. */
  interaction(callId: string): Readonly<RoutedInteraction> | undefined {
    return this.routed.get(callId)
  }

  /** Interactions routed and not yet ended. */
  get inProgress(): number {
    return this.routed.size
  }

  private async prepare(request: RouteRequest) {
    const { identifier, lines, now } = this.options
    const rules = request.agentId ? requestedAgentRules(this.options.rules(), request.agentId) : this.options.rules()
    const callId = request.callId ?? randomUUID()
    let degraded = false
    let caller: CallerIdentity
    try {
      caller = await identifier.identify(request.caller)
    } catch (err) {
      if (!isConnectionError(err)) throw err
      // Route on what we have: an unknown caller still reaches somebody.
      degraded = true
      caller = { phone: identifier.normalize(request.caller), customer: null }
      this.options.logger.warn({ callId, err }, 'CRM unreachable; routing the caller as unknown')
    }
    const dialed = identifier.normalize(request.dialed)
    const line = lines.find(dialed.ok ? dialed.e164 : null, rules)
    const interaction = {
      id: callId,
      kind: request.kind ?? 'call',
      caller: caller.phone.ok ? caller.phone.e164 : null,
      dialed: dialed.ok ? dialed.e164 : null,
      at: request.at ?? now(),
      channel: request.channel,
      product: request.product ?? null
    }
    return {
      input: { interaction, customer: caller.customer, line, rules },
      result: { callId, caller, line, rulesVersion: rules.version, degraded }
    }
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
