import type { ChatSettings } from '../routing/index.js'
import type { ChatConversations } from './chat-conversations.js'
import { messageRow } from './chat-rows.js'
import type { ChatRecord, ChatStore, NewMessage } from './chat-store.js'
import type { ChatTasks } from './chat-tasks.js'
import type { ChatWriter } from './chat-writer.js'
import { ChatErrorCodes, type AgentClientMessage, type AgentServerMessage, type VisitorClientMessage, type VisitorServerMessage } from './protocol.js'
import type { RateLimiter } from './rate-limit.js'
import type { VisitorStore } from './visitor-store.js'

export interface ChatTalkOptions {
  store: ChatStore
  conversations: ChatConversations
  visitors: VisitorStore
  tasks: ChatTasks
  writer: ChatWriter
  limiter: RateLimiter
  settings: () => ChatSettings
  now: () => number
}

type VisitorAnswer = Extract<VisitorServerMessage, { type: 'ack' | 'error' }> | null
type AgentAnswer = Extract<AgentServerMessage, { type: 'ack' | 'error' | 'call-back' | 'linked' }> | null

/**
 * What the two sides say in a chat: messages (numbered by the store, kept, written, relayed to
 * both sides), typing and read marks, and the agent's actions (a product card, end, call-back,
 * link the visitor to a customer or lead). Each call answers only its sender; the rest is published.
 */
export class ChatTalk {
  constructor(private readonly o: ChatTalkOptions) {}

  async fromVisitor(chatId: string, visitorId: string, ip: string, message: VisitorClientMessage): Promise<VisitorAnswer> {
    const chat = await this.o.store.get(chatId)
    if (!chat || chat.visitorId !== visitorId) return { type: 'error', code: ChatErrorCodes.notYours, message: 'this chat is not yours' }
    const to = (kind: 'typing' | 'read', upTo?: number) => chat.agentId && this.o.store.publish({ chatId, agentId: chat.agentId, toAgent: kind === 'typing' ? { type: 'typing', chatId, from: 'visitor' } : { type: 'read', chatId, from: 'visitor', upTo: upTo ?? 0 } })
    switch (message.type) {
      case 'typing':
        to('typing')
        return null
      case 'read':
        to('read', message.upTo)
        return null
      case 'end':
        await this.o.conversations.end(chatId, 'visitor')
        return null
      case 'message': {
        const clientId = message.clientId
        if (chat.state === 'ended') return { type: 'error', code: ChatErrorCodes.chatEnded, message: 'this chat has ended', clientId }
        const { limits } = this.o.settings()
        const bytes = Buffer.byteLength(message.text, 'utf8')
        if (bytes > limits.messageBytes) return { type: 'error', code: ChatErrorCodes.messageTooLong, message: `the message is ${bytes} bytes; at most ${limits.messageBytes} are taken`, clientId }
        if (!this.o.limiter.take(`visitor:${visitorId}`, limits.perVisitorPerMinute) || !this.o.limiter.take(`ip:${ip}`, limits.perIpPerMinute)) {
          return { type: 'error', code: ChatErrorCodes.rateLimited, message: 'too many messages a minute; wait a little and send again', clientId }
        }
        const seq = await this.say(chat, { from: 'visitor', text: message.text, at: new Date(this.o.now()).toISOString() })
        return { type: 'ack', clientId, seq }
      }
    }
  }

  async fromAgent(agentId: string, message: AgentClientMessage): Promise<AgentAnswer> {
    const chatId = message.chatId
    const chat = await this.o.store.get(chatId)
    if (!chat || chat.agentId !== agentId || chat.state === 'ended') return { type: 'error', code: ChatErrorCodes.notYours, message: `no open chat ${chatId} is yours`, chatId, ...('clientId' in message ? { clientId: message.clientId } : {}) }
    switch (message.type) {
      case 'typing':
        this.o.store.publish({ chatId, agentId, toVisitor: { type: 'typing', from: 'agent' } })
        return null
      case 'read':
        this.o.store.publish({ chatId, agentId, toVisitor: { type: 'read', from: 'agent', upTo: message.upTo } })
        return null
      case 'end':
        await this.o.conversations.end(chatId, 'agent')
        return null
      case 'message':
        return this.agentMessage(chat, message)
      case 'call-back': {
        const visitor = await this.o.visitors.find(chat.visitorId)
        const task = visitor ? await this.o.tasks.make(visitor, 'agent-call-back', { product: chat.product, agentId, chatId }) : null
        await this.o.conversations.end(chatId, 'agent', 'call-back')
        return { type: 'call-back', chatId, taskId: task ? String(task.id) : null, callId: null }
      }
      case 'link':
        return this.link(chat, message)
    }
  }

  private async agentMessage(chat: ChatRecord, message: Extract<AgentClientMessage, { type: 'message' }>): Promise<AgentAnswer> {
    const { chatId, clientId } = message
    const at = new Date(this.o.now()).toISOString()
    if (message.cardId !== undefined) {
      const card = this.o.settings().catalogue.find((c) => c.id === message.cardId)
      if (!card) return { type: 'error', code: ChatErrorCodes.unknownCard, message: `no card "${message.cardId}" is in the catalogue (chat.yaml)`, chatId, clientId }
      return { type: 'ack', chatId, clientId, seq: await this.say(chat, { from: 'agent', card: { title: card.title, summary: card.summary, url: card.url }, at }) }
    }
    const text = message.text ?? ''
    const { limits } = this.o.settings()
    if (text.trim() === '') return { type: 'error', code: ChatErrorCodes.badMessage, message: 'a message needs text or a cardId', chatId, clientId }
    if (Buffer.byteLength(text, 'utf8') > limits.messageBytes) return { type: 'error', code: ChatErrorCodes.messageTooLong, message: `at most ${limits.messageBytes} bytes are taken`, chatId, clientId }
    return { type: 'ack', chatId, clientId, seq: await this.say(chat, { from: 'agent', text, at }) }
  }

  private async link(chat: ChatRecord, message: Extract<AgentClientMessage, { type: 'link' }>): Promise<AgentAnswer> {
    const customerId = message.customerId === undefined ? null : Number(message.customerId)
    const leadId = message.leadId === undefined || customerId !== null ? null : Number(message.leadId)
    const exists = customerId !== null ? Number.isSafeInteger(customerId) && (await this.o.visitors.customerExists(customerId)) : leadId !== null && Number.isSafeInteger(leadId) && (await this.o.visitors.leadExists(leadId))
    if (!exists) return { type: 'error', code: ChatErrorCodes.badMessage, message: 'link needs the id of an existing customer (customerId) or lead (leadId)', chatId: chat.id }
    const who = { customerId, leadId }
    await this.o.visitors.link(chat.visitorId, who)
    await this.o.conversations.update(chat.id, (c) => Object.assign(c, who))
    const names = await this.o.visitors.names(who)
    return { type: 'linked', chatId: chat.id, ...names }
  }

  /** Numbers the message, keeps it for the transcript and tells both sides. */
  private async say(chat: ChatRecord, message: NewMessage): Promise<number> {
    const numbered = await this.o.store.append(chat.id, message)
    this.o.writer.message(messageRow(chat.id, numbered))
    this.o.store.publish({ chatId: chat.id, agentId: chat.agentId, toVisitor: { type: 'message', ...numbered }, ...(chat.agentId ? { toAgent: { type: 'message', chatId: chat.id, ...numbered } } : {}) })
    return numbered.seq
  }
}
