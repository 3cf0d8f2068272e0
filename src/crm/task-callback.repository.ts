import { sql, type Kysely } from 'kysely'
import type { Database } from './schema.js'
import { onOpenCallBack, toTaskNotice, type TaskNotice } from './task.repository.js'

/** A call-back owed to a customer or a lead after a missed call. */
export interface CallBackTaskInput {
  customerId: number | null
  leadId: number | null
  assigneeAgentId: string | null
  title: string
  dueAt: number
  /** The missed call; the same call reported twice counts as one try. */
  callId: string
}

/**
 * Opens the call-back task of a customer (or of a lead without a customer),
 * or, when one is open already, counts one more try on it: a caller who tries
 * five times gets one task saying five. The partial unique indexes of sql/004
 * make this hold across processes.
 */
export async function openCallBackTask(db: Kysely<Database>, input: CallBackTaskInput): Promise<{ task: TaskNotice; created: boolean }> {
  if (input.customerId === null && input.leadId === null) throw new Error('a call-back task needs a customer or a lead')
  const values = {
    kind: 'callback',
    title: input.title,
    due_at: new Date(input.dueAt),
    assignee_agent_id: input.assigneeAgentId,
    customer_id: input.customerId,
    lead_id: input.leadId,
    call_id: input.callId
  }
  const row = await db
    .insertInto('tasks')
    .values(values)
    .onConflict(onOpenCallBack(input.customerId !== null ? 'customer' : 'lead'))
    .returningAll()
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .executeTakeFirstOrThrow()
  return { task: toTaskNotice(row), created: row.inserted }
}

/**
 * Closes the open call-back tasks of a customer, or of the open lead with that
 * number, because a call with them was answered. Returns the tasks closed.
 */
export async function closeCallBackTasks(db: Kysely<Database>, who: { customerId: number | null; phone: string | null }, at: number, callId: string): Promise<TaskNotice[]> {
  if (who.customerId === null && who.phone === null) return []
  const rows = await db
    .updateTable('tasks')
    .set({ status: 'done', done_at: new Date(at), closed_by: `call ${callId}` })
    .where('kind', '=', 'callback')
    .where('status', '=', 'open')
    .where((eb) =>
      eb.or([
        ...(who.customerId !== null ? [eb('customer_id', '=', who.customerId)] : []),
        ...(who.phone !== null
          ? [eb.and([eb('customer_id', 'is', null), eb('lead_id', 'in', eb.selectFrom('leads').select('id').where('phone', '=', who.phone).where('customer_id', 'is', null))])]
          : [])
      ])
    )
    .returningAll()
    .execute()
  return rows.map(toTaskNotice)
}

/** Who a customer's call-back goes to: their owner, else the last agent who worked with them. */
export async function responsibleForCustomer(db: Kysely<Database>, customerId: number): Promise<string | null> {
  const row = await db.selectFrom('customers').select(['owner_agent_id', 'last_agent_id']).where('id', '=', customerId).executeTakeFirst()
  return row?.owner_agent_id ?? row?.last_agent_id ?? null
}
