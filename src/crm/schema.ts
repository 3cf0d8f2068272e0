import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

/** Table types of the CRM store, one interface per table in sql/. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Numeric = ColumnType<number, number | string | undefined, number | string>
type TextArray = ColumnType<string[], string[] | undefined, string[]>
type Json = ColumnType<unknown, string | undefined, string>

export interface TeamTable {
  id: string
  name: string
  lead_agent_id: string | null
}

export interface AgentTable {
  id: string
  name: string
  sip_uri: string | null
  extension: string | null
  team_id: string | null
  capacity: ColumnType<number, number | undefined, number>
  active: ColumnType<boolean, boolean | undefined, boolean>
  created_at: Generated<Date>
  /** SHA-256 (hex) of the agent's screen-pop token; the token itself is never stored. */
  token_hash: ColumnType<string | null, string | null | undefined, string | null>
  /** The language of the agent's page, 'ru' or 'en'; NULL: the browser's (sql/017). */
  language: ColumnType<string | null, string | null | undefined, string | null>
}

export interface SkillTable {
  id: string
  description: string | null
}

export interface AgentSkillTable {
  agent_id: string
  skill_id: string
  proficiency: number
}

export interface CustomerTable {
  id: Generated<number>
  name: string
  company: string | null
  owner_agent_id: string | null
  tier: string | null
  segment: string | null
  language: string | null
  needs: TextArray
  purchase_volume: Numeric
  seasonality: string | null
  overdue_amount: Numeric
  overdue_days: ColumnType<number, number | undefined, number>
  refusal_reasons: TextArray
  blocked: ColumnType<boolean, boolean | undefined, boolean>
  last_agent_id: string | null
  last_contact_at: Timestamp | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface CustomerPhoneTable {
  phone: string
  customer_id: number
  kind: ColumnType<string, string | undefined, string>
}

export interface LineTable {
  number: string
  name: string | null
  source: string | null
  campaign: string | null
  product: string | null
  cost_per_lead: Numeric | null
}

export interface LeadTable {
  id: Generated<number>
  phone: string | null
  name: string | null
  line_number: string | null
  source: string | null
  campaign: string | null
  cost: Numeric | null
  agent_id: string | null
  customer_id: number | null
  status: ColumnType<string, string | undefined, string>
  lost_reason: string | null
  created_at: Generated<Date>
  converted_at: Timestamp | null
  /** The web visitor the lead was first seen as (sql/004). */
  visitor_id: ColumnType<string | null, string | null | undefined, string | null>
  first_call_id: ColumnType<string | null, string | null | undefined, string | null>
  lost_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  /** Who last worked with the lead and when (sql/009), kept by the call records. */
  last_agent_id: ColumnType<string | null, string | null | undefined, string | null>
  last_contact_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
}

export interface CallTable {
  id: string
  channel: string
  direction: ColumnType<string, string | undefined, string>
  caller: string | null
  caller_name: string | null
  dialed: string | null
  customer_id: number | null
  lead_id: number | null
  agent_id: string | null
  rule: string | null
  outcome: string | null
  offered_at: Timestamp
  routed_at: Timestamp | null
  ringing_at: Timestamp | null
  answered_at: Timestamp | null
  ended_at: Timestamp | null
  wait_seconds: Numeric | null
  talk_seconds: Numeric | null
  trace: Json | null
  kind: ColumnType<string, string | undefined, string>
  source: string | null
  campaign: string | null
  end_cause: string | null
  final_action: string | null
  degraded: ColumnType<boolean, boolean | undefined, boolean>
}

export interface CallEventTable {
  id: Generated<number>
  call_id: string
  at: Timestamp
  kind: string
  agent_id: string | null
  data: Json | null
}

export interface DealTable {
  id: Generated<number>
  customer_id: number | null
  lead_id: number | null
  title: string
  stage: string
  status: ColumnType<'open' | 'won' | 'lost', 'open' | 'won' | 'lost' | undefined>
  amount: Numeric | null
  lost_reason: string | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
  /** Who last moved it, and when it was won or lost (sql/004). */
  agent_id: ColumnType<string | null, string | null | undefined, string | null>
  closed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
}

/** One stage a deal went through (sql/004). */
export interface DealEventTable {
  id: Generated<number>
  deal_id: number
  at: Timestamp
  stage: string
  status: string
  reason: string | null
  agent_id: string | null
}

export interface OrderTable {
  id: Generated<number>
  customer_id: number
  product: string
  amount: Numeric
  ordered_at: Timestamp
}

export interface PaymentTable {
  id: Generated<number>
  customer_id: number
  order_id: number | null
  amount: Numeric
  /** ISO date, YYYY-MM-DD. */
  due_date: string
  paid_date: string | null
}

export interface TaskTable {
  id: Generated<number>
  kind: string
  customer_id: number | null
  lead_id: number | null
  assignee_agent_id: string | null
  title: string
  due_at: Timestamp
  status: ColumnType<'open' | 'done' | 'cancelled', 'open' | 'done' | 'cancelled' | undefined>
  created_at: Generated<Date>
  done_at: Timestamp | null
  /** The call that made it (a missed call), how many tries it stands for, its reminder and escalation (sql/004). */
  call_id: ColumnType<string | null, string | null | undefined, string | null>
  attempts: ColumnType<number, number | undefined, number>
  reminded_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  escalated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  escalated_to: ColumnType<string | null, string | null | undefined, string | null>
  closed_by: ColumnType<string | null, string | null | undefined, string | null>
  /** What to do, for a follow-up an agent set themselves (sql/020). */
  note: ColumnType<string | null, string | null | undefined, string | null>
}

/** An agent's action asked with an Idempotency-Key and what it answered (sql/020). */
export interface AgentActionTable {
  agent_id: string
  key: string
  fingerprint: string
  at: Timestamp
  status: number | null
  response: ColumnType<unknown, string | null | undefined, string | null>
}

/** A call record or workflow job the database refused for good, kept whole (sql/008). */
export interface DeadLetterTable {
  id: Generated<number>
  source: string
  kind: string
  ref: string | null
  /** JSON text. */
  payload: string
  error_code: string | null
  error: string
  failed_at: Generated<Date>
}

export interface SchemaMigrationTable {
  name: string
  applied_at: Generated<Date>
}

export interface Database {
  teams: TeamTable
  agents: AgentTable
  skills: SkillTable
  agent_skills: AgentSkillTable
  customers: CustomerTable
  customer_phones: CustomerPhoneTable
  lines: LineTable
  leads: LeadTable
  calls: CallTable
  call_events: CallEventTable
  deals: DealTable
  deal_events: DealEventTable
  orders: OrderTable
  payments: PaymentTable
  tasks: TaskTable
  dead_letters: DeadLetterTable
  schema_migrations: SchemaMigrationTable
  agent_actions: AgentActionTable
}

export type CustomerRow = Selectable<CustomerTable>
export type NewCustomer = Insertable<CustomerTable>
export type CustomerUpdate = Updateable<CustomerTable>
export type AgentRow = Selectable<AgentTable>
export type LineRow = Selectable<LineTable>
