import type { ChatRecord } from './chat-store.js'
import type { ChatMessageRow, ChatRow } from './chat-writer.js'
import type { ChatMessage } from './protocol.js'

/** The chat's row in PostgreSQL as the record stands, with the wait and handle time calls have. */
export function chatRow(chat: ChatRecord, messages: number): ChatRow {
  const waitEnd = chat.answeredAt ?? chat.endedAt
  return {
    id: chat.id,
    site: chat.site,
    source: `web-chat:${chat.site}`,
    product: chat.product,
    visitor_id: chat.visitorId,
    customer_id: chat.customerId,
    lead_id: chat.leadId,
    agent_id: chat.agentId,
    rule: chat.rule,
    outcome: chat.outcome,
    started_at: new Date(chat.startedAt),
    answered_at: chat.answeredAt === null ? null : new Date(chat.answeredAt),
    ended_at: chat.endedAt === null ? null : new Date(chat.endedAt),
    wait_seconds: waitEnd === null ? null : seconds(waitEnd - chat.startedAt),
    handle_seconds: chat.answeredAt === null || chat.endedAt === null ? null : seconds(chat.endedAt - chat.answeredAt),
    messages
  }
}

export function messageRow(chatId: string, message: ChatMessage): ChatMessageRow {
  return { chat_id: chatId, seq: message.seq, sender: message.from, text: message.text ?? null, card: message.card ? JSON.stringify(message.card) : null, at: new Date(message.at) }
}

function seconds(ms: number): number {
  return Math.max(0, ms) / 1000
}
