import { AgentIndex, CallRouter, ChatAgents, DEFAULT_CHAT_CAPACITY, rulesForKind, type CustomerSummary, type FinalAction, type QueueServed, type QueueSnapshot, type RouteDecision, type RuleSet } from '../routing/index.js'

/** Where a chat went: an agent has it now, it waits in a queue, or nobody can take it at all. */
export type ChatPlacement =
  | { kind: 'agent'; agentId: string; agentName: string; decision: RouteDecision }
  | { kind: 'waiting'; queue: string; estimatedWaitSeconds: number; decision: RouteDecision }
  | { kind: 'final'; final: FinalAction; decision: RouteDecision }

export interface ChatToRoute {
  id: string
  product: string | null
  at: number
  customer: CustomerSummary | null
}

/**
 * The routing of chats in this process: the core's CallRouter over an agent index of chats
 * (ChatAgents), by the same rules as calls. A chat given to an agent is theirs at once (it is
 * answered as it is reserved: the agent sees it on their chat socket, nothing rings), so its slot
 * is held until ended(). Synchronous and in memory, like the core.
 */
export class ChatRouting {
  readonly agents: ChatAgents
  private readonly router: CallRouter
  /** Chats each agent holds through other processes (several processes on Redis); set before routing. */
  heldElsewhere: ReadonlyMap<string, number> = new Map()

  constructor(
    private readonly calls: AgentIndex,
    private readonly o: { now: () => number; random: () => number; rules: () => RuleSet; maxTargets?: number }
  ) {
    this.agents = new ChatAgents(calls, new AgentIndex())
    this.router = new CallRouter({ index: this.agents.chats, env: { now: o.now, random: o.random }, wrapUpSeconds: 0, maxTargets: o.maxTargets ?? 3, initialHandleSeconds: 300 })
  }

  /** Routes a new chat (serving those waiting first, so an arrival never takes an agent a waiting chat is owed). */
  route(chat: ChatToRoute): { placement: ChatPlacement; served: QueueServed[] } {
    this.agents.sync(this.o.now(), this.heldElsewhere)
    const served = this.serveWaiting()
    const decision = this.router.route({ interaction: this.interaction(chat), customer: chat.customer, line: null, rules: rulesForKind(this.o.rules(), 'chat') })
    return { placement: this.place(chat.id, decision), served }
  }

  /** Who would take the chat now, reserving nobody: for the offer on a page view. */
  preview(chat: ChatToRoute): { agentName: string | null; estimatedWaitSeconds: number } {
    this.agents.sync(this.o.now(), this.heldElsewhere)
    const decision = this.router.explain({ interaction: this.interaction(chat), customer: chat.customer, line: null, rules: rulesForKind(this.o.rules(), 'chat') })
    const first = decision.targets[0]
    if (first) return { agentName: this.agents.chats.get(first.agentId)?.profile.name ?? null, estimatedWaitSeconds: 0 }
    return { agentName: null, estimatedWaitSeconds: this.estimate(this.router.waitingCount + 1) }
  }

  /** The chat is over (ended, the visitor left, a call-back): its agent's slot is free again. */
  ended(chatId: string): QueueServed[] {
    this.router.ended(chatId)
    return this.serveWaiting()
  }

  /** Chats waiting that an agent can take now (after presence changed, a chat ended, time passed). */
  serveWaiting(): QueueServed[] {
    this.agents.sync(this.o.now(), this.heldElsewhere)
    const served = this.router.serveWaiting()
    for (const s of served) {
      const target = s.decision.targets[0]
      if (target) this.router.answered(s.interactionId, target.agentId)
    }
    return served
  }

  /** Waits that ran out by now: an overflow leaves the core (the service makes it a task). */
  due(): { overflowed: { chatId: string; final: FinalAction; waitedMs: number }[]; served: QueueServed[] } {
    const overflowed = []
    const served: QueueServed[] = []
    for (const t of this.router.dueWaits(this.o.now())) {
      if (t.kind === 'overflow') overflowed.push({ chatId: t.interactionId, final: t.final, waitedMs: t.waitedMs })
      else if (t.kind === 'widened' && t.served) {
        const target = t.served.decision.targets[0]
        if (target) this.router.answered(t.interactionId, target.agentId)
        served.push(t.served)
      }
    }
    return { overflowed, served: served.concat(this.serveWaiting()) }
  }

  nextDueAt(): number | null {
    return this.router.nextDueAt()
  }

  waiting(chatId: string): number | null {
    return this.router.waiting(chatId)?.estimatedWaitSeconds ?? null
  }

  /** Every agent who might take chats (those of the calls' index). */
  agentIds(): string[] {
    return this.calls.snapshot().map((v) => v.profile.id)
  }

  /** The chats' queues in this process, each with its waiting chats in order (GET /v1/queues). */
  queueSnapshots(): QueueSnapshot[] {
    return this.router.queueSnapshots(this.o.now())
  }

  /** Whether the chat waits in this process's queue. */
  isWaiting(chatId: string): boolean {
    return this.router.waiting(chatId) !== null
  }

  /** How many chats the agent may hold in all (their chat capacity). */
  capacityOf(agentId: string): number {
    const profile = this.agents.chats.get(agentId)?.profile
    return profile ? (profile.chatCapacity ?? DEFAULT_CHAT_CAPACITY) : 0
  }

  agentName(agentId: string): string {
    return this.agents.chats.get(agentId)?.profile.name ?? agentId
  }

  /** Chats held by the agent now (their chat capacity's used part). */
  heldBy(agentId: string): number {
    return this.agents.chats.get(agentId)?.state.activeCalls ?? 0
  }

  private interaction(chat: ChatToRoute) {
    return { id: chat.id, kind: 'chat' as const, caller: null, dialed: null, at: chat.at, channel: 'web' as const, product: chat.product }
  }

  private place(chatId: string, decision: RouteDecision): ChatPlacement {
    const target = decision.targets[0]
    if (target) {
      this.router.answered(chatId, target.agentId)
      return { kind: 'agent', agentId: target.agentId, agentName: this.agentName(target.agentId), decision }
    }
    if (decision.queued) return { kind: 'waiting', queue: decision.queued.queue, estimatedWaitSeconds: decision.queued.estimatedWaitSeconds, decision }
    this.router.ended(chatId)
    return { kind: 'final', final: decision.final, decision }
  }

  /** About `position` mean chat lengths shared among the agents taking chats now. */
  private estimate(position: number): number {
    const present = this.agents.chats.snapshot().filter((v) => v.state.status !== 'offline' && v.state.status !== 'away')
    const slots = present.reduce((sum, v) => sum + v.profile.capacity, 0)
    return Math.round((position * this.router.meanHandleMs) / 1000 / Math.max(1, slots))
  }
}
