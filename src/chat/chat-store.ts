import type { ChatCard, ChatMessage, ChatParty, ChatState, AgentServerMessage, VisitorServerMessage } from './protocol.js'

/** One chat as every process sees it. Times are epoch milliseconds. */
export interface ChatRecord {
  id: string
  site: string
  visitorId: string
  state: ChatState
  agentId: string | null
  agentName: string | null
  product: string | null
  customerId: number | null
  leadId: number | null
  rule: string | null
  startedAt: number
  answeredAt: number | null
  endedAt: number | null
  /** answered, missed, message-left, call-back; null while open. */
  outcome: string | null
  estimatedWaitSeconds: number
  /** The process whose router holds the chat (its agent's slot, or its place in the queue). */
  owner: string
}

/**
 * What goes to every process: to the visitor's sockets of the chat, to the agent's sockets, and
 * for the owner's router (the chat ended elsewhere, so its slot is given back).
 */
export interface ChatEvent {
  chatId: string
  agentId: string | null
  toVisitor?: VisitorServerMessage
  toAgent?: AgentServerMessage
  ended?: boolean
}

export interface NewMessage {
  from: ChatParty
  text?: string
  card?: ChatCard
  at: string
}

/**
 * Where chats, their sequence and their latest messages live: this process's memory, or Redis
 * shared by several processes (then events reach every process). Messages are numbered here, so a
 * chat's seq is one sequence whichever process took the message.
 */
export interface ChatStore {
  save(chat: ChatRecord): Promise<void>
  get(id: string): Promise<ChatRecord | null>
  /** Numbers the message (seq) and keeps it. */
  append(chatId: string, message: NewMessage): Promise<ChatMessage>
  /** Messages with seq > since, in order (those still kept). */
  messages(chatId: string, since: number): Promise<ChatMessage[]>
  /** Open chats of an agent. */
  agentChats(agentId: string): Promise<string[]>
  setAgentChat(agentId: string, chatId: string, open: boolean): Promise<void>
  /**
   * Gives the chat to the agent unless they already hold `capacity` chats across every process:
   * the one atomic check that keeps two processes from filling the same agent's last slot twice.
   */
  claimAgentChat(agentId: string, chatId: string, capacity: number): Promise<boolean>
  /** How many open chats each agent holds across every process. */
  heldCounts(agentIds: readonly string[]): Promise<Map<string, number>>
  /** The visitor's open chat. */
  visitorChat(visitorId: string): Promise<string | null>
  setVisitorChat(visitorId: string, chatId: string | null): Promise<void>
  /**
   * Several processes: this process is alive for `ttlMs` more, and which process's queue each
   * waiting chat is in (null: no longer waiting), so the chats of a process that died are taken over.
   */
  heartbeat(processId: string, ttlMs: number): Promise<void>
  setWaitingOwner(chatId: string, processId: string | null): Promise<void>
  /** Waiting chats whose process has stopped beating. */
  orphans(): Promise<{ chatId: string; owner: string }[]>
  /** Moves a waiting chat from a dead process to this one; false when another process took it first. */
  adopt(chatId: string, from: string, to: string): Promise<boolean>
  publish(event: ChatEvent): void
  onEvent(handler: (event: ChatEvent) => void): void
  close(): Promise<void>
}

/** Messages kept per chat at most (the transcript is in PostgreSQL). */
export const KEPT_MESSAGES = 500

/** The store of one process: everything in memory, events delivered in process. */
export class LocalChatStore implements ChatStore {
  private readonly chats = new Map<string, { chat: ChatRecord; messages: ChatMessage[]; seq: number }>()
  private readonly byAgent = new Map<string, Set<string>>()
  private readonly byVisitor = new Map<string, string>()
  private readonly handlers: ((event: ChatEvent) => void)[] = []

  async save(chat: ChatRecord): Promise<void> {
    const held = this.chats.get(chat.id)
    if (held) held.chat = { ...chat }
    else this.chats.set(chat.id, { chat: { ...chat }, messages: [], seq: 0 })
    // An ended chat's messages are kept a while for a late reconnect, then PostgreSQL answers.
    if (chat.state === 'ended') setTimeout(() => this.chats.delete(chat.id), 10 * 60_000).unref()
  }

  async get(id: string): Promise<ChatRecord | null> {
    const held = this.chats.get(id)
    return held ? { ...held.chat } : null
  }

  async append(chatId: string, message: NewMessage): Promise<ChatMessage> {
    const held = this.chats.get(chatId)
    if (!held) throw new Error(`chat ${chatId} is not held`)
    const numbered: ChatMessage = { seq: ++held.seq, ...message }
    held.messages.push(numbered)
    if (held.messages.length > KEPT_MESSAGES) held.messages.shift()
    return numbered
  }

  async messages(chatId: string, since: number): Promise<ChatMessage[]> {
    return (this.chats.get(chatId)?.messages ?? []).filter((m) => m.seq > since)
  }

  async agentChats(agentId: string): Promise<string[]> {
    return [...(this.byAgent.get(agentId) ?? [])]
  }

  async setAgentChat(agentId: string, chatId: string, open: boolean): Promise<void> {
    let set = this.byAgent.get(agentId)
    if (open) {
      if (!set) this.byAgent.set(agentId, (set = new Set()))
      set.add(chatId)
    } else if (set) {
      set.delete(chatId)
      if (set.size === 0) this.byAgent.delete(agentId)
    }
  }

  async claimAgentChat(agentId: string, chatId: string, capacity: number): Promise<boolean> {
    const held = this.byAgent.get(agentId)
    if (held && !held.has(chatId) && held.size >= capacity) return false
    await this.setAgentChat(agentId, chatId, true)
    return true
  }

  async heldCounts(agentIds: readonly string[]): Promise<Map<string, number>> {
    return new Map(agentIds.map((id) => [id, this.byAgent.get(id)?.size ?? 0]))
  }

  async visitorChat(visitorId: string): Promise<string | null> {
    return this.byVisitor.get(visitorId) ?? null
  }

  async setVisitorChat(visitorId: string, chatId: string | null): Promise<void> {
    if (chatId === null) this.byVisitor.delete(visitorId)
    else this.byVisitor.set(visitorId, chatId)
  }

  // One process: its waiting chats live and die with it, there is nobody to take them over.
  async heartbeat(): Promise<void> {}

  async setWaitingOwner(): Promise<void> {}

  async orphans(): Promise<{ chatId: string; owner: string }[]> {
    return []
  }

  async adopt(): Promise<boolean> {
    return false
  }

  publish(event: ChatEvent): void {
    for (const handler of this.handlers) handler(event)
  }

  onEvent(handler: (event: ChatEvent) => void): void {
    this.handlers.push(handler)
  }

  async close(): Promise<void> {
    this.chats.clear()
  }
}
