import type { Logger } from 'pino'
import type { CustomerCard } from '../crm/customer-card.js'
import type { IdentifiedInteraction, InteractionEvent, RoutedInteraction } from '../interactions/interaction-router.js'
import type { OfferFailure } from '../routing/call-router.js'
import type { LeadNotice, WorkflowEvent } from '../workflows/notices.js'
import { CardCache } from './card-cache.js'

/** Who is calling, as the card shows it. */
export type CardSubject =
  | {
      kind: 'customer'
      customer: { id: number; name: string; tier: string | null; ownerAgentId: string | null }
      /** The full card with history; null when the CRM could not be read (then `historyUnavailable`), or nobody was watching (then `historyOmitted`). */
      card: CustomerCard | null
      historyUnavailable: boolean
      /** No page of the agent was open (and no webhook set) when the call was offered: the history was not read; GET /v1/customers/:id/card has it. */
      historyOmitted?: true
    }
  | {
      kind: 'lead'
      lead: true
      campaign: string | null
      source: string | null
      line: string | null
      costPerLead: number | null
      /** The lead the CRM already holds for this number (a returning unknown caller); absent on a first call. */
      openLead?: LeadNotice | null
    }

/** The screen-pop for one offer of a call to one agent. */
export interface CardEvent {
  type: 'card'
  callId: string
  /** "Ivan Petrov", or "new lead from spring-crm". */
  title: string
  caller: { number: string | null; displayName: string | null }
  who: CardSubject
  line: { number: string; name: string | null; source: string | null; campaign: string | null; product: string | null } | null
  /** Why this agent gets it, in plain words: "your customer", "team vip-desk". */
  reason: string
  ringSeconds: number
  rule: string | null
  /** The caller could not be identified because the CRM was unreachable. */
  degraded: boolean
  /** Present when a colleague handed the call on: who, and what they said ("wants a discount"). */
  transfer?: { fromAgentId: string; fromName: string | null; note: string | null }
}

/** Everything a page receives about calls; later events update the card of the same callId. */
export type ScreenPopEvent =
  | CardEvent
  | { type: 'answered'; callId: string; answeredBy: string; answeredByName: string | null }
  | { type: 'taken-by-other'; callId: string; answeredBy: string; answeredByName: string | null }
  | { type: 'missed'; callId: string; why: OfferFailure }
  | { type: 'ended'; callId: string }
  | WorkflowEvent

export interface CardEventsOptions {
  hub: { publish(agentId: string, event: ScreenPopEvent): unknown }
  /** The customer's card with history; may reject when the CRM is unreachable. */
  loadCard: (customerId: number) => Promise<CustomerCard | null>
  logger: Logger
  /** The name of the agent with this id, for "Answered by Boris Orlov"; null (or unset) when unknown, and the page shows the id. */
  nameOf?: (agentId: string) => string | null
  /** The open lead behind an unknown caller's number, when the CRM keeps leads; may reject. */
  loadLead?: (phone: string) => Promise<LeadNotice | null>
  /** Calls followed at once at most; the oldest is forgotten past it (a call never ended). */
  maxCalls?: number
  /**
   * Whether someone will see this agent's card (a page open, a webhook set); unwatched agents get
   * the card without the history, which is then never read. Unset: every agent is watched.
   */
  watched?: (agentId: string) => boolean
  /** Whether anyone at all may see a card now: the history is then read as soon as the caller is identified. Unset: always. */
  anyWatched?: () => boolean
}

interface FollowedCall {
  /** Agents who were sent this call's card. */
  agents: Set<string>
  subject: Promise<CardSubject> | null
  /** The subject without the history, for agents nobody watches. */
  light: CardSubject | null
  /** Publishing of this call's events, in the order they happened. */
  chain: Promise<void>
}

const DEFAULT_MAX_CALLS = 10_000

/**
 * Turns what happens to interactions into screen-pop events for the agents
 * concerned: a card when a call is offered to an agent, then what became of
 * it (answered, taken by another agent, missed, ended).
 *
 * The card's CRM part is read as soon as the caller is identified, before the
 * decision, and the card is published as soon as it is built; for an offer the
 * listener hands back the card's publishing, which the adapter may wait for
 * (boundedly) before ringing the agent. A call's events are published in order
 * even though building the card waits for the CRM. Nothing here can fail or
 * slow routing: a CRM error gives a card without history, in the log.
 */
export class CardEvents {
  private readonly calls = new Map<string, FollowedCall>()
  private readonly pending = new Set<Promise<void>>()
  private readonly maxCalls: number
  /** Customers' cards for the calls in progress, shared by the calls of one customer. */
  readonly cache: CardCache

  constructor(private readonly options: CardEventsOptions) {
    this.maxCalls = options.maxCalls ?? DEFAULT_MAX_CALLS
    this.cache = new CardCache((customerId) => options.loadCard(customerId))
  }

  /** The InteractionRouter listener; for an offer, returns the publishing of the agent's card. */
  readonly handle = (event: InteractionEvent): Promise<void> | undefined => {
    switch (event.type) {
      case 'identified': {
        const call = this.follow(event.callId)
        if (this.options.anyWatched?.() ?? true) call.subject ??= this.subject(event.identity)
        return
      }
      case 'offered': {
        const call = this.follow(event.callId)
        call.agents.add(event.agentId)
        // Read now: the routed interaction's decision changes when the offer moves on.
        const card = cardBase(event.routed, event.agentId, event.ringSeconds)
        // A history already read goes to everyone; none is read for an agent nobody watches.
        const watched = call.subject !== null || (this.options.watched?.(event.agentId) ?? true) || !event.routed.caller.customer
        const subject = watched ? (call.subject ??= this.subject(event.routed)) : (call.light ??= lightSubject(event.routed))
        return this.then(call, event.agentId, async () => ({ ...card, who: await subject }))
      }
      case 'offer-failed': {
        const call = this.calls.get(event.callId)
        if (call) this.then(call, event.agentId, async () => ({ type: 'missed', callId: event.callId, why: event.why }))
        return
      }
      case 'answered': {
        const call = this.calls.get(event.callId)
        if (!call) return
        const answeredByName = this.options.nameOf?.(event.agentId) ?? null
        for (const agentId of call.agents) {
          const type = agentId === event.agentId ? 'answered' : 'taken-by-other'
          this.then(call, agentId, async () => ({ type, callId: event.callId, answeredBy: event.agentId, answeredByName }))
        }
        return
      }
      case 'ended': {
        const call = this.calls.get(event.callId)
        if (!call) return
        this.forget(event.callId)
        for (const agentId of call.agents) this.then(call, agentId, async () => ({ type: 'ended', callId: event.callId }))
        return
      }
      case 'final':
        // Nobody more is offered the call; its agents already have their "missed".
        return
    }
  }

  /** Resolves once every event received so far is published. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending)
  }

  private then(call: FollowedCall, agentId: string, build: () => Promise<ScreenPopEvent>): Promise<void> {
    const step = call.chain.then(async () => {
      try {
        this.options.hub.publish(agentId, await build())
      } catch (err) {
        this.options.logger.error({ err, agentId }, 'screen-pop event not published')
      }
    })
    call.chain = step
    this.pending.add(step)
    void step.finally(() => this.pending.delete(step))
    return step
  }

  private follow(callId: string): FollowedCall {
    let call = this.calls.get(callId)
    if (call) return call
    if (this.calls.size >= this.maxCalls) {
      const oldest = this.calls.keys().next().value
      if (oldest !== undefined) this.forget(oldest)
    }
    call = { agents: new Set(), subject: null, light: null, chain: Promise.resolve() }
    this.calls.set(callId, call)
    return call
  }

  private forget(callId: string): void {
    this.calls.delete(callId)
    this.cache.callEnded(callId)
  }

  private async subject(routed: Pick<IdentifiedInteraction, 'callId' | 'caller' | 'line' | 'degraded'>): Promise<CardSubject> {
    const summary = routed.caller.customer
    if (!summary) {
      const line = routed.line
      const subject: CardSubject = { kind: 'lead', lead: true, campaign: line?.campaign ?? null, source: line?.source ?? null, line: line?.number ?? null, costPerLead: line?.costPerLead ?? null }
      const phone = routed.caller.phone
      if (!this.options.loadLead || !phone.ok || routed.degraded) return subject
      try {
        return { ...subject, openLead: await this.options.loadLead(phone.e164) }
      } catch (err) {
        this.options.logger.warn({ err, callId: routed.callId }, 'lead unavailable; card sent without it')
        return subject
      }
    }
    const customer = { id: Number(summary.id), name: summary.name, tier: summary.tier, ownerAgentId: summary.ownerAgentId }
    try {
      return { kind: 'customer', customer, card: await this.cache.get(customer.id, routed.callId), historyUnavailable: false }
    } catch (err) {
      this.options.logger.warn({ err, callId: routed.callId, customerId: customer.id }, 'customer history unavailable; card sent without it')
      return { kind: 'customer', customer, card: null, historyUnavailable: true }
    }
  }
}

/** A known caller's subject without the history (see CardEventsOptions.watched). */
function lightSubject(routed: RoutedInteraction): CardSubject {
  const summary = routed.caller.customer!
  return { kind: 'customer', customer: { id: Number(summary.id), name: summary.name, tier: summary.tier, ownerAgentId: summary.ownerAgentId }, card: null, historyUnavailable: false, historyOmitted: true }
}

function cardBase(routed: RoutedInteraction, agentId: string, ringSeconds: number): Omit<CardEvent, 'who'> {
  const { caller, line, decision } = routed
  const target = decision.targets.find((t) => t.agentId === agentId)
  return {
    type: 'card',
    callId: routed.callId,
    title: caller.customer ? caller.customer.name : routed.degraded ? 'caller not identified (CRM unreachable)' : `new lead from ${line?.campaign ?? line?.name ?? line?.number ?? 'an unknown line'}`,
    caller: { number: caller.phone.ok ? caller.phone.e164 : null, displayName: caller.phone.displayName },
    line: line ? { number: line.number, name: line.name, source: line.source, campaign: line.campaign, product: line.product } : null,
    reason: target?.reason ?? decision.reason,
    ringSeconds,
    rule: decision.rule,
    degraded: routed.degraded,
    ...(routed.transfer ? { transfer: { ...routed.transfer } } : {})
  }
}
