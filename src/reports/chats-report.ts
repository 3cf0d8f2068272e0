import { sql, type Kysely } from 'kysely'
import { chatDb } from '../crm/chat-schema.js'
import type { Database } from '../crm/schema.js'
import type { ReportRequest } from './report-request.js'

export const CHAT_GROUPINGS = ['source', 'agent', 'product'] as const
export type ChatGrouping = (typeof CHAT_GROUPINGS)[number]

/** One row of the chats report: the web chats of one source, agent or product, beside the calls reports. */
export interface ChatRow {
  /** The source (`web-chat:<site>`), the agent who answered, or the product; null for none. */
  key: string | null
  /** Chats started in the range. */
  chats: number
  answered: number
  /** answered / chats, 0..1 with 4 decimals. */
  answeredShare: number | null
  /** Nobody answered before the queue's longest wait, or the visitor left first. */
  missed: number
  messageLeft: number
  callBack: number
  /** Seconds from the request to the answer, over answered chats. */
  medianSecondsToAnswer: number | null
  p90SecondsToAnswer: number | null
  /** Seconds from the answer to the end, over answered chats that ended. */
  meanHandleSeconds: number | null
  messages: number
}

export const CHAT_COLUMNS: readonly (keyof ChatRow)[] = ['key', 'chats', 'answered', 'answeredShare', 'missed', 'messageLeft', 'callBack', 'medianSecondsToAnswer', 'p90SecondsToAnswer', 'meanHandleSeconds', 'messages']

const KEY = { source: 'source', agent: 'agent_id', product: 'product' } as const

/**
 * Per source, agent or product: web chats started in the range and how they went. Read from
 * `chats` itself (`chats_started_idx`): chats are few beside calls, so they need no roll-up.
 */
export function chatsReport(db: Kysely<Database>, request: ReportRequest<ChatGrouping>) {
  const key = sql.ref(KEY[request.groupBy])
  const answered = sql`answered_at is not null`
  return chatDb(db)
    .selectFrom('chats')
    .select([
      sql<string | null>`${key}`.as('key'),
      sql<number>`count(*)::int`.as('chats'),
      sql<number>`(count(*) filter (where ${answered}))::int`.as('answered'),
      sql<number | null>`round((count(*) filter (where ${answered}))::numeric / nullif(count(*), 0), 4)`.as('answeredShare'),
      sql<number>`(count(*) filter (where outcome = 'missed'))::int`.as('missed'),
      sql<number>`(count(*) filter (where outcome = 'message-left'))::int`.as('messageLeft'),
      sql<number>`(count(*) filter (where outcome = 'call-back'))::int`.as('callBack'),
      sql<number | null>`round((percentile_cont(0.5) within group (order by wait_seconds) filter (where ${answered}))::numeric, 3)`.as('medianSecondsToAnswer'),
      sql<number | null>`round((percentile_cont(0.9) within group (order by wait_seconds) filter (where ${answered}))::numeric, 3)`.as('p90SecondsToAnswer'),
      sql<number | null>`round(avg(handle_seconds) filter (where ${answered} and ended_at is not null), 3)`.as('meanHandleSeconds'),
      sql<number>`coalesce(sum(messages), 0)::int`.as('messages')
    ])
    .where('started_at', '>=', request.from)
    .where('started_at', '<', request.to)
    .groupBy(key)
    .orderBy(sql`count(*)`, 'desc')
    .orderBy(key)
}
