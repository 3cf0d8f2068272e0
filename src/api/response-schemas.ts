import { Type, type TSchema } from 'typebox'

/**
 * What the routes answer, for the OpenAPI description. The answers are
 * serialized as they are (see server.ts): these schemas describe them and a
 * test checks real answers against them; they never filter a field away.
 */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Text = Type.String()
const NullableText = Nullable(Type.String())
const Instant = Type.String({ format: 'date-time' })
const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD' })
const Id = Type.Integer({ minimum: 1 })
const Named = Type.Object({ id: Text, name: Text })

export const PhoneView = Type.Object({ phone: Type.String({ description: 'E.164' }), kind: Text })

export const CustomerView = Type.Object({
  id: Id,
  name: Text,
  company: NullableText,
  ownerAgentId: NullableText,
  tier: NullableText,
  segment: NullableText,
  language: NullableText,
  needs: Type.Array(Text),
  purchaseVolume: Type.Number(),
  seasonality: NullableText,
  overdueAmount: Type.Number(),
  overdueDays: Type.Integer(),
  refusalReasons: Type.Array(Text),
  blocked: Type.Boolean(),
  lastAgentId: Type.Union([Text, Type.Null()], { description: 'the agent of the last answered talk long enough to count' }),
  lastContactAt: Nullable(Instant),
  phones: Type.Array(PhoneView)
})

export const CustomerCardView = Type.Object(
  {
    customer: CustomerView,
    owner: Nullable(Named),
    openDeals: Type.Array(Type.Object({ id: Id, title: Text, stage: Text, amount: Nullable(Type.Number()), updatedAt: Instant })),
    lastCalls: Type.Array(Type.Object({ id: Text, at: Instant, outcome: NullableText, agent: Nullable(Named), talkSeconds: Nullable(Type.Number()) })),
    recentOrders: Type.Array(Type.Object({ id: Id, product: Text, amount: Type.Number(), orderedAt: Instant })),
    payments: Type.Array(Type.Object({ id: Id, amount: Type.Number(), dueDate: Day, paidDate: Nullable(Day), overdue: Type.Boolean(), daysOverdue: Type.Integer() })),
    overdueTotal: Type.Number(),
    openTasks: Type.Array(Type.Object({ id: Id, kind: Text, title: Text, dueAt: Instant, assigneeAgentId: NullableText })),
    refusalReasons: Type.Array(Text),
    needs: Type.Array(Text),
    lastChats: Type.Array(Type.Object({ id: Text, at: Instant, outcome: NullableText, product: NullableText, agent: Nullable(Named), messages: Type.Integer() }), { description: 'the latest web chats, newest first (5 at most)' }),
    pagesViewed: Type.Array(Type.Object({ url: Text, title: NullableText, product: NullableText, at: Instant }), { description: "the latest pages viewed on the company's site, newest first (5 at most)" })
  },
  { description: "the screen-pop card: the customer, their owner, open deals, last calls, orders, payments (overdue marked), open tasks, and their web chats and pages viewed" }
)

export const ImportResultView = Type.Object({
  imported: Type.Integer(),
  rejected: Type.Integer({ description: 'every refused row, counted' }),
  errors: Type.Array(Type.Object({ line: Type.Integer(), reason: Text }), { description: 'the first refused rows, by the line each starts on' })
})

export const AgentView = Type.Object({
  id: Text,
  name: Text,
  sipUri: NullableText,
  extension: NullableText,
  team: NullableText,
  capacity: Type.Integer(),
  chatCapacity: Type.Optional(Type.Integer({ description: 'web chats held at once, apart from calls' })),
  active: Type.Boolean(),
  language: Type.Optional(Nullable(Type.Enum(['ru', 'en'], { description: "the language of the agent's page; null: the browser's" }))),
  skills: Type.Record(Type.String(), Type.Integer(), { description: 'skill → proficiency 1..10' })
})

const Status = Type.Enum(['offline', 'available', 'ringing', 'busy', 'wrap-up', 'away'])
const ownState = {
  status: Status,
  since: Instant,
  activeCalls: Type.Integer(),
  capacity: Type.Integer(),
  callsToday: Type.Integer(),
  wrapUpUntil: Nullable(Instant)
}
export const OwnStateView = Type.Object(ownState)
export const AgentStateView = Type.Object({ agentId: Text, ...ownState, lastCallEndedAt: Nullable(Instant) })
export const MeView = Type.Object({
  id: Text,
  name: Text,
  team: NullableText,
  state: Nullable(OwnStateView),
  language: Nullable(Type.Enum(['ru', 'en'], { description: "the language the agent chose for their page; null: the browser's" })),
  currency: Type.String({ description: 'the ISO 4217 currency of amounts on the card (CURRENCY)' })
})
export const TokenView = Type.Object({ agentId: Text, token: Type.String({ description: 'shown once; only its hash is kept' }) })

export const LineView = Type.Object({ number: Type.String({ description: 'E.164' }), name: NullableText, source: NullableText, campaign: NullableText, product: NullableText, costPerLead: Nullable(Type.Number()) })

export const TaskView = Type.Object({
  id: Id,
  kind: Text,
  title: Text,
  dueAt: Instant,
  status: Type.Enum(['open', 'done', 'cancelled']),
  assigneeAgentId: NullableText,
  customerId: Nullable(Id),
  leadId: Nullable(Id),
  attempts: Type.Integer({ description: "how many tries of the caller it stands for (a call-back)" }),
  callId: NullableText
})
export const AgentTaskView = Type.Object({ id: Id, kind: Text, title: Text, dueAt: Instant, customer: Nullable(Type.Object({ id: Id, name: Text })), leadId: Nullable(Id), overdue: Type.Boolean() })

export const DealView = Type.Object({
  id: Id,
  customerId: Nullable(Id),
  leadId: Nullable(Id),
  title: Text,
  stage: Text,
  status: Type.Enum(['open', 'won', 'lost']),
  amount: Nullable(Type.Number()),
  lostReason: NullableText,
  agentId: NullableText,
  createdAt: Instant,
  updatedAt: Instant,
  closedAt: Nullable(Instant)
})
export const DealWithStepsView = Type.Intersect([
  DealView,
  Type.Object({ steps: Type.Array(Type.Object({ at: Instant, stage: NullableText, status: Text, reason: NullableText, agentId: NullableText })) })
])
export const DealOptionsView = Type.Object({ stages: Type.Array(Text, { description: 'in order; the last one wins the deal' }), reasons: Type.Array(Text) })

export const LeadView = Type.Object({
  id: Id,
  phone: NullableText,
  visitorId: NullableText,
  name: NullableText,
  line: NullableText,
  source: NullableText,
  campaign: NullableText,
  cost: Nullable(Type.Number()),
  agentId: NullableText,
  customerId: Nullable(Id),
  status: Text,
  lostReason: NullableText,
  createdAt: Instant,
  convertedAt: Nullable(Instant),
  lostAt: Nullable(Instant)
})
/** One message of a web chat: typed text, or a product card the agent sent (src/chat/protocol.ts ChatMessage). */
export const ChatMessageView = Type.Object({
  seq: Type.Integer(),
  from: Type.Union([Type.Literal('agent'), Type.Literal('visitor')]),
  text: Type.Optional(Type.String()),
  card: Type.Optional(Type.Object({ title: Type.String(), summary: Type.String(), url: Type.String() })),
  at: Type.String()
})

/** One web chat in a customer's or lead's history (docs/chat.md). */
export const ChatInHistoryView = Type.Object({
  id: Text,
  site: Text,
  product: NullableText,
  agentId: NullableText,
  outcome: Type.Union([Type.String({ description: 'answered, missed, message-left or call-back' }), Type.Null()], { description: 'null while the chat is open' }),
  startedAt: Instant,
  endedAt: Type.Union([Instant, Type.Null()]),
  waitSeconds: Type.Union([Type.Number(), Type.Null()]),
  handleSeconds: Type.Union([Type.Number(), Type.Null()]),
  messages: Type.Integer()
})

export const LeadWithHistoryView = Type.Intersect([
  LeadView,
  Type.Object({
    calls: Type.Array(Type.Object({ id: Text, at: Instant, kind: Text, outcome: NullableText, agentId: NullableText })),
    tasks: Type.Array(Type.Object({ id: Id, kind: Text, title: Text, status: Text, dueAt: Instant, assigneeAgentId: NullableText })),
    deals: Type.Array(Type.Object({ id: Id, title: Text, stage: Text, status: Text, lostReason: NullableText })),
    chats: Type.Array(ChatInHistoryView)
  })
])
export const ConversionView = Type.Object({
  lead: LeadView,
  customer: Type.Object({ id: Id, name: Text, ownerAgentId: NullableText, phone: NullableText }),
  linked: Type.Object({ calls: Type.Integer(), deals: Type.Integer(), tasks: Type.Integer() }, { description: "how many of the lead's calls, deals and tasks now name the customer" })
})
