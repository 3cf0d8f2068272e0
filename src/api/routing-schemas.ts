import { Type, type TSchema } from 'typebox'
import { LineView } from './response-schemas.js'

/** What routing answers (route, explain, the lifecycle reports), for the OpenAPI description. */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Text = Type.String()

export const RouteTargetView = Type.Object({
  agentId: Text,
  address: Type.String({ description: "where to ring the agent (a SIP URI or the agent's extension)" }),
  ringSeconds: Type.Integer(),
  step: Type.String({ description: 'the step that found them: owner, last-agent, skills, team…' }),
  reason: Type.String({ description: 'in plain words, for their screen-pop' })
})

export const FinalActionView = Type.Union(
  [
    Type.Object({ kind: Type.Literal('queue'), queue: Text }),
    Type.Object({ kind: Type.Literal('voicemail'), mailbox: Nullable(Text), callbackTask: Type.Boolean() }),
    Type.Object({ kind: Type.Literal('reject'), cause: Text, sipStatus: Type.Integer() })
  ],
  { description: 'what happens once the targets are exhausted, or at once when there are none' }
)

const TraceStepView = Type.Object({
  rule: Text,
  step: Text,
  considered: Type.Integer(),
  skipped: Type.Array(Type.Object({ agentId: Text, reason: Text })),
  moreSkipped: Type.Optional(Type.Integer()),
  chosen: Type.Array(Text),
  note: Type.Optional(Text)
})

export const DecisionView = Type.Object({
  rule: Type.Union([Text, Type.Null()], { description: 'the rule that matched; null for the fallback' }),
  priority: Type.Integer(),
  reason: Text,
  targets: Type.Array(RouteTargetView, { description: 'agents to offer, in order' }),
  final: FinalActionView,
  trace: Type.Object({
    rulesTried: Type.Array(Type.Object({ rule: Text, source: Text, matched: Type.Boolean(), error: Type.Optional(Text) })),
    steps: Type.Array(TraceStepView)
  })
})

export const RouteAnswerView = Type.Object({
  callId: Text,
  caller: Type.Object({
    number: Type.Union([Text, Type.Null()], { description: 'E.164; null when the caller could not be read' }),
    problem: Type.Optional(Text),
    displayName: Nullable(Text)
  }),
  customer: Nullable(Type.Object({ id: Type.Integer(), name: Text, tier: Nullable(Text), ownerAgentId: Nullable(Text) })),
  line: Nullable(LineView),
  rulesVersion: Text,
  degraded: Type.Boolean({ description: 'true when a dependency (the database, Redis) was away and the decision was made without it' }),
  degradedReasons: Type.Optional(Type.Array(Text, { description: 'why, when degraded' })),
  decision: DecisionView
})

export const AnsweredView = Type.Object({ callId: Text, answeredBy: Text })
export const NoAnswerView = Type.Object({ callId: Text, degraded: Type.Optional(Type.Boolean()), degradedReasons: Type.Optional(Type.Array(Text)), decision: DecisionView })
export const EndedView = Type.Object({ callId: Text, ended: Type.Boolean({ description: 'false when the call was not known' }) })

export const VisitResultView = Type.Object({
  callId: Type.Union([Text, Type.Null()], { description: 'null when the visit is not worth attention yet (202)' }),
  attended: Type.Boolean(),
  reason: Text,
  agentId: Nullable(Text),
  rule: Nullable(Text),
  customerId: Nullable(Type.Integer()),
  leadId: Nullable(Type.Integer()),
  callback: Nullable(
    Type.Union([
      Type.Object({ placed: Type.Literal(true), callId: Text, agentId: Text }),
      Type.Object({ placed: Type.Literal(false), taskId: Type.Integer(), assigneeAgentId: Nullable(Text) })
    ])
  )
})

export const PlacedCallBackView = Type.Object({
  callId: Text,
  agentId: Text,
  customerId: Nullable(Text),
  phone: Text,
  ringSeconds: Type.Integer(),
  status: Type.Literal('ringing-agent')
})
