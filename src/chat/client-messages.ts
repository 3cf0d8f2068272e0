import { Type, type Static } from 'typebox'
import Value from 'typebox/value'
import type { AgentClientMessage, VisitorClientMessage } from './protocol.js'

// What each side may send over its chat socket; anything else is answered CTI_ERR_CHAT_BAD_MESSAGE.
const ClientId = Type.String({ minLength: 1, maxLength: 64 })
const ChatId = Type.String({ minLength: 1, maxLength: 80 })
const UpTo = Type.Integer({ minimum: 0 })
// Far above any configured limit: the limit's own check answers with the figures.
const AnyText = Type.String({ maxLength: 200_000 })

const VisitorMessage = Type.Union([
  Type.Object({ type: Type.Literal('message'), clientId: ClientId, text: AnyText }),
  Type.Object({ type: Type.Literal('typing') }),
  Type.Object({ type: Type.Literal('read'), upTo: UpTo }),
  Type.Object({ type: Type.Literal('end') })
])

const RowIdText = Type.String({ pattern: '^[1-9][0-9]{0,15}$' })
const AgentMessage = Type.Union([
  Type.Object({ type: Type.Literal('message'), chatId: ChatId, clientId: ClientId, text: Type.Optional(AnyText), cardId: Type.Optional(Type.String({ maxLength: 100 })) }),
  Type.Object({ type: Type.Literal('typing'), chatId: ChatId }),
  Type.Object({ type: Type.Literal('read'), chatId: ChatId, upTo: UpTo }),
  Type.Object({ type: Type.Literal('end'), chatId: ChatId }),
  Type.Object({ type: Type.Literal('call-back'), chatId: ChatId }),
  Type.Object({ type: Type.Literal('link'), chatId: ChatId, customerId: Type.Optional(RowIdText), leadId: Type.Optional(RowIdText) })
])

// The shapes above are the protocol's: a change on one side that the other lacks fails to compile.
const visitorMatches: Static<typeof VisitorMessage> extends VisitorClientMessage ? true : never = true
const agentMatches: Static<typeof AgentMessage> extends AgentClientMessage ? true : never = true
void visitorMatches
void agentMatches

function parse(raw: unknown): unknown {
  try {
    return JSON.parse(String(raw))
  } catch {
    return undefined
  }
}

/** The visitor's message, or null when it is not one of the protocol's. */
export function visitorMessage(raw: unknown): VisitorClientMessage | null {
  const message = parse(raw)
  return Value.Check(VisitorMessage, message) ? message : null
}

export function agentMessage(raw: unknown): AgentClientMessage | null {
  const message = parse(raw)
  return Value.Check(AgentMessage, message) ? message : null
}

/** The clientId of a message refused for its shape, when it has one, so the sender can mark it. */
export function clientIdOf(raw: unknown): string | undefined {
  const message = parse(raw) as { clientId?: unknown } | undefined
  return typeof message?.clientId === 'string' ? message.clientId.slice(0, 64) : undefined
}
