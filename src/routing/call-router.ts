import type { AgentIndex } from './agent-index.js'
import { decide, DEFAULT_MAX_TARGETS, type DecideInput } from './decide.js'
import { finalReason } from './reasons.js'
import type { RouteDecision, RoutingEnv } from './types.js'

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
  excluded: Set<string>
  failed: { agentId: string; why: OfferFailure }[]
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
    let offer = this.offers.get(input.interaction.id)
    if (offer === undefined) {
      offer = { input, agentId: null, answered: false, excluded: new Set(), failed: [] }
      this.offers.set(input.interaction.id, offer)
    } else {
      this.release(offer)
      offer.input = input
    }
    return this.offerNext(offer)
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
    offer.excluded.add(failedAgentId)
    offer.failed.push({ agentId: failedAgentId, why })
    return this.offerNext(offer)
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
    return true
  }

  /** The interaction is over: an answered one puts its agent into wrap-up, an unanswered offer is released. */
  ended(interactionId: string): boolean {
    const offer = this.offers.get(interactionId)
    if (offer === undefined) return false
    this.release(offer)
    this.offers.delete(interactionId)
    return true
  }

  /** The interaction went away before being answered (caller hung up, taken elsewhere); same effect as ended(). */
  cancel(interactionId: string): boolean {
    return this.ended(interactionId)
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
  private offerNext(offer: Offer): RouteDecision {
    const now = this.env.now()
    const decision = decide({ ...offer.input, exclude: offer.excluded, maxTargets: this.maxTargets }, this.index, this.env)
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

  /** Gives back whatever the interaction holds: ends a call in progress, releases a ringing offer. */
  private release(offer: Offer): void {
    const agentId = offer.agentId
    if (agentId === null) return
    const now = this.env.now()
    if (offer.answered) this.index.ended(agentId, now, this.wrapUpSeconds)
    else this.index.release(agentId, now)
    offer.agentId = null
    offer.answered = false
  }
}
