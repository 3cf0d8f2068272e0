import { Type } from 'typebox'
import { DecisionView, NoAnswerView, RouteAnswerView } from './routing-schemas.js'

/** What the waiting queue answers (POST /v1/route 202, the long poll, call-backs, GET /v1/queues), for the OpenAPI description. */

const Text = Type.String()

export const QueuedView = Type.Object(
  {
    queue: Text,
    position: Type.Integer({ minimum: 1, description: '1 = next among the calls waiting for the same agents' }),
    estimatedWaitSeconds: Type.Integer({ minimum: 0, description: 'position × the recent mean handle time of the agents it can go to ÷ how many of them are logged in' }),
    waitedSeconds: Type.Optional(Type.Number({ minimum: 0 })),
    priority: Type.Optional(Type.Integer())
  },
  { description: 'where the waiting interaction stands' }
)

export const QueuedRouteAnswerView = Type.Object({ ...RouteAnswerView.properties, queued: QueuedView }, { description: 'nobody can take it now: it waits in the queue (202)' })

export const NoAnswerWaitingView = Type.Object({ ...NoAnswerView.properties, queued: Type.Optional(QueuedView) }, { description: 'the next decision; with `queued` when nobody is left to ring and the call waits in its queue' })

export const WaitAnswerView = Type.Object({
  callId: Text,
  status: Type.Enum(['offered', 'final', 'queued', 'ended'], {
    description: 'offered: ring decision.targets[0] (reserved now); final: apply decision.final (an overflow); queued: the timeout passed and it still waits (poll again); ended: it ended while the poll waited'
  }),
  decision: Type.Optional(DecisionView),
  queued: Type.Optional(QueuedView),
  outcome: Type.Optional(Type.Union([Text, Type.Null()]))
})

export const CallBackKeptView = Type.Object({
  callId: Text,
  status: Type.Literal('call-back-queued'),
  queued: QueuedView
})

const QueuedCallView = Type.Object({
  callId: Text,
  position: Type.Integer(),
  priority: Type.Integer(),
  waitedSeconds: Type.Number(),
  estimatedWaitSeconds: Type.Integer(),
  kind: Type.String({ description: 'call, web-visit, or callback once the caller asked to be called back' })
})

export const QueueView = Type.Object({
  name: Text,
  waiting: Type.Integer(),
  longestWaitSeconds: Type.Number({ description: '0 when nobody waits' }),
  serviceLevelSeconds: Type.Integer(),
  maxWaitSeconds: Type.Integer(),
  maxWaiting: Type.Integer(),
  calls: Type.Array(QueuedCallView, { description: 'highest priority first, then longest wait' })
})

export const QueuesView = Type.Object({ queues: Type.Array(QueueView) })
