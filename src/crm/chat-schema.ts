import type { ColumnType, Generated, Kysely } from 'kysely'
import type { AgentTable, CustomerTable, Database, LeadTable } from './schema.js'

/** Table types of the web chat (sql/021), beside the CRM's. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Numeric = ColumnType<number, number | string | undefined, number | string>

export interface VisitorTable {
  id: string
  site: string
  customer_id: number | null
  lead_id: number | null
  first_seen: Timestamp
  last_seen: Timestamp
  visits: ColumnType<number, number | undefined, number>
}

export interface ChatPageViewTable {
  id: Generated<number>
  visitor_id: string
  visit: number
  url: string
  title: string | null
  product: string | null
  at: Timestamp
}

export interface ChatTable {
  id: string
  site: string
  source: string | null
  product: string | null
  visitor_id: string
  customer_id: number | null
  lead_id: number | null
  agent_id: string | null
  rule: string | null
  outcome: string | null
  started_at: Timestamp
  answered_at: Timestamp | null
  ended_at: Timestamp | null
  wait_seconds: Numeric | null
  handle_seconds: Numeric | null
  messages: ColumnType<number, number | undefined, number>
}

export interface ChatMessageTable {
  chat_id: string
  seq: number
  sender: 'agent' | 'visitor'
  text: string | null
  card: ColumnType<unknown, string | null | undefined, string | null>
  at: Timestamp
}

export interface ChatDatabase extends Omit<Database, 'agents' | 'customers' | 'leads'> {
  agents: AgentTable & { chat_capacity: ColumnType<number, number | undefined, number> }
  /** E-mail (sql/022), kept lower-cased. */
  customers: CustomerTable & { email: ColumnType<string | null, string | null | undefined, string | null> }
  leads: LeadTable & { email: ColumnType<string | null, string | null | undefined, string | null> }
  visitors: VisitorTable
  chat_page_views: ChatPageViewTable
  chats: ChatTable
  chat_messages: ChatMessageTable
}

/** The CRM database seen with the chat's tables. */
export function chatDb(db: Kysely<Database>): Kysely<ChatDatabase> {
  return db as unknown as Kysely<ChatDatabase>
}
