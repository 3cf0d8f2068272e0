import type { Kysely, Selectable } from 'kysely'
import type { Database, TaskTable } from './schema.js'

/** An open task as its assignee sees it. */
export interface AgentTask {
  id: number
  kind: string
  title: string
  dueAt: string
  customer: { id: number; name: string } | null
  leadId: number | null
}

/** Open tasks listed at most; an agent with more works from the top anyway. */
export const OPEN_TASKS_LIMIT = 100

/**
 * The agent's open tasks (call-backs, reminders), the soonest due first.
 * Served by `tasks_assignee_idx (assignee_agent_id, status, due_at)`.
 */
export async function listOpenTasksOfAgent(db: Kysely<Database>, agentId: string, limit = OPEN_TASKS_LIMIT): Promise<AgentTask[]> {
  const rows = await db
    .selectFrom('tasks as t')
    .leftJoin('customers as c', 'c.id', 't.customer_id')
    .select(['t.id', 't.kind', 't.title', 't.due_at', 't.lead_id', 'c.id as customer_id', 'c.name as customer_name'])
    .where('t.assignee_agent_id', '=', agentId)
    .where('t.status', '=', 'open')
    .orderBy('t.due_at')
    .orderBy('t.id')
    .limit(limit)
    .execute()
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    title: r.title,
    dueAt: r.due_at.toISOString(),
    customer: r.customer_id !== null && r.customer_name !== null ? { id: Number(r.customer_id), name: r.customer_name } : null,
    leadId: r.lead_id === null ? null : Number(r.lead_id)
  }))
}

/** A task as notifications and the API show it. */
export interface TaskNotice {
  id: number
  kind: string
  title: string
  dueAt: string
  status: 'open' | 'done' | 'cancelled'
  assigneeAgentId: string | null
  customerId: number | null
  leadId: number | null
  /** How many tries of the caller it stands for (a call-back task). */
  attempts: number
  callId: string | null
}

type TaskRow = Selectable<TaskTable>

export function toTaskNotice(row: Pick<TaskRow, 'id' | 'kind' | 'title' | 'due_at' | 'status' | 'assignee_agent_id' | 'customer_id' | 'lead_id' | 'attempts' | 'call_id'>): TaskNotice {
  return {
    id: Number(row.id),
    kind: row.kind,
    title: row.title,
    dueAt: row.due_at.toISOString(),
    status: row.status,
    assigneeAgentId: row.assignee_agent_id,
    customerId: row.customer_id === null ? null : Number(row.customer_id),
    leadId: row.lead_id === null ? null : Number(row.lead_id),
    attempts: row.attempts,
    callId: row.call_id
  }
}

export interface NewTask {
  kind: string
  title: string
  dueAt: number
  assigneeAgentId: string | null
  customerId?: number | null
  leadId?: number | null
  callId?: string | null
}

export async function createTask(db: Kysely<Database>, task: NewTask): Promise<TaskNotice> {
  const row = await db
    .insertInto('tasks')
    .values({
      kind: task.kind,
      title: task.title,
      due_at: new Date(task.dueAt),
      assignee_agent_id: task.assigneeAgentId,
      customer_id: task.customerId ?? null,
      lead_id: task.leadId ?? null,
      call_id: task.callId ?? null
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return toTaskNotice(row)
}

export async function getTask(db: Kysely<Database>, id: number): Promise<TaskNotice | null> {
  const row = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? toTaskNotice(row) : null
}

/** Closes an open task as done (or cancelled); null when there is no such open task (of that assignee, when given). */
export async function finishTask(db: Kysely<Database>, id: number, at: number, options: { assigneeAgentId?: string; status?: 'done' | 'cancelled'; closedBy?: string } = {}): Promise<TaskNotice | null> {
  let query = db
    .updateTable('tasks')
    .set({ status: options.status ?? 'done', done_at: new Date(at), closed_by: options.closedBy ?? null })
    .where('id', '=', id)
    .where('status', '=', 'open')
  if (options.assigneeAgentId !== undefined) query = query.where('assignee_agent_id', '=', options.assigneeAgentId)
  const row = await query.returningAll().executeTakeFirst()
  return row ? toTaskNotice(row) : null
}

/** Tasks filtered for the admin API, soonest due first. */
export async function listTasks(db: Kysely<Database>, filter: { assigneeAgentId?: string; status?: string; customerId?: number; leadId?: number; limit: number }): Promise<TaskNotice[]> {
  let query = db.selectFrom('tasks').selectAll()
  if (filter.assigneeAgentId !== undefined) query = query.where('assignee_agent_id', '=', filter.assigneeAgentId)
  if (filter.status !== undefined) query = query.where('status', '=', filter.status as 'open')
  if (filter.customerId !== undefined) query = query.where('customer_id', '=', filter.customerId)
  if (filter.leadId !== undefined) query = query.where('lead_id', '=', filter.leadId)
  const rows = await query.orderBy('due_at').orderBy('id').limit(filter.limit).execute()
  return rows.map(toTaskNotice)
}
