import { Type, type TSchema } from 'typebox'
import { DB_ERRORS, errorResponses } from './error-responses.js'

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Text = Type.String()
const NullableText = Nullable(Text)
const Instant = Type.String({ format: 'date-time' })
const NullableInstant = Nullable(Instant)
const Seconds = Nullable(Type.Number())
const Filter = (description: string) => Type.Optional(Type.String({ description }))

/** Filters are read as text and checked by the route, so that a bad one answers CTI_ERR_BAD_FILTER naming it. */
export const CallsQuery = Type.Object(
  {
    from: Filter('offered at or after this ISO 8601 time'),
    to: Filter('offered before this ISO 8601 time'),
    caller: Filter('the caller\'s number in any format ("8 916 123-45-67", "+79161234567")'),
    customer: Filter('customer id'),
    agent: Filter('agent id (the agent who answered, else the last offered)'),
    line: Filter('the number dialed, any format'),
    outcome: Filter('answered, missed, abandoned, busy, rejected, failed or redirected'),
    rule: Filter('the rule that routed the call'),
    limit: Filter('calls per page, 1-500 (default 50)'),
    after: Filter('the `next` cursor of the previous page'),
    format: Filter('csv streams every call matching (also Accept: text/csv)')
  },
  { additionalProperties: true }
)

export const CallId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256, description: 'the call id' }) })

export const CallListItem = Type.Object({
  id: Text,
  offeredAt: Instant,
  caller: NullableText,
  callerName: NullableText,
  line: Nullable(Type.String({ description: 'the number dialed' })),
  customerId: Nullable(Type.Integer()),
  leadId: Nullable(Type.Integer()),
  agentId: NullableText,
  rule: NullableText,
  outcome: NullableText,
  answeredAt: NullableInstant,
  endedAt: NullableInstant,
  waitSeconds: Seconds,
  talkSeconds: Seconds,
  source: NullableText,
  campaign: NullableText,
  kind: Text,
  channel: Text,
  direction: Text,
  endCause: NullableText,
  finalAction: NullableText
})

export const CallListAnswer = Type.Object({ calls: Type.Array(CallListItem), next: Nullable(Type.String({ description: 'pass as `after` for the next page; null on the last' })) })

const StoryEvent = Type.Object({ at: Instant, kind: Text, agentId: NullableText, data: Nullable(Type.Record(Type.String(), Type.Unknown())) })

export const CallStory = Type.Object({
  call: Type.Intersect([CallListItem, Type.Object({ routedAt: NullableInstant, ringingAt: NullableInstant, degraded: Type.Boolean() })]),
  customer: Nullable(Type.Object({ id: Type.Integer(), name: Text, company: NullableText })),
  lead: Nullable(Type.Object({ id: Type.Integer(), name: NullableText, phone: NullableText, status: Text, source: NullableText, campaign: NullableText })),
  line: Nullable(Type.Object({ number: Text, name: NullableText, product: NullableText, source: NullableText, campaign: NullableText })),
  agent: Nullable(Type.Object({ id: Text, name: Text, team: NullableText })),
  events: Type.Array(StoryEvent, { description: 'every step, in order' }),
  offers: Type.Array(
    Type.Object({
      agentId: NullableText,
      offeredAt: Instant,
      ringSeconds: Seconds,
      reason: Type.Unknown({ description: 'why the router chose this agent' }),
      ringingAt: NullableInstant,
      result: Type.Enum(['answered', 'failed', 'unanswered']),
      why: Type.Unknown({ description: 'why the offer failed (no-answer, busy, rejected…)' }),
      endedAt: NullableInstant
    })
  ),
  decisions: Type.Array(Type.Object({ at: Text, kind: Text, rule: Type.Unknown(), rulesVersion: Type.Unknown(), trace: Type.Unknown({ description: 'the rules tried and the steps taken (first decision)' }) })),
  queue: Nullable(Type.Object({ queuedAt: Instant, dequeuedAt: NullableInstant, waitSeconds: Seconds, queue: Type.Unknown(), position: Type.Unknown(), estimatedWaitSeconds: Type.Unknown(), how: Type.Unknown({ description: 'served, overflow, abandoned or callback' }) })),
  segments: Type.Array(Type.Object({ agentId: Type.String(), from: Instant, to: NullableInstant, seconds: Seconds }), { description: 'who talked, from when to when: one per agent who answered (a transfer closes one and opens the next)' }),
  times: Type.Object({ waitSeconds: Seconds, talkSeconds: Seconds, wrapUpSeconds: Seconds })
})

export const AuditQuery = Type.Object(
  {
    from: Filter('at or after this ISO 8601 time'),
    to: Filter('before this ISO 8601 time'),
    actor: Filter("the actor's id (a supervisor's id, the admin token's fingerprint) or name"),
    actorKind: Filter('admin, supervisor or system'),
    entity: Filter('agent, line, customer, supervisor, rules…'),
    entityId: Filter("the entity's id"),
    action: Filter('agent.updated, token.issued, rules.refused…'),
    limit: Filter('entries per page, 1-500 (default 100)'),
    after: Filter('the `next` cursor of the previous page')
  },
  { additionalProperties: true }
)

export const AuditAnswer = Type.Object({
  entries: Type.Array(
    Type.Object({
      id: Text,
      at: Instant,
      actor: Type.Object({ kind: Text, id: NullableText, name: NullableText }),
      action: Text,
      entity: Text,
      entityId: NullableText,
      before: Type.Unknown({ description: 'the changed fields as they were' }),
      after: Type.Unknown({ description: 'the changed fields as they became' })
    })
  ),
  next: NullableText
})

export const BAD_FILTER = errorResponses({ 400: ['CTI_ERR_BAD_FILTER'] }, DB_ERRORS)
