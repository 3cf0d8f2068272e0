/**
 * The web chat's wire shapes: the visitor endpoints and socket (the widget) and the agent's chat
 * socket (the agent page's chat panel). docs/chat.md describes them in words; this file is the
 * reference both sides build to. Every text field is plain text: a page renders it as text.
 */

/** Where a chat stands. 'waiting': nobody fitting is free yet; 'talking': an agent has it; 'ended'. */
export type ChatState = 'waiting' | 'talking' | 'ended'

/** Who wrote a message, typed or read. */
export type ChatParty = 'agent' | 'visitor'

/** A product card an agent sends from the catalogue (chat.yaml `catalogue`). */
export interface ChatCard {
  title: string
  summary: string
  url: string
}

/** The only thing a visitor learns of the agent. */
export interface ChatAgentName {
  name: string
}

/** One message of a chat. `seq` counts from 1 within the chat, in the order the server took them. */
export interface ChatMessage {
  seq: number
  from: ChatParty
  /** Present for a typed message. */
  text?: string
  /** Present for a product card. */
  card?: ChatCard
  /** ISO 8601 time the server took it. */
  at: string
}

// ---- Visitor endpoints (HTTP, JSON; only from configured origins) ----

export interface ViewRequest {
  site: string
  /** The id the widget kept; absent, unknown or malformed gets a new visitor. */
  visitorId?: string
  url: string
  title?: string
  /** From the page's data-product; else the site's `products by url` decides. */
  product?: string
}

export interface ChatOffer {
  /** Why the chat is offered, in words ("3 pages viewed", "pricing page", "known visitor"). */
  reason: string
  /** Who would answer now, or null when nobody fitting is free (the chat would wait). */
  expert: ChatAgentName | null
  /** 0 when an expert is free. */
  estimatedWaitSeconds: number
}

export interface ViewResponse {
  visitorId: string
  visit: { pages: number; product: string | null }
  /** Null when chat.yaml's `offer when` does not hold for this visit. */
  offer: ChatOffer | null
}

export interface ChatRequestBody {
  site: string
  visitorId: string
}

export interface ChatRequestResponse {
  chatId: string
  /** 'ended' when the rules take no chat now (e.g. out of hours): offer to leave a message. */
  state: 'talking' | 'waiting' | 'ended'
  agent: ChatAgentName | null
  estimatedWaitSeconds: number
}

export interface MessageLeftBody {
  site: string
  visitorId: string
  text: string
  phone?: string
  email?: string
}

export interface CallMeBody {
  site: string
  visitorId: string
  phone: string
}

export interface IdentifyBody {
  site: string
  visitorId: string
  phone?: string
  email?: string
}

// ---- Visitor socket: WS /v1/chat/socket?site=&visitorId=&chatId=&since= ----

export type VisitorServerMessage =
  | { type: 'hello'; chatId: string; state: ChatState; agent: ChatAgentName | null; estimatedWaitSeconds: number; messages: ChatMessage[] }
  | ({ type: 'message' } & ChatMessage)
  | { type: 'typing'; from: 'agent' }
  | { type: 'read'; from: 'agent'; upTo: number }
  | { type: 'state'; state: ChatState; agent: ChatAgentName | null; estimatedWaitSeconds: number }
  | { type: 'ack'; clientId: string; seq: number }
  | { type: 'error'; code: string; message: string; clientId?: string }

export type VisitorClientMessage =
  | { type: 'message'; clientId: string; text: string }
  | { type: 'typing' }
  | { type: 'read'; upTo: number }
  | { type: 'end' }

// ---- Agent socket: WS /v1/agents/chat-socket?token=…&since= ----

/** What the agent's panel shows of the visitor. */
export interface ChatVisitorCard {
  id: string
  customer: { id: string; name: string } | null
  lead: { id: string; name: string } | null
  /** The visitor's recent page views, oldest first (at most 50). */
  pages: { url: string; title: string | null; at: string }[]
  product: string | null
}

export interface AgentChat {
  id: string
  state: ChatState
  site: string
  startedAt: string
  visitor: ChatVisitorCard
  messages: ChatMessage[]
}

export type AgentServerMessage =
  | { type: 'chat'; chat: AgentChat }
  | ({ type: 'message'; chatId: string } & ChatMessage)
  | { type: 'typing'; chatId: string; from: 'visitor' }
  | { type: 'read'; chatId: string; from: 'visitor'; upTo: number }
  | { type: 'chat-ended'; chatId: string; by: ChatParty | 'system' }
  | { type: 'ack'; chatId: string; clientId: string; seq: number }
  | { type: 'linked'; chatId: string; customer: { id: string; name: string } | null; lead: { id: string; name: string } | null }
  | { type: 'call-back'; chatId: string; taskId: string | null; callId: string | null }
  | { type: 'error'; code: string; message: string; chatId?: string; clientId?: string }

export type AgentClientMessage =
  | { type: 'message'; chatId: string; clientId: string; text?: string; cardId?: string }
  | { type: 'typing'; chatId: string }
  | { type: 'read'; chatId: string; upTo: number }
  | { type: 'end'; chatId: string }
  | { type: 'call-back'; chatId: string }
  | { type: 'link'; chatId: string; customerId?: string; leadId?: string }

// ---- Agent HTTP ----

export interface CatalogueResponse {
  cards: { id: string; title: string; summary: string; url: string; product: string | null }[]
  /** In the agent's language (the site's language when the agent has none). */
  quickReplies: string[]
}

export interface MyChatsResponse {
  chats: AgentChat[]
}

/** WebSocket close codes of the chat sockets (4000–4999 are the application's). */
export const ChatCloseCodes = {
  badRequest: { code: 4400, reason: 'site, visitorId and chatId are required; since must be a non-negative integer' },
  invalidToken: { code: 4401, reason: 'invalid or expired token' },
  originRefused: { code: 4403, reason: 'this origin is not configured for the site' },
  notFound: { code: 4404, reason: 'no such chat for this visitor' },
  tryAgainLater: { code: 1013, reason: 'try again later' }
} as const

/** Error codes a chat socket sends in `{type:'error'}`. */
export const ChatErrorCodes = {
  messageTooLong: 'CTI_ERR_CHAT_MESSAGE_TOO_LONG',
  rateLimited: 'CTI_ERR_CHAT_RATE_LIMITED',
  badMessage: 'CTI_ERR_CHAT_BAD_MESSAGE',
  chatEnded: 'CTI_ERR_CHAT_ENDED',
  notYours: 'CTI_ERR_CHAT_NOT_FOUND',
  unknownCard: 'CTI_ERR_CHAT_UNKNOWN_CARD'
} as const
