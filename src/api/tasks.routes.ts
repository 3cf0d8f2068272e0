import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import { requireAgentToken } from './agent-token-auth.js'
import { finishTask, getTask, listTasks, type TaskNotice } from '../crm/task.repository.js'
import { CtiError } from '../errors.js'
import { IdParams, RowId } from './schemas.js'
import { DB_ERRORS, errorResponses } from './error-responses.js'
import { TaskView } from './response-schemas.js'
import { actionsOnce, IDEMPOTENCY_ERRORS, IdempotencyHeaders } from './idempotency.js'
import type { CallAgents } from '../calls/call-agents.js'

export interface TaskRoutesOptions {
  db: Kysely<Database>
  now: () => number
  /** Told of a task closed through the API, to update the assignee's page. */
  onClosed: (task: TaskNotice) => void
}

const taskNotFound = (id: number) => new CtiError('CTI_ERR_TASK_NOT_FOUND', `no open task has id ${id}`, 404, 404)

const CloseBody = Type.Union([Type.Object({ status: Type.Optional(Type.Enum(['done', 'cancelled'])) }, { additionalProperties: false }), Type.Null()])
const ListQuery = Type.Object(
  {
    assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    status: Type.Optional(Type.Enum(['open', 'done', 'cancelled'])),
    customerId: Type.Optional(RowId),
    leadId: Type.Optional(RowId),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 })
  },
  { additionalProperties: false }
)

const TASK_FOUND = { 404: ['CTI_ERR_TASK_NOT_FOUND'] }
const listSchema = { summary: 'Tasks, filtered by assignee, status, customer or lead', querystring: ListQuery, response: { 200: Type.Object({ tasks: Type.Array(TaskView) }), ...errorResponses(DB_ERRORS) } }
const getSchema = { summary: 'A task', params: IdParams, response: { 200: TaskView, ...errorResponses(TASK_FOUND, DB_ERRORS) } }
const closeSchema = { summary: 'Closes an open task: done (default) or cancelled', params: IdParams, body: CloseBody, response: { 200: TaskView, ...errorResponses(TASK_FOUND, DB_ERRORS) } }
const doneSchema = {
  summary: 'Marks one of their own open tasks done, from the agent page',
  params: IdParams,
  headers: IdempotencyHeaders,
  response: { 200: TaskView, ...errorResponses(TASK_FOUND, IDEMPOTENCY_ERRORS, DB_ERRORS) }
}

/** `GET /v1/tasks` (filtered), `GET /v1/tasks/:id`, `POST /v1/tasks/:id/close` `{ status? }`: tasks for admins and CRMs. */
export async function taskRoutes(fastify: FastifyInstance, options: TaskRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { db, now } = options

  app.get('/v1/tasks', { schema: listSchema }, async (request) => {
    const q = request.query
    return { tasks: await listTasks(db, { assigneeAgentId: q.assignee, status: q.status, customerId: q.customerId, leadId: q.leadId, limit: q.limit }) }
  })

  app.get('/v1/tasks/:id', { schema: getSchema }, async (request) => {
    const task = await getTask(db, request.params.id)
    if (!task) throw taskNotFound(request.params.id)
    return task
  })

  app.post('/v1/tasks/:id/close', { schema: closeSchema }, async (request) => {
    const task = await finishTask(db, request.params.id, now(), { status: request.body?.status ?? 'done', closedBy: 'api' })
    if (!task) throw taskNotFound(request.params.id)
    options.onClosed(task)
    return task
  })
}

/**
 * `POST /v1/me/tasks/:id/done`: an agent closes one of their own tasks from their page (agent token),
 * once per Idempotency-Key like their other actions; a task of a call joins that call's events.
 */
export async function meTaskRoutes(fastify: FastifyInstance, options: TaskRoutesOptions & { calls?: Pick<CallAgents, 'record'> }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const agentOf = requireAgentToken(fastify, options.db)
  const once = actionsOnce(options.db, options.now)
  app.post('/v1/me/tasks/:id/done', { schema: doneSchema }, async (request, reply) => {
    const agentId = agentOf(request)
    return once(request, reply, agentId, async () => {
      const at = options.now()
      const task = await finishTask(options.db, request.params.id, at, { assigneeAgentId: agentId, closedBy: `agent ${agentId}` })
      if (!task) throw taskNotFound(request.params.id)
      request.log.info({ agentId, taskId: task.id }, 'task done from the agent page')
      options.onClosed(task)
      if (task.callId && options.calls) await options.calls.record(task.callId, 'task-done', agentId, { taskId: task.id }, at)
      return { status: 200, body: task }
    })
  })
}
