import type { AgentIndex } from './agent-index.js'
import { decide, DEFAULT_MAX_TARGETS, type DecideInput } from './decide.js'
import type { RuleMatch } from './match-rule.js'
import { finalReason } from './reasons.js'
import type { CustomerSummary, RouteDecision, RoutingEnv, RuleSet } from './types.js'
import type { Place } from './waiting/arrival.js'
import { QueueDesk } from './waiting/desk.js'
import type { DeskHost } from './waiting/host.js'
import type { QueuedPosition, QueueServed, QueueSnapshot, QueueTimeout, WaitEnd } from './waiting/types.js'

/**
 * Why an offered agent did not take the interaction. 'taken': another server process sharing the
 * agents reserved the agent's last free slot first, so the local reservation was not confirmed.
 * 'unconfirmed': the store shared with those processes did not answer in time, so the reservation
 * was withdrawn rather than kept unchecked.
 */
export type OfferFailure = 'ring-timeout' | 'busy' | 'declined' | 'unreachable' | 'taken' | 'unconfirmed'

/** A decision's input as the router takes it: the router owns exclusions and the target limit. */
export type RouteInput = Omit<DecideInput, 'exclude' | 'maxTargets' | 'fullTrace'>

export interface CallRouterOptions {
  index: AgentIndex
  env: RoutingEnv
  /** Seconds an agent stays in wrap-up after an answered interaction ends; 0 for none. */
  wrapUpSeconds: number
  /** Targets per decision (default 3). */
  maxTargets?: number
  /** Mean handle time assumed for wait estimates until answered calls have ended (default 180 s). */
  initialHandleSeconds?: number
}

/** Where one interaction stands, for logs and admin pages. */
export interface InteractionProgress {
  interactionId: string
  /** The agent reserved (ringing or talking), or null while none is. */
  agentId: string | null
  answered: boolean
  failed: { agentId: string; why: OfferFailure }[]
}

interface Offer {
  input: RouteInput
  agentId: string | null
  answered: boolean
  /** When the reserved agent answered, for the mean handle time. */
  answeredAt: number
  excluded: Set<string>
  failed: { agentId: string; why: OfferFailure }[]
  /** Its place in line once it has waited: kept if it has to wait again. */
  place: Place | null
}

/**
 * Decides and reserves in one synchronous call, so no two interactions handled by this process can
 * ever be given the same free slot. Tracks each interaction from route() until ended() or cancel(),
 * which the adapter must call exactly once per routed interaction (also when it was queued).
 */
export class CallRouter {
  private readonly index: AgentIndex
  private readonly env: RoutingEnv
  private readonly wrapUpSeconds: number
  private readonly maxTargets: number
  private readonly offers = new Map<string, Offer>()
  private readonly desk: QueueDesk

  constructor(options: CallRouterOptions) {
    if (!Number.isFinite(options.wrapUpSeconds) || options.wrapUpSeconds < 0) {
      throw new RangeError(`wrapUpSeconds must be 0 or more, got ${options.wrapUpSeconds}`)
    }
    const maxTargets = options.maxTargets ?? DEFAULT_MAX_TARGETS
    if (!Number.isInteger(maxTargets) || maxTargets < 1) throw new RangeError(`maxTargets must be a whole number >= 1, got ${maxTargets}`)
    this.index = options.index
    this.env = options.env
    this.wrapUpSeconds = options.wrapUpSeconds
    this.maxTargets = maxTargets
    this.desk = new QueueDesk(this.host(), options.initialHandleSeconds ?? 180)
  }

  /** Interactions between route() and ended()/cancel(). */
  get activeInteractions(): number {
    return this.offers.size
  }

  /**
   * Decides and reserves the first target. Its targets[0], if any, is ringing now; with no target
   * the decision's `final` applies, and route() may be called again for the same interaction when
   * agents free up (a queue) — any reservation it held is given back first, its failures stay.
   */
  route(input: RouteInput): RouteDecision {
    const id = input.interaction.id
    let offer = this.offers.get(id)
    if (offer === undefined) {
      offer = { input, agentId: null, answered: false, answeredAt: 0, excluded: new Set(), failed: [], place: null }
      this.offers.set(id, offer)
    } else {
      this.release(offer)
      this.leaveQueue(id)
      offer.input = input
    }
    return this.park(offer)
  }

  /** The decision route() would make, with every member considered listed; reserves nobody. */
  explain(input: RouteInput): RouteDecision {
    const excluded = this.offers.get(input.interaction.id)?.excluded
    return decide({ ...input, exclude: excluded, maxTargets: this.maxTargets, fullTrace: true }, this.index, this.env)
  }

  /**
   * The offer to `failedAgentId` failed (the adapter's ring timer ran out, or the agent was busy or
   * declined): the interaction's reservation is released, that agent is never offered it again, and
   * the next target is decided and reserved. Null for an unknown or already answered interaction.
   */
  next(interactionId: string, failedAgentId: string, why: OfferFailure): RouteDecision | null {
    const offer = this.offers.get(interactionId)
    if (offer === undefined || offer.answered) return null
    this.release(offer)
    this.leaveQueue(interactionId)
    offer.excluded.add(failedAgentId)
    offer.failed.push({ agentId: failedAgentId, why })
    return this.park(offer)
  }

  /**
   * Like next() without offering anyone else: the reservation of `agentId` is released and that agent
   * is never offered the interaction again. False for an unknown or answered interaction, or one not
   * reserving that agent.
   */
  withdraw(interactionId: string, agentId: string, why: OfferFailure): boolean {
    const offer = this.offers.get(interactionId)
    if (offer === undefined || offer.answered || offer.agentId !== agentId) return false
    this.release(offer)
    offer.excluded.add(agentId)
    offer.failed.push({ agentId, why })
    return true
  }

  /** The reserved agent answered. False when `agentId` is not the one this interaction reserved. */
  answered(interactionId: string, agentId: string): boolean {
    const offer = this.offers.get(interactionId)
    if (offer === undefined || offer.answered || offer.agentId !== agentId) return false
    if (!this.index.answered(agentId, this.env.now())) return false
    offer.answered = true
    offer.answeredAt = this.env.now()
    return true
  }

  /**
   * A blind transfer of an answered interaction: `rules` say whom it may go to now (a named agent,
   * a team, the whole rules), and the transferring agent is never chosen. When someone can take it, the
   * transferring agent's part is over (wrap-up, as for an ended call) and the new agent is reserved,
   * in one synchronous stretch; when nobody can, nothing changes and the decision (no targets) says
   * why. A transfer never queues. Null when `fromAgentId` is not talking on the interaction.
   */
  transfer(interactionId: string, fromAgentId: string, rules: RuleSet): RouteDecision | null {
    const offer = this.offers.get(interactionId)
    if (offer === undefined || !offer.answered || offer.agentId !== fromAgentId) return null
    const input = { ...offer.input, rules }
    const excluded = new Set([fromAgentId])
    const candidates = decide({ ...input, exclude: excluded, maxTargets: this.maxTargets }, this.index, this.env)
    if (candidates.targets.length === 0) return candidates
    this.release(offer)
    offer.input = input
    offer.excluded = excluded
    offer.failed = []
    return this.offerNext(offer)
  }

  /**
   * The interaction goes back to an agent it left (a transfer they made was not taken): like
   * route() with `rules`, but `agentId` may be chosen again.
   */
  returnTo(interactionId: string, agentId: string, rules: RuleSet): RouteDecision | null {
    const offer = this.offers.get(interactionId)
    if (offer === undefined || offer.answered) return null
    offer.excluded.delete(agentId)
    return this.route({ ...offer.input, rules })
  }

  /**
   * The interaction is over: an answered one puts its agent into wrap-up, an unanswered offer is
   * released, a waiting one leaves its queue (use abandon() first to learn how long it waited).
   */
  ended(interactionId: string): boolean {
    const offer = this.offers.get(interactionId)
    if (offer === undefined) return false
    this.leaveQueue(interactionId)
    this.release(offer)
    this.offers.delete(interactionId)
    return true
  }

  /** The interaction went away before being answered (caller hung up, taken elsewhere); same effect as ended(). */
  cancel(interactionId: string): boolean {
    return this.ended(interactionId)
  }

  /**
   * Hands freed agents their next waiting interaction. Call it after anything that may free an
   * agent: ended() or cancel() of an answered call, a wrap-up over (after dueWaits), setAgentState
   * available, a capacity raised or an agent added (upsertAgent), restoreState. For each agent freed
   * since the last call it picks, among the waits whose current stage accepts the agent, the highest
   * priority, then the earliest arrival; reserves the agent; and the interaction leaves the queue
   * (it stays routed: next()/answered()/ended() apply as to any offer). Never scans all waits.
   * Call it before routing anything else, so an arrival never takes an agent an earlier wait is owed.
   */
  serveWaiting(): QueueServed[] {
    return this.desk.serve()
  }

  /**
   * Widenings and overflows due at or before `now` (also ends wrap-ups due, so call serveWaiting()
   * next). A widening serves at once when one of the newly accepted agents is free.
   */
  dueWaits(now: number): QueueTimeout[] {
    return this.desk.due(now)
  }

  /** When dueWaits next has something to do (a wait runs out, or a wrap-up ends while calls wait), or null. */
  nextDueAt(): number | null {
    return this.desk.nextDueAt()
  }

  /** Where a waiting interaction stands, or null when it is not waiting. */
  waiting(interactionId: string): QueuedPosition | null {
    const w = this.desk.room.get(interactionId)
    return w === undefined ? null : this.desk.positionOf(w)
  }

  /** Interactions waiting now, in every queue. */
  get waitingCount(): number {
    return this.desk.room.size
  }

  /** The waits' timers held, moot ones (of waits since gone) included: bounded by the waits now. */
  get queueTimersHeld(): number {
    return this.desk.room.timersHeld
  }

  /** The mean talk time of the last answered interactions (the estimate's), in milliseconds. */
  get meanHandleMs(): number {
    return this.desk.handleTimes.meanMs
  }

  /** Every waiting interaction's position (O(waiting × log)); for announcements, not per event. */
  positions(): Map<string, QueuedPosition> {
    return this.desk.positions()
  }

  /** Every queue configured or with someone waiting, with its calls in order. */
  queueSnapshots(now: number = this.env.now()): QueueSnapshot[] {
    return this.desk.snapshots(now)
  }

  /**
   * The caller asked to be called back: the waiting interaction becomes a call-back (kind
   * 'callback') with the same priority and place. Call it instead of ended()/cancel() for the
   * caller's leg. When served, QueueServed.kind is 'callback' and the service places the call.
   * Null when the interaction is not waiting.
   */
  keepPlace(interactionId: string): QueuedPosition | null {
    return this.desk.keepPlace(interactionId)
  }

  /**
   * A customer's data changed (a new owner, say): their waiting interactions now wait for what the
   * new data says, keeping their place. Returns those served at once (the new owner is free).
   */
  customerChanged(customerId: string, customer: CustomerSummary): QueueServed[] {
    return this.desk.customerChanged(customerId, customer)
  }

  /**
   * The caller hung up while waiting: like cancel(), and tells how long they waited. Null when the
   * interaction was not waiting (then nothing is done: call cancel() or ended() as usual).
   */
  abandon(interactionId: string): WaitEnd | null {
    const w = this.desk.room.get(interactionId)
    if (w === undefined) return null
    const end: WaitEnd = { interactionId, queue: w.queue.name, waitedMs: this.env.now() - w.parkedAt, kind: w.kind }
    this.cancel(interactionId)
    return end
  }

  progress(interactionId: string): InteractionProgress | undefined {
    const offer = this.offers.get(interactionId)
    if (offer === undefined) return undefined
    return { interactionId, agentId: offer.agentId, answered: offer.answered, failed: offer.failed.slice() }
  }

  /**
   * Decides and reserves the first target that can still be reserved. Deciding and reserving run
   * in one synchronous stretch, so in one process the first always can; the rest are a guard for
   * state fed to the index from elsewhere between the two.
   */
  private offerNext(offer: Offer, stepCount?: number, matched?: RuleMatch): RouteDecision {
    const now = this.env.now()
    const decision = decide(this.decideInput(offer, stepCount, matched), this.index, this.env)
    const targets = decision.targets
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i]!
      if (this.index.reserve(target.agentId, now)) {
        offer.agentId = target.agentId
        return i === 0 ? decision : { ...decision, targets: targets.slice(i), reason: target.reason }
      }
    }
    return targets.length === 0 ? decision : { ...decision, targets: [], reason: finalReason(decision.final, 'no agent free') }
  }

  /**
   * The offer's input with the router's exclusions and limit. Built field by field rather than
   * spread: every decision then gets an object of one shape, which a freed agent's serve (the
   * queue's hot path) reads fastest.
   */
  private decideInput(offer: Offer, stepCount: number | undefined, matched: RuleMatch | undefined): DecideInput {
    const { interaction, customer, line, rules } = offer.input
    return { interaction, customer, line, rules, exclude: offer.excluded, maxTargets: this.maxTargets, stepCount, matched }
  }

  /** Decides, reserves, or parks the interaction in its queue, keeping an earlier place in line. */
  private park(offer: Offer): RouteDecision {
    const id = offer.input.interaction.id
    const decision = this.desk.route(id, offer.place)
    const w = this.desk.room.get(id)
    if (w !== undefined) offer.place = { seq: w.seq, parkedAt: w.parkedAt }
    return decision
  }

  /** Takes the interaction out of its queue, if it waits in one. */
  private leaveQueue(id: string): void {
    const w = this.desk.room.get(id)
    if (w !== undefined) this.desk.room.remove(w)
  }

  /** What the waiting queue may do to the interactions it holds. */
  private host(): DeskHost {
    const get = (id: string): Offer => {
      const offer = this.offers.get(id)
      if (offer === undefined) throw new Error(`interaction ${id} is not routed by this router`)
      return offer
    }
    return {
      index: this.index,
      env: this.env,
      offer: (id, stepCount, matched) => this.offerNext(get(id), stepCount, matched),
      decideAll: (id, matched) => decide(this.decideInput(get(id), undefined, matched), this.index, this.env),
      maxTargets: this.maxTargets,
      input: (id) => get(id).input,
      excluded: (id) => get(id).excluded,
      setCustomer: (id, customer) => {
        const offer = get(id)
        offer.input = { ...offer.input, customer }
      },
      setKind: (id, kind) => {
        const offer = get(id)
        offer.input = { ...offer.input, interaction: { ...offer.input.interaction, kind } }
      },
      leave: (id) => void this.offers.delete(id)
    }
  }

  /** Gives back whatever the interaction holds: ends a call in progress, releases a ringing offer. */
  private release(offer: Offer): void {
    const agentId = offer.agentId
    if (agentId === null) return
    const now = this.env.now()
    if (offer.answered) this.desk.handleTimes.add(now - offer.answeredAt)
    if (offer.answered) this.index.ended(agentId, now, this.wrapUpSeconds)
    else this.index.release(agentId, now)
    offer.agentId = null
    offer.answered = false
  }
}
