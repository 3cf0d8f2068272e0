import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import type { CallAgents, TakenCall } from '../calls/call-agents.js'
import { LeadErrors } from '../crm/lead.repository.js'
import type { Database } from '../crm/schema.js'
import { createFollowUp, customerIsTheirs, leadIsTheirs, moveTask } from '../crm/task-actions.repository.js'
import type { TaskNotice } from '../crm/task.repository.js'
import { CtiError, Errors } from '../errors.js'
import { requireAgentToken } from './agent-token-auth.js'
import { actionsOnce } from './idempotency.js'
import { MeActionErrors } from './me-actions.routes.js'
import { newTaskSchema, rescheduleSchema, snoozeSchema } from './me-actions-schemas.js'

export interface MeTaskActionOptions {
  db: Kysely<Database>
  calls: CallAgents
  now: () => number
}

/** A due time a minute late is still taken (the clocks of the page and the server differ a little). */
const PAST_SLACK_MS = 60_000
const FURTHEST_MS = 366 * 86_400_000

const notTheirTask = (id: number) => new CtiError('CTI_ERR_TASK_NOT_FOUND', `you have no open task ${id}`, 404, 404)

/** The instant of a due time given as ISO 8601, from now to a year ahead; else a 400 saying which. */
export function dueTime(text: string, now: number): number {
  const at = Date.parse(text)
  // Without an offset the instant would be read in the server's own time zone, which is nobody's.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) || Number.isNaN(at)) throw Errors.badRequest(`dueAt "${text}" is not an ISO 8601 date-time with its offset, such as 2026-11-24T10:00:00+03:00`)
  if (at < now - PAST_SLACK_MS) throw Errors.badRequest(`dueAt ${new Date(at).toISOString()} is in the past; a task falls due from now on`)
  if (at > now + FURTHEST_MS) throw Errors.badRequest(`dueAt ${new Date(at).toISOString()} is more than a year ahead`)
  return at
}

/**
 * An agent's own tasks from their page: `POST /v1/me/tasks` (a follow-up on their customer or lead,
 * or the one of a call they took), `POST /v1/me/tasks/:id/snooze` `{ minutes }` and
 * `POST /v1/me/tasks/:id/reschedule` `{ dueAt }` (their own open tasks only; the reminder follows
 * the new time). Each honours an Idempotency-Key; a task of a call joins that call's events.
 */
export async function meTaskActionRoutes(fastify: FastifyInstance, options: MeTaskActionOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { db, calls, now } = options
  const agentOf = requireAgentToken(fastify, db)
  const once = actionsOnce(db, now)

  app.post('/v1/me/tasks', { schema: newTaskSchema }, async (request, reply) => {
    const agentId = agentOf(request)
    const body = request.body
    return once(request, reply, agentId, async () => {
      if (body.customerId !== undefined && body.leadId !== undefined) throw Errors.badRequest('a task is about a customer or a lead, not both')
      const at = now()
      const dueAt = dueTime(body.dueAt, at)
      const call = body.callId === undefined ? null : await calls.takenBy(body.callId, agentId)
      if (body.callId !== undefined && !call) throw MeActionErrors.callNotTaken(body.callId)
      const subject = await subjectOf(body, call, agentId)
      const task = await createFollowUp(db, { agentId, ...subject, callId: call?.callId ?? null, title: body.title, dueAt, note: body.note ?? null })
      if (call) await calls.record(call.callId, 'follow-up', agentId, { taskId: task.id, title: task.title, dueAt: task.dueAt, note: task.note }, at)
      request.log.info({ agentId, taskId: task.id, callId: call?.callId }, 'follow-up task set from the agent page')
      return { status: 201, body: task }
    })
  })

  app.post('/v1/me/tasks/:id/snooze', { schema: snoozeSchema }, async (request, reply) => {
    const agentId = agentOf(request)
    return once(request, reply, agentId, async () => {
      const at = now()
      return { status: 200, body: await moved(request.params.id, agentId, at + request.body.minutes * 60_000, at, 'task-snoozed') }
    })
  })

  app.post('/v1/me/tasks/:id/reschedule', { schema: rescheduleSchema }, async (request, reply) => {
    const agentId = agentOf(request)
    return once(request, reply, agentId, async () => {
      const at = now()
      return { status: 200, body: await moved(request.params.id, agentId, dueTime(request.body.dueAt, at), at, 'task-rescheduled') }
    })
  })

  async function moved(id: number, agentId: string, dueAt: number, at: number, kind: string): Promise<TaskNotice> {
    const task = await moveTask(db, id, agentId, dueAt)
    if (!task) throw notTheirTask(id)
    if (task.callId) await calls.record(task.callId, kind, agentId, { taskId: task.id, dueAt: task.dueAt }, at)
    return task
  }

  /** Whom the task is about: as given, else the call's; either must be the agent's (or the call's), else 404. */
  async function subjectOf(body: { customerId?: number; leadId?: number }, call: TakenCall | null, agentId: string): Promise<{ customerId: number | null; leadId: number | null }> {
    if (body.customerId !== undefined) {
      if (call?.customerId !== body.customerId && !(await customerIsTheirs(db, body.customerId, agentId))) throw Errors.customerNotFound(`the id ${body.customerId} among yours`)
      return { customerId: body.customerId, leadId: null }
    }
    if (body.leadId !== undefined) {
      if (call?.leadId !== body.leadId && !(await leadIsTheirs(db, body.leadId, agentId))) throw LeadErrors.notFound(body.leadId)
      return { customerId: null, leadId: body.leadId }
    }
    if (call?.customerId != null) return { customerId: call.customerId, leadId: null }
    if (call?.leadId != null) return { customerId: null, leadId: call.leadId }
    throw Errors.badRequest('name whom the task is about: customerId, leadId, or the callId of a call about one')
  }
}
