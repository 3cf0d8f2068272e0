import { sql, type Kysely, type OnConflictBuilder, type Selectable } from 'kysely'
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

/** A call-back owed after a missed call, as openCallBackTask takes it. */
export interface CallBackTaskOrder {
  customerId: number | null
  leadId: number | null
  assigneeAgentId: string | null
  title: string
  dueAt: number
  callId: string
}

/**
 * openCallBackTask for many missed calls at once: one multi-row upsert per
 * kind of holder (customer, lead) and per repetition (one statement may not
 * touch a task twice, and two missed calls of one caller can share a batch).
 * Returns each call's task, and whether that call created it.
 */
export async function openCallBackTasks(db: Kysely<Database>, orders: readonly CallBackTaskOrder[]): Promise<{ task: TaskNotice; created: boolean }[]> {
  const results = new Array<{ task: TaskNotice; created: boolean }>(orders.length)
  const runs = new Map<'customer' | 'lead', number[][]>()
  const seen = new Map<string, number>()
  orders.forEach((order, i) => {
    if (order.customerId === null && order.leadId === null) throw new Error('a call-back task needs a customer or a lead')
    const holder: 'customer' | 'lead' = order.customerId !== null ? 'customer' : 'lead'
    const key = `${holder}:${order.customerId ?? order.leadId}`
    const run = seen.get(key) ?? 0
    seen.set(key, run + 1)
    const of = runs.get(holder) ?? runs.set(holder, []).get(holder)!
    ;(of[run] ??= []).push(i)
  })
  const holderOf = (i: number) => Number(orders[i]!.customerId ?? orders[i]!.leadId)
  // Customers first, then leads, as closeCallBackTasksOf locks them.
  for (const holder of ['customer', 'lead'] as const) {
    for (const indexes of runs.get(holder) ?? []) {
      // In the order of the holders: two batches at once then lock their tasks in one order, never deadlocking.
      indexes.sort((a, b) => holderOf(a) - holderOf(b))
      const rows = await db
        .insertInto('tasks')
        .values(indexes.map((i) => {
          const o = orders[i]!
          return { kind: 'callback', title: o.title, due_at: new Date(o.dueAt), assignee_agent_id: o.assigneeAgentId, customer_id: o.customerId, lead_id: o.leadId, call_id: o.callId }
        }))
        .onConflict(onOpenCallBack(holder))
        .returningAll()
        .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
        .execute()
      const byHolder = new Map(rows.map((row) => [String(holder === 'customer' ? row.customer_id : row.lead_id), row]))
      for (const i of indexes) {
        const o = orders[i]!
        const row = byHolder.get(String(holder === 'customer' ? o.customerId : o.leadId))
        if (!row) throw new Error(`call-back task of call ${o.callId} neither inserted nor updated`)
        results[i] = { task: toTaskNotice(row), created: row.inserted }
      }
    }
  }
  return results
}

/** An answered call that closes its caller's open call-back tasks. */
export interface AnsweredCall {
  callId: string
  customerId: number | null
  phone: string | null
  at: number
}

/**
 * closeCallBackTasks for many answered calls in one statement: the open
 * call-back tasks of their customers, or of the open leads with their numbers,
 * closed by the first of the calls that reaches them. Returns each task closed
 * with the call that closed it.
 */
export async function closeCallBackTasksOf(db: Kysely<Database>, calls: readonly AnsweredCall[]): Promise<{ callId: string; task: TaskNotice }[]> {
  const who = calls.filter((c) => c.customerId !== null || c.phone !== null)
  if (who.length === 0) return []
  const { rows } = await sql<TaskRow & { closing_call: string }>`
    with v as (
      select * from unnest(${who.map((c) => c.callId)}::text[], ${who.map((c) => c.customerId)}::bigint[], ${who.map((c) => c.phone)}::text[], ${who.map((c) => new Date(c.at))}::timestamptz[])
        with ordinality as v(call_id, customer_id, phone, at, ord)
    ), reached as (
      -- Each call looks up its own tasks (laterals kept apart by offset 0): the plan then never
      -- depends on statistics, which the embedded database never gathers, nor on a fresh table's.
      select distinct on (id) id, call_id, at from (
        select t.id, v.call_id, v.at, v.ord from v cross join lateral (
          select t.id from tasks t where t.customer_id = v.customer_id and t.kind = 'callback' and t.status = 'open' offset 0
        ) t
        union all
        select t.id, v.call_id, v.at, v.ord from v
          cross join lateral (select l.id from leads l where l.phone = v.phone and l.customer_id is null offset 0) l
          cross join lateral (
            select t.id from tasks t where t.lead_id = l.id and t.customer_id is null and t.kind = 'callback' and t.status = 'open' offset 0
          ) t
      ) m order by id, ord
    ), locked as (
      -- Locked in the order openCallBackTasks takes them (customers, then leads, each ascending):
      -- a batch closing tasks and one trying them again at once wait for each other, never deadlock.
      select t.id from tasks t where t.id in (select id from reached)
      order by t.customer_id nulls last, t.lead_id
      for update of t
    )
    update tasks set status = 'done', done_at = reached.at, closed_by = 'call ' || reached.call_id
    from reached join locked using (id) where tasks.id = reached.id and tasks.status = 'open'
    returning tasks.*, reached.call_id as closing_call`.execute(db)
  return rows.map((row) => ({ callId: row.closing_call, task: toTaskNotice(row) }))
}

/**
 * The conflict clause of an insert of a call-back task: onto the open call-back of the same
 * customer (or lead without a customer), counting one more try unless it is the same call again.
 * Literal predicates: the conflict target must match sql/004's partial unique indexes as written.
 */
export function onOpenCallBack(holder: 'customer' | 'lead') {
  return (oc: OnConflictBuilder<Database, 'tasks'>) => {
    const target =
      holder === 'customer'
        ? oc.column('customer_id').where(sql<boolean>`kind = 'callback' and status = 'open' and call_id is not null`)
        : oc.column('lead_id').where(sql<boolean>`kind = 'callback' and status = 'open' and customer_id is null and call_id is not null`)
    return target.doUpdateSet({
      attempts: sql`tasks.attempts + case when tasks.call_id is not distinct from excluded.call_id then 0 else 1 end`,
      call_id: sql`excluded.call_id`
    })
  }
}
