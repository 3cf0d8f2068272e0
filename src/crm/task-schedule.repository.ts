import { sql, type Kysely } from 'kysely'
import type { Database } from './schema.js'
import { toTaskNotice, type TaskNotice } from './task.repository.js'

/** Tasks claimed per poll at most; the rest wait for the next one. */
const BATCH = 500

/**
 * Claims the open tasks that fell due and were not reminded yet, marking them
 * reminded in the same statement: with several processes polling, each task
 * is reminded once. Served by `tasks_remind_idx`.
 */
export async function claimDueReminders(db: Kysely<Database>, now: number): Promise<TaskNotice[]> {
  const rows = await db
    .updateTable('tasks')
    .set({ reminded_at: new Date(now) })
    .where('id', 'in', claimable(db, 'reminded_at', new Date(now)))
    .returningAll()
    .execute()
  return rows.map(toTaskNotice)
}

/** An overdue task and the team lead told of it (null when the assignee's team has none). */
export interface Escalation {
  task: TaskNotice
  teamLeadAgentId: string | null
  overdueMinutes: number
}

/**
 * Claims the open tasks overdue by more than `afterMs` and not escalated yet,
 * recording the assignee's team lead they go to. Served by `tasks_escalate_idx`.
 */
export async function claimEscalations(db: Kysely<Database>, now: number, afterMs: number): Promise<Escalation[]> {
  const cutoff = new Date(now - afterMs)
  const rows = await db
    .updateTable('tasks as t')
    .set({
      escalated_at: new Date(now),
      escalated_to: sql<string | null>`(select tm.lead_agent_id from agents a join teams tm on tm.id = a.team_id where a.id = t.assignee_agent_id)`
    })
    .where('t.id', 'in', claimable(db, 'escalated_at', cutoff))
    .returningAll()
    .execute()
  return rows.map((row) => ({
    task: toTaskNotice(row),
    teamLeadAgentId: row.escalated_to,
    overdueMinutes: Math.floor((now - row.due_at.getTime()) / 60_000)
  }))
}

/**
 * The ids of open tasks due by `dueBy` and not yet marked in `mark`, oldest first, at most a
 * batch, skipping rows another process is claiming at this moment.
 */
function claimable(db: Kysely<Database>, mark: 'reminded_at' | 'escalated_at', dueBy: Date) {
  return db
    .selectFrom('tasks')
    .select('id')
    .where('status', '=', 'open')
    .where(mark, 'is', null)
    .where('due_at', '<=', dueBy)
    .orderBy('due_at')
    .limit(BATCH)
    .forUpdate()
    .skipLocked()
}
