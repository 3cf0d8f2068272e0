import type { Kysely } from 'kysely'
import type { Database } from './schema.js'

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
