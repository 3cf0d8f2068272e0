import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { QueueServed } from '../routing/index.js'
import type { ChatPlacement, ChatRouting, ChatToRoute } from './chat-routing.js'
import type { ChatEvent, ChatRecord, ChatStore } from './chat-store.js'
import type { ChatTasks } from './chat-tasks.js'
import type { ChatWriter } from './chat-writer.js'
import { chatRow } from './chat-rows.js'
import type { AgentChat, ChatParty, ChatRequestResponse } from './protocol.js'
import type { VisitorRow, VisitorStore } from './visitor-store.js'

export interface ChatConversationsOptions {
  store: ChatStore
  routing: ChatRouting
  visitors: VisitorStore
  writer: ChatWriter
  tasks: ChatTasks
  logger: Logger
  now: () => number
  /** This process's id: the owner of the chats its router holds. */
  processId: string
  /** Several processes share the store (Redis): agents' chats held elsewhere are counted before routing. */
  shared: boolean
}

/** How often waiting chats are looked at: overflows due, agents freed elsewhere, estimates moved. */
export const CHAT_TICK_MS = 1000
/** A process that has not beaten for this long is taken for dead: its waiting chats are taken over. */
export const CHAT_ALIVE_MS = 5000
/** Ticks between two looks for the waiting chats of dead processes. */
const ORPHAN_EVERY_TICKS = 3
/** Attempts to give a chat when another process filled the chosen agent's last slot first. */
const CLAIM_ATTEMPTS = 3

/**
 * A chat's life: opened by the visitor, routed by the core (at once to an agent, or waiting in the
 * queue), given to the agent, ended by either side or by the queue's overflow. Every change is
 * kept in the store (shared by processes on Redis), written to PostgreSQL through the batched
 * writer, and published as an event that each process relays to its own sockets.
 */
export class ChatConversations {
  /** Chats waiting in this process's router, with the estimate the visitor was last told. */
  private readonly waitingHere = new Map<string, number>()
  /** Chats whose every chosen agent was filled by another process first: routed again next round. */
  private readonly unplaced = new Map<string, ChatToRoute>()
  private timer: NodeJS.Timeout | undefined
  private ticking: Promise<void> | null = null
  private ticks = 0

  constructor(private readonly o: ChatConversationsOptions) {
    o.store.onEvent((event) => this.heard(event))
  }

  /** Beats once before any chat can wait here, so no other process takes this one's chats for orphans. */
  async start(): Promise<void> {
    if (this.o.shared) await this.o.store.heartbeat(this.o.processId, CHAT_ALIVE_MS)
    this.timer = setInterval(() => void this.tick(), CHAT_TICK_MS)
    this.timer.unref()
  }

  /** Stops beating at once: the chats waiting here are taken over without waiting for the beat to lapse. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    if (this.o.shared) await this.o.store.heartbeat(this.o.processId, 1).catch((err: unknown) => this.o.logger.warn({ err }, 'chat: the stop was not told to the other processes; they take over in a few seconds'))
  }

  /** Chats waiting in this process now. */
  get waitingCount(): number {
    return this.waitingHere.size
  }

  /** The visitor's open chat, or a new one routed now. */
  async open(visitor: VisitorRow): Promise<{ created: boolean; answer: ChatRequestResponse }> {
    const existing = await this.openChatOf(visitor.id)
    if (existing) return { created: false, answer: answerOf(existing) }
    const summary = await this.o.visitors.routingSummary(visitor)
    const [latest] = (await this.o.visitors.pages(visitor.id, 1)).slice(-1)
    const at = this.o.now()
    const record: ChatRecord = {
      id: `chat-${randomUUID()}`, site: visitor.site, visitorId: visitor.id, state: 'waiting', agentId: null, agentName: null,
      product: latest?.product ?? null, customerId: visitor.customerId, leadId: visitor.leadId, rule: null,
      startedAt: at, answeredAt: null, endedAt: null, outcome: null, estimatedWaitSeconds: 0, owner: this.o.processId
    }
    await this.o.store.save(record)
    await this.o.store.setVisitorChat(visitor.id, record.id)
    await this.refreshHeld()
    const { placement, served } = this.o.routing.route({ id: record.id, product: record.product, at, customer: summary })
    await this.settleServed(served)
    const placed = await this.settle(record, placement, { id: record.id, product: record.product, at, customer: summary })
    // A visitor nobody knows yet becomes a lead, the agent who took the chat its first agent.
    if (placed.customerId === null && placed.leadId === null) {
      const who = await this.o.tasks.holder(visitor, null, placed.agentId, placed.id)
      const linked = await this.update(placed.id, (c) => Object.assign(c, who))
      if (linked?.agentId) this.o.store.publish({ chatId: placed.id, agentId: linked.agentId, toAgent: { type: 'linked', chatId: placed.id, ...(await this.o.visitors.names(who)) } })
    }
    return { created: true, answer: answerOf((await this.o.store.get(record.id)) ?? placed) }
  }

  /** The visitor's chat still open, if any. */
  async openChatOf(visitorId: string): Promise<ChatRecord | null> {
    const id = await this.o.store.visitorChat(visitorId)
    const chat = id ? await this.o.store.get(id) : null
    return chat && chat.state !== 'ended' ? chat : null
  }

  /** Ends the chat once: its slot is given back (in whichever process holds it) and both sides are told. */
  async end(chatId: string, by: ChatParty | 'system', outcome?: string): Promise<ChatRecord | null> {
    const chat = await this.o.store.get(chatId)
    if (!chat || chat.state === 'ended') return null
    const messages = await this.o.store.messages(chatId, 0)
    Object.assign(chat, { state: 'ended', endedAt: this.o.now(), outcome: outcome ?? (chat.answeredAt === null ? 'missed' : 'answered') })
    await this.o.store.save(chat)
    await this.o.store.setVisitorChat(chat.visitorId, null)
    await this.o.store.setWaitingOwner(chatId, null)
    if (chat.agentId) await this.o.store.setAgentChat(chat.agentId, chatId, false)
    this.o.writer.chat(chatRow(chat, messages.at(-1)?.seq ?? 0))
    this.o.store.publish({
      chatId, agentId: chat.agentId, ended: true,
      toVisitor: { type: 'state', state: 'ended', agent: chat.agentName ? { name: chat.agentName } : null, estimatedWaitSeconds: 0 },
      ...(chat.agentId ? { toAgent: { type: 'chat-ended', chatId, by } } : {})
    })
    this.o.logger.info({ chatId, by, outcome: chat.outcome, agentId: chat.agentId }, 'chat ended')
    return chat
  }

  /** The agent's open chats, whole, as their chat socket gets them on connect. */
  async agentChats(agentId: string): Promise<AgentChat[]> {
    const chats: AgentChat[] = []
    for (const id of await this.o.store.agentChats(agentId)) {
      const chat = await this.o.store.get(id)
      if (chat && chat.state !== 'ended' && chat.agentId === agentId) chats.push(await this.agentView(chat))
    }
    return chats.sort((a, b) => a.startedAt.localeCompare(b.startedAt))
  }

  /** The chat as the agent's panel shows it: the visitor's card and the whole conversation kept. */
  async agentView(chat: ChatRecord): Promise<AgentChat> {
    const [names, pages, messages] = await Promise.all([this.o.visitors.names(chat), this.o.visitors.pages(chat.visitorId), this.o.store.messages(chat.id, 0)])
    return {
      id: chat.id, state: chat.state, site: chat.site, startedAt: new Date(chat.startedAt).toISOString(),
      visitor: { id: chat.visitorId, ...names, pages: pages.map((p) => ({ url: p.url, title: p.title, at: new Date(p.at).toISOString() })), product: chat.product },
      messages
    }
  }

  /** Changes the chat's record in the store and its row. */
  async update(chatId: string, change: (chat: ChatRecord) => void): Promise<ChatRecord | null> {
    const chat = await this.o.store.get(chatId)
    if (!chat) return null
    change(chat)
    await this.o.store.save(chat)
    this.o.writer.chat(chatRow(chat, (await this.o.store.messages(chatId, 0)).at(-1)?.seq ?? 0))
    return chat
  }

  /**
   * Overflows due, waiting chats an agent can take now, estimates that moved; with several
   * processes also this one's heartbeat and the waiting chats of processes that died.
   */
  tick(): Promise<void> {
    const lookForOrphans = this.o.shared && this.ticks++ % ORPHAN_EVERY_TICKS === 0
    if (this.waitingHere.size === 0 && !this.o.shared) return Promise.resolve()
    this.ticking ??= this.serveDue(lookForOrphans).finally(() => (this.ticking = null))
    return this.ticking
  }

  private async serveDue(lookForOrphans: boolean): Promise<void> {
    try {
      if (this.o.shared) await this.o.store.heartbeat(this.o.processId, CHAT_ALIVE_MS)
      if (lookForOrphans) await this.adoptOrphans()
      if (this.waitingHere.size === 0 && this.unplaced.size === 0) return
      await this.refreshHeld()
      for (const [chatId, again] of this.unplaced) {
        this.unplaced.delete(chatId)
        const chat = await this.o.store.get(chatId)
        if (chat && chat.state === 'waiting') await this.settle(chat, this.o.routing.route(again).placement, again)
      }
      const { overflowed, served } = this.o.routing.due()
      await this.settleServed(served)
      await this.settleServed(this.o.routing.serveWaiting())
      for (const o of overflowed) await this.overflow(o.chatId)
      for (const [chatId, told] of this.waitingHere) {
        const estimate = this.o.routing.waiting(chatId)
        if (estimate === null || estimate === told) continue
        this.waitingHere.set(chatId, estimate)
        this.o.store.publish({ chatId, agentId: null, toVisitor: { type: 'state', state: 'waiting', agent: null, estimatedWaitSeconds: estimate } })
      }
    } catch (err) {
      this.o.logger.warn({ err }, 'chat: waiting chats not served this round; tried again in a second')
    }
  }

  /** Waiting chats of a process that stopped beating wait here now, in their place (their arrival time). */
  private async adoptOrphans(): Promise<void> {
    for (const { chatId, owner } of await this.o.store.orphans()) {
      if (!(await this.o.store.adopt(chatId, owner, this.o.processId))) continue
      const chat = await this.o.store.get(chatId)
      if (!chat || chat.state !== 'waiting') {
        await this.o.store.setWaitingOwner(chatId, null)
        continue
      }
      chat.owner = this.o.processId
      this.o.logger.warn({ chatId, from: owner }, 'chat: a waiting chat of a process that stopped is taken over here')
      const again = { id: chat.id, product: chat.product, at: chat.startedAt, customer: await this.o.visitors.routingSummary(visitorOf(chat)) }
      await this.refreshHeld()
      const { placement, served } = this.o.routing.route(again)
      await this.settleServed(served)
      await this.settle(chat, placement, again)
    }
  }

  /** A chat nobody took before its queue's longest wait: a call-back task, and the visitor is told. */
  private async overflow(chatId: string): Promise<void> {
    this.waitingHere.delete(chatId)
    const chat = await this.end(chatId, 'system', 'missed')
    if (!chat) return
    const visitor = await this.o.visitors.find(chat.visitorId)
    if (visitor) await this.o.tasks.make(visitor, 'unanswered', { product: chat.product, chatId })
  }

  private async settleServed(served: readonly QueueServed[]): Promise<void> {
    for (const s of served) {
      const chat = await this.o.store.get(s.interactionId)
      const agentId = s.decision.targets[0]?.agentId
      if (!chat || !agentId) continue
      this.waitingHere.delete(chat.id)
      const placement: ChatPlacement = { kind: 'agent', agentId, agentName: this.o.routing.agentName(agentId), decision: s.decision }
      await this.settle(chat, placement, { id: chat.id, product: chat.product, at: chat.startedAt, customer: await this.o.visitors.routingSummary(visitorOf(chat)) })
    }
  }

  /** Gives the chat to the agent routing chose (claimed across processes), keeps it waiting, or ends it. */
  private async settle(chat: ChatRecord, placement: ChatPlacement, again: ChatToRoute): Promise<ChatRecord> {
    for (let attempt = 1; placement.kind === 'agent'; attempt++) {
      const { agentId } = placement
      if (await this.o.store.claimAgentChat(agentId, chat.id, this.o.routing.capacityOf(agentId))) return this.give(chat, agentId, placement.decision.rule)
      // Another process gave the agent's last slot a moment ago: route again without that slot.
      this.o.routing.ended(chat.id)
      this.o.routing.heldElsewhere = new Map([...this.o.routing.heldElsewhere, [agentId, this.o.routing.capacityOf(agentId)]])
      if (attempt >= CLAIM_ATTEMPTS) {
        this.o.logger.warn({ chatId: chat.id, agentId }, 'chat: every agent chosen was filled by another process first; the chat waits for the next round')
        this.unplaced.set(chat.id, again)
        break
      }
      placement = this.o.routing.route(again).placement
    }
    if (placement.kind === 'waiting' || placement.kind === 'agent') {
      const estimate = placement.kind === 'waiting' ? placement.estimatedWaitSeconds : 0
      this.waitingHere.set(chat.id, estimate)
      Object.assign(chat, { state: 'waiting', estimatedWaitSeconds: estimate, rule: placement.decision.rule, owner: this.o.processId })
      await this.o.store.save(chat)
      await this.o.store.setWaitingOwner(chat.id, this.o.processId)
      this.o.writer.chat(chatRow(chat, 0))
      return chat
    }
    Object.assign(chat, { rule: placement.decision.rule })
    return (await this.end(chat.id, 'system', 'missed')) ?? chat
  }

  private async give(chat: ChatRecord, agentId: string, rule: string | null): Promise<ChatRecord> {
    const name = this.o.routing.agentName(agentId)
    Object.assign(chat, { state: 'talking', agentId, agentName: name, answeredAt: this.o.now(), rule: rule ?? chat.rule, estimatedWaitSeconds: 0, owner: this.o.processId })
    await this.o.store.save(chat)
    await this.o.store.setWaitingOwner(chat.id, null)
    const view = await this.agentView(chat)
    this.o.writer.chat(chatRow(chat, view.messages.at(-1)?.seq ?? 0))
    this.o.store.publish({ chatId: chat.id, agentId, toAgent: { type: 'chat', chat: view }, toVisitor: { type: 'state', state: 'talking', agent: { name }, estimatedWaitSeconds: 0 } })
    this.o.logger.info({ chatId: chat.id, agentId, rule }, 'chat given to an agent')
    return chat
  }

  /** Every process hears every event: the one whose router holds an ended chat gives its slot back. */
  private heard(event: ChatEvent): void {
    if (!event.ended) return
    this.waitingHere.delete(event.chatId)
    this.unplaced.delete(event.chatId)
    const served = this.o.routing.ended(event.chatId)
    if (served.length > 0) void this.settleServed(served).catch((err: unknown) => this.o.logger.warn({ err }, 'chat: a waiting chat could not be given'))
    else if (this.waitingHere.size > 0 && this.o.shared) void this.tick()
  }

  /** With several processes, the slots the agents' chats take elsewhere. */
  private async refreshHeld(): Promise<void> {
    if (!this.o.shared) return
    const ids = this.o.routing.agentIds()
    const global = await this.o.store.heldCounts(ids)
    this.o.routing.heldElsewhere = new Map(ids.map((id) => [id, Math.max(0, (global.get(id) ?? 0) - this.o.routing.heldBy(id))]))
  }
}

/** What routing needs of the visitor, from the chat (the visitor's own row is not needed for it). */
function visitorOf(chat: ChatRecord): VisitorRow {
  return { id: chat.visitorId, site: chat.site, customerId: chat.customerId, leadId: chat.leadId, firstSeen: chat.startedAt, lastSeen: chat.startedAt, visits: 1 }
}

function answerOf(chat: ChatRecord): ChatRequestResponse {
  return { chatId: chat.id, state: chat.state, agent: chat.agentName ? { name: chat.agentName } : null, estimatedWaitSeconds: chat.estimatedWaitSeconds }
}
