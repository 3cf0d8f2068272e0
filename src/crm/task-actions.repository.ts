import { sql, type Kysely } from 'kysely'
import type { Database } from './schema.js'
import { toTaskNotice, type TaskNotice } from './task.repository.js'

/** A follow-up an agent sets themselves. */
export interface NewFollowUp {
  agentId: string
  customerId: number | null
  leadId: number | null
  callId: string | null
  title: string
  dueAt: number
  note: string | null
}

export async function createFollowUp(db: Kysely<Database>, input: NewFollowUp): Promise<TaskNotice & { note: string | null }> {
  const row = await db
    .insertInto('tasks')
    .values({
      kind: 'follow-up',
      title: input.title,
      due_at: new Date(input.dueAt),
      assignee_agent_id: input.agentId,
      customer_id: input.customerId,
      lead_id: input.leadId,
      call_id: input.callId,
      note: input.note
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return { ...toTaskNotice(row), note: row.note }
}

/**
 * Moves one of the agent's open tasks to a new due time; null when it is not their open task.
 * Its reminder and escalation start over, so the reminder comes at the new time (task-reminders).
 */
export async function moveTask(db: Kysely<Database>, id: number, agentId: string, dueAt: number): Promise<TaskNotice | null> {
  const row = await db
    .updateTable('tasks')
    .set({ due_at: new Date(dueAt), reminded_at: null, escalated_at: null, escalated_to: null })
    .where('id', '=', id)
    .where('assignee_agent_id', '=', agentId)
    .where('status', '=', 'open')
    .returningAll()
    .executeTakeFirst()
  return row ? toTaskNotice(row) : null
}

/** True when the customer is the agent's: they own it, or took one of its calls. */
export async function customerIsTheirs(db: Kysely<Database>, customerId: number, agentId: string): Promise<boolean> {
  const { rows } = await sql`
    select 1 from customers c where c.id = ${customerId}
      and (c.owner_agent_id = ${agentId} or exists (select 1 from calls k where k.customer_id = c.id and ${answeredBy(agentId)}))`.execute(db)
  return rows.length > 0
}

/** True when the lead is the agent's: assigned to them, worked by them last, or one of its calls was theirs. */
export async function leadIsTheirs(db: Kysely<Database>, leadId: number, agentId: string): Promise<boolean> {
  const { rows } = await sql`
    select 1 from leads l where l.id = ${leadId}
      and (l.agent_id = ${agentId} or l.last_agent_id = ${agentId}
           or exists (select 1 from calls k where (k.lead_id = l.id or k.id = l.first_call_id) and ${answeredBy(agentId)}))`.execute(db)
  return rows.length > 0
}

/** The call `k` was answered by the agent: they were its last agent and it was answered, or one of its 'answered' steps is theirs. */
function answeredBy(agentId: string) {
  return sql<boolean>`((k.agent_id = ${agentId} and k.answered_at is not null)
    or exists (select 1 from call_events e where e.call_id = k.id and e.kind = 'answered' and e.agent_id = ${agentId}))`
}
