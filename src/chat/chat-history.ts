import type { Kysely, Selectable } from 'kysely'
import { chatDb, type ChatTable } from '../crm/chat-schema.js'
import type { Database } from '../crm/schema.js'

/** One of a customer's or lead's web chats, as their history lists it. */
export interface ChatInHistory {
  id: string
  site: string
  product: string | null
  agentId: string | null
  /** answered, missed, message-left, call-back; null while open. */
  outcome: string | null
  startedAt: string
  endedAt: string | null
  waitSeconds: number | null
  handleSeconds: number | null
  messages: number
}

/** The latest chats of a customer or a lead, newest first (`chats_customer_idx`, `chats_lead_idx`). */
export async function chatsOf(db: Kysely<Database>, who: { customerId: number } | { leadId: number }, limit = 50): Promise<ChatInHistory[]> {
  let query = chatDb(db).selectFrom('chats').selectAll()
  query = 'customerId' in who ? query.where('customer_id', '=', who.customerId) : query.where('lead_id', '=', who.leadId)
  const rows = await query.orderBy('started_at', 'desc').limit(limit).execute()
  return rows.map(historyItem)
}

/** A `chats` row as the history shows it. */
export function historyItem(r: Selectable<ChatTable>): ChatInHistory {
  return {
    id: r.id, site: r.site, product: r.product, agentId: r.agent_id, outcome: r.outcome,
    startedAt: r.started_at.toISOString(), endedAt: r.ended_at ? r.ended_at.toISOString() : null,
    waitSeconds: r.wait_seconds === null ? null : Number(r.wait_seconds), handleSeconds: r.handle_seconds === null ? null : Number(r.handle_seconds), messages: r.messages
  }
}
