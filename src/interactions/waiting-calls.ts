import type { Logger } from 'pino'
import { Errors } from '../errors.js'
import type { AgentStateStore, ChosenStatus } from '../presence/agent-state-store.js'
import type { CallRouter } from '../routing/call-router.js'
import type { CustomerSummary, RouteDecision } from '../routing/types.js'
import type { QueuedPosition, QueueServed, QueueSnapshot, QueueTimeout } from '../routing/waiting/types.js'
import type { InteractionEvent } from './interaction-types.js'
import type { InteractionRouter } from './interaction-router.js'
import { LongPolls, type WaitOutcome } from './long-polls.js'

/** Places a call-back through the telephony side (Asterisk Originate), the agent given. */
export type PlaceCallBack = (request: { phone: string; agentId: string | null; product: string | null }) => Promise<{ callId: string; agentId: string }>

export interface WaitingCallsOptions {
  router: CallRouter
  interactions: InteractionRouter
  logger: Logger
  now: () => number
  /** Null when no telephony side can place a call: a caller then cannot ask to be called back. */
  placeCallBack: PlaceCallBack | null
  /** The customer a number belongs to now (cache first), to follow a customer whose data changed while they wait. */
  identify?: (phone: string) => Promise<CustomerSummary | null>
  /** Shortest gap between two 'queue-moved' of one call, and how often freed agents are looked for anyway (default 1000). */
  tickMs?: number
}

/** How many interactions wait for an agent and for their team. */
export interface WaitingCounts {
  forYou: number
  forTeam: number
}

/** The teams a decision's steps name ("team floor (longest-idle)", "skills … in team sales"); team names have no spaces. */
function teamsOf(steps: readonly { step: string }[]): Set<string> {
  const teams = new Set<string>()
  for (const { step } of steps) for (const match of step.matchAll(/\bteam ([a-z0-9][a-z0-9:_-]*)/g)) teams.add(match[1]!)
  return teams
}

/** A call-back that keeps a caller's place: who to call when its turn comes. */
interface KeptPlace {
  phone: string
  product: string | null
}

/**
 * The waiting queue around the core. The core parks an interaction nobody can take now; this
 * service hands the waiting interactions to agents the moment one frees up (an ended call, a
 * wrap-up over, an agent set available, agents reloaded), runs one timer for the next widening or
 * overflow, tells the adapters where each call stands ('queue-moved', at most once a second per
 * call), places a call-back whose turn came, and answers the long polls of PBXs waiting on a call.
 */
export class WaitingCalls {
  private readonly kept = new Map<string, KeptPlace>()
  private readonly announced = new Map<string, { queue: string; position: number; estimatedWaitSeconds: number }>()
  readonly polls: LongPolls
  private dueTimer: NodeJS.Timeout | undefined
  private dueAt = Infinity
  private readonly ticker: NodeJS.Timeout
  private kicked = false
  /** Customers with calls waiting → those calls. */
  private readonly byCustomer = new Map<string, Set<string>>()
  private readonly customerOf = new Map<string, string>()
  private counts = { owners: new Map<string, number>(), teams: new Map<string, number>() }
  private closed = false

  constructor(private readonly options: WaitingCallsOptions) {
    this.polls = new LongPolls({ interactions: options.interactions, position: (callId) => this.position(callId) })
    options.interactions.onEvent(this.handle)
    this.ticker = setInterval(() => this.tick(), options.tickMs ?? 1000)
    this.ticker.unref()
  }

  /** Where a waiting interaction stands, or null when it is not waiting. */
  position(callId: string): QueuedPosition | null {
    return this.options.router.waiting(callId)
  }

  /** Every queue with its waiting calls in order. */
  snapshots(): QueueSnapshot[] {
    return this.options.router.queueSnapshots(this.options.now())
  }

  /** True while the interaction is routed and not ended here, or waits as a call-back. */
  known(callId: string): boolean {
    return this.kept.has(callId) || this.options.interactions.interaction(callId) !== undefined
  }

  /** Resolves when the interaction is offered an agent, overflows or ends, or at the timeout with where it stands. */
  waitFor(callId: string, timeoutMs: number): Promise<WaitOutcome> {
    return this.polls.waitFor(callId, timeoutMs)
  }

  /**
   * The waiting caller asks to be called back: the call-back keeps their place and is placed when
   * served. Null when the interaction is not waiting; throws when it cannot be placed at all.
   */
  requestCallBack(callId: string): QueuedPosition | null {
    const routed = this.options.interactions.interaction(callId)
    const position = this.position(callId)
    if (!routed || !position || this.kept.has(callId)) return null
    if (!routed.caller.phone.ok) throw Errors.callBackImpossible(`interaction ${callId} has no usable caller number (${routed.caller.phone.problem}) to call back`)
    if (!this.options.placeCallBack) throw Errors.callBackImpossible('no telephony side that places calls is configured (set AMI_HOST)')
    this.kept.set(callId, { phone: routed.caller.phone.e164, product: routed.line?.product ?? null })
    if (!this.options.interactions.keepPlace(callId)) {
      this.kept.delete(callId)
      return null
    }
    this.options.logger.info({ callId, queue: position.queue, position: position.position }, 'call-back requested; it keeps the place')
    return this.position(callId) ?? position
  }

  /**
   * A customer's data changed (a new owner, say): their waiting calls now wait for what it says,
   * keeping their place, and are served at once when the new owner is free. Never throws.
   */
  async customerChanged(customerId: string): Promise<void> {
    const callIds = this.byCustomer.get(customerId)
    const phone = callIds && [...callIds].map((id) => this.options.interactions.interaction(id)?.caller.phone).find((p) => p?.ok)
    if (!phone?.ok || !this.options.identify) return
    try {
      const customer = await this.options.identify(phone.e164)
      if (!customer || customer.id !== customerId || this.closed) return
      for (const served of this.options.router.customerChanged(customerId, customer)) this.dispatch(served)
      this.schedule()
      this.options.logger.info({ customerId, ownerAgentId: customer.ownerAgentId, waiting: callIds!.size }, 'waiting calls of a changed customer follow the new data')
    } catch (err) {
      this.options.logger.warn({ err, customerId }, 'a changed customer\'s waiting calls keep what they waited for (the CRM did not answer)')
    }
  }

  /** Where an agent was set available (or any chosen state): the waiting calls are served at once. */
  servingOn(store: AgentStateStore): AgentStateStore {
    return {
      setState: (agentId: string, status: ChosenStatus, at: number) => {
        const changed = store.setState(agentId, status, at)
        if (changed) this.kick()
        return changed
      },
      readiness: () => store.readiness()
    }
  }

  /** Something may have freed an agent (or changed what waiting calls accept): serve after the current work. */
  readonly kick = (): void => {
    if (this.kicked || this.closed) return
    this.kicked = true
    queueMicrotask(() => {
      this.kicked = false
      this.serve()
    })
  }

  close(): void {
    this.closed = true
    clearInterval(this.ticker)
    clearTimeout(this.dueTimer)
    this.polls.close()
  }

  /** The InteractionRouter listener. */
  private readonly handle = (event: InteractionEvent): void => {
    switch (event.type) {
      case 'queued': {
        this.announced.set(event.callId, { queue: event.queue, position: event.position, estimatedWaitSeconds: event.estimatedWaitSeconds })
        const customerId = this.options.interactions.interaction(event.callId)?.caller.customer?.id
        if (customerId) {
          this.customerOf.set(event.callId, customerId)
          this.byCustomer.set(customerId, (this.byCustomer.get(customerId) ?? new Set()).add(event.callId))
        }
        this.schedule()
        return
      }
      case 'dequeued':
        this.announced.delete(event.callId)
        if (event.why !== 'callback') this.forgetCustomer(event.callId)
        return
      case 'ended':
      case 'offer-failed':
        // An agent may be free now; the core knows whether anyone waits for them.
        this.announced.delete(event.callId)
        if (event.type === 'ended' && !this.kept.has(event.callId)) this.forgetCustomer(event.callId)
        this.kick()
        return
    }
  }

  private forgetCustomer(callId: string): void {
    const customerId = this.customerOf.get(callId)
    if (customerId === undefined) return
    this.customerOf.delete(callId)
    const calls = this.byCustomer.get(customerId)
    calls?.delete(callId)
    if (calls?.size === 0) this.byCustomer.delete(customerId)
  }

  private serve(): void {
    if (this.closed) return
    for (const served of this.options.router.serveWaiting()) this.dispatch(served)
    this.schedule()
  }

  private dispatch(served: QueueServed): void {
    const kept = this.kept.get(served.interactionId)
    if (kept || served.kind === 'callback') return this.placeCallBack(served, kept)
    this.options.interactions.served(served).catch((err: unknown) => this.options.logger.error({ err, callId: served.interactionId }, 'offering a served waiting call failed'))
  }

  /** The call-back's turn came: its agent is freed for the call placed now, once only. */
  private placeCallBack(served: QueueServed, kept: KeptPlace | undefined): void {
    const callId = served.interactionId
    const agentId = served.decision.targets[0]?.agentId ?? null
    const log = this.options.logger.child({ callId, agentId, queue: served.queue })
    this.kept.delete(callId)
    this.options.interactions.placeKept(callId)
    this.options.interactions.publish({ type: 'dequeued', callId, queue: served.queue, why: 'served', waitedMs: served.waitedMs })
    // Given back just before the call-back reserves the same agent for the call it places.
    this.options.router.ended(callId)
    if (!kept || !this.options.placeCallBack) {
      log.error('a call-back was served whose number is not known here; it is dropped')
      return
    }
    log.info({ waitedMs: served.waitedMs }, 'call-back turn came; placing it')
    this.options.placeCallBack({ phone: kept.phone, agentId, product: kept.product }).then(
      (placed) => log.info({ placedCallId: placed.callId }, 'call-back placed'),
      (err: unknown) => log.error({ err }, 'call-back not placed (its agent was taken meanwhile or the telephony side refused); the caller must be called back by hand')
    )
  }

  /** One timer, at the next widening, overflow or wrap-up end the core knows of. */
  private schedule(): void {
    const at = this.options.router.nextDueAt()
    if (at === null || at >= this.dueAt || this.closed) return
    clearTimeout(this.dueTimer)
    this.dueAt = at
    this.dueTimer = setTimeout(() => this.fireDue(), Math.max(0, at - this.options.now()))
    this.dueTimer.unref()
  }

  private fireDue(): void {
    this.dueTimer = undefined
    this.dueAt = Infinity
    for (const timeout of this.options.router.dueWaits(this.options.now())) this.timedOut(timeout)
    this.serve()
  }

  private timedOut(timeout: QueueTimeout): void {
    const { interactions, logger } = this.options
    switch (timeout.kind) {
      case 'widened':
        logger.info({ callId: timeout.interactionId, queue: timeout.queue, waitedMs: timeout.waitedMs, steps: timeout.steps }, 'waiting interaction widened to the next steps')
        if (timeout.served) this.dispatch(timeout.served)
        return
      case 'moved':
        logger.info({ callId: timeout.interactionId, from: timeout.from, queue: timeout.queue }, 'waiting interaction overflowed into another queue')
        this.announce(timeout.interactionId, timeout.position)
        return
      case 'overflow': {
        const routed = interactions.interaction(timeout.interactionId)
        if (this.kept.delete(timeout.interactionId) || !routed) {
          interactions.placeKept(timeout.interactionId)
          logger.warn({ callId: timeout.interactionId, queue: timeout.queue, waitedMs: timeout.waitedMs }, 'a call-back reached the queue\'s longest wait before an agent was free; it is dropped, call the customer back by hand')
          return
        }
        const decision: RouteDecision = { ...routed.decision, targets: [], final: timeout.final, reason: timeout.reason, queued: undefined }
        interactions.overflowed(timeout.interactionId, timeout.queue, timeout.waitedMs, decision)
        return
      }
    }
  }

  /**
   * How many wait for this agent (customers of theirs: their owner's wait comes first) and for their
   * team (interactions whose route names the team), as of the last tick; for the agent's page.
   */
  countsFor(agentId: string, team: string | null): WaitingCounts {
    return { forYou: this.counts.owners.get(agentId) ?? 0, forTeam: team === null ? 0 : (this.counts.teams.get(team) ?? 0) }
  }

  /** Once a second: freed agents nobody told us of (another process, a device state), and positions that moved. */
  private tick(): void {
    if (this.announced.size === 0 && this.kept.size === 0) {
      if (this.counts.owners.size > 0 || this.counts.teams.size > 0) this.counts = { owners: new Map(), teams: new Map() }
      return
    }
    this.serve()
    const counts: typeof this.counts = { owners: new Map(), teams: new Map() }
    for (const [callId, position] of this.options.router.positions()) {
      this.announce(callId, position)
      const routed = this.options.interactions.interaction(callId)
      const owner = routed?.caller.customer?.ownerAgentId
      if (owner) counts.owners.set(owner, (counts.owners.get(owner) ?? 0) + 1)
      for (const team of teamsOf(routed?.decision.trace.steps ?? [])) counts.teams.set(team, (counts.teams.get(team) ?? 0) + 1)
    }
    this.counts = counts
  }

  private announce(callId: string, position: QueuedPosition): void {
    if (this.kept.has(callId)) return
    const last = this.announced.get(callId)
    if (last && last.queue === position.queue && last.position === position.position && last.estimatedWaitSeconds === position.estimatedWaitSeconds) return
    const moved = { queue: position.queue, position: position.position, estimatedWaitSeconds: position.estimatedWaitSeconds }
    this.announced.set(callId, moved)
    this.options.interactions.publish({ type: 'queue-moved', callId, ...moved })
  }
}
