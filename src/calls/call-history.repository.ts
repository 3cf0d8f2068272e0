import { sql, type Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'

/** Which calls a search reads: every filter optional, combined with AND. */
export interface CallFilter {
  from?: Date
  to?: Date
  /** E.164. */
  caller?: string
  customerId?: number
  agentId?: string
  /** The number dialed (E.164). */
  line?: string
  outcome?: string
  rule?: string
  /** A supervisor's scope: only calls whose agent is in one of these teams. Absent: every call. */
  teams?: readonly string[]
}

/** Where the previous page stopped: the last call's offered time (as the database wrote it) and id. */
export interface CallCursor {
  offeredAt: string
  id: string
}

/** The columns a call list (and its CSV) shows, in order. */
export const CALL_COLUMNS = [
  'id',
  'offeredAt',
  'caller',
  'callerName',
  'line',
  'customerId',
  'leadId',
  'agentId',
  'rule',
  'outcome',
  'answeredAt',
  'endedAt',
  'waitSeconds',
  'talkSeconds',
  'source',
  'campaign',
  'kind',
  'channel',
  'direction',
  'endCause',
  'finalAction'
] as const

export type CallListRow = Record<(typeof CALL_COLUMNS)[number], unknown>

/** The calls matching, newest first (offered time, then id), as a query: a page adds the cursor and limit, a CSV streams it whole. */
export function callsQuery(db: Kysely<Database>, f: CallFilter) {
  let q = db.selectFrom('calls').select([
    'id',
    'offered_at as offeredAt',
    'caller',
    'caller_name as callerName',
    'dialed as line',
    'customer_id as customerId',
    'lead_id as leadId',
    'agent_id as agentId',
    'rule',
    'outcome',
    'answered_at as answeredAt',
    'ended_at as endedAt',
    'wait_seconds as waitSeconds',
    'talk_seconds as talkSeconds',
    'source',
    'campaign',
    'kind',
    'channel',
    'direction',
    'end_cause as endCause',
    'final_action as finalAction'
  ])
  if (f.from) q = q.where('offered_at', '>=', f.from)
  if (f.to) q = q.where('offered_at', '<', f.to)
  if (f.caller) q = q.where('caller', '=', f.caller)
  if (f.customerId !== undefined) q = q.where('customer_id', '=', f.customerId)
  if (f.agentId) q = q.where('agent_id', '=', f.agentId)
  if (f.line) q = q.where('dialed', '=', f.line)
  if (f.outcome) q = q.where('outcome', '=', f.outcome)
  if (f.rule) q = q.where('rule', '=', f.rule)
  if (f.teams) {
    const teams = [...f.teams]
    q = teams.length === 0 ? q.where(sql<boolean>`false`) : q.where('agent_id', 'in', (eb) => eb.selectFrom('agents').select('id').where('team_id', 'in', teams))
  }
  return q.orderBy('offered_at', 'desc').orderBy('id', 'desc')
}

/** One page of calls after the cursor; `next` is where the following page starts, null on the last. */
export async function listCalls(db: Kysely<Database>, f: CallFilter, limit: number, after?: CallCursor): Promise<{ calls: Record<string, unknown>[]; next: CallCursor | null }> {
  const base = callsQuery(db, f).select(sql<string>`offered_at::text`.as('cursorAt'))
  const q = after ? base.where(sql<boolean>`(offered_at, id) < (${after.offeredAt}::timestamptz, ${after.id})`) : base
  const rows: Record<string, unknown>[] = await q.limit(limit + 1).execute()
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  const next = rows.length > limit && last ? { offeredAt: String(last.cursorAt), id: String(last.id) } : null
  return { calls: page.map(toListView), next }
}

/** A row as the JSON list shows it: times in ISO 8601, seconds as numbers. */
export function toListView(row: Record<string, unknown>): Record<string, unknown> {
  const view: Record<string, unknown> = {}
  for (const column of CALL_COLUMNS) view[column] = plain(row[column])
  if (view.customerId !== null) view.customerId = Number(view.customerId)
  if (view.leadId !== null) view.leadId = Number(view.leadId)
  for (const column of ['waitSeconds', 'talkSeconds'] as const) if (view[column] !== null) view[column] = Number(view[column])
  return view
}

function plain(value: unknown): unknown {
  if (value === undefined) return null
  return value instanceof Date ? value.toISOString() : value
}
