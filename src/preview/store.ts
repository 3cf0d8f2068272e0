/**
 * Reading what a replay needs from PostgreSQL, in time order and a page at a time (keyset
 * pagination: the next page is asked for while the current one is replayed), so memory stays
 * bounded whatever the period. Pages, not rows, are what is awaited: a promise per row cost more
 * than the decision replayed for it. Works the same on the embedded database.
 */
import { sql, type Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import type { AvailabilityRow, CallFacts } from './types.js'

type Db = Kysely<Database>
const PAGE = 5000

/** A log row as selected: named as the AvailabilityRow it is used as, with its id for the next page. */
interface LogRow extends AvailabilityRow {
  id: string | number
  checkpoint: boolean
}

interface FactsRow {
  call_id: string
  ms: number
  rules_version: string | null
  facts: Omit<CallFacts, 'callId' | 'at' | 'version'>
}

/** Where a rebuild at `at` starts: the last checkpoint at or before it, else the oldest row kept. */
export async function rebuildStart(db: Db, at: number): Promise<number> {
  const r = await sql<{ ms: number | null }>`select (extract(epoch from max(at)) * 1000)::float8 as ms from agent_availability_log where checkpoint and at <= ${new Date(at)}`.execute(db)
  return r.rows[0]?.ms ?? Number.NEGATIVE_INFINITY
}

/** Log rows from `start` (inclusive) to `to` (exclusive), in (at, id) order, a page at a time. */
export async function* availabilityPages(db: Db, start: number, to: number): AsyncGenerator<AvailabilityRow[]> {
  const low = Number.isFinite(start) ? sql`l.at >= ${new Date(start)} and` : sql``
  // Columns are named with the table (l.at): the output column `at` is the epoch, and ordering by it would sort every page.
  const page = (after: { at: Date; id: string } | null) => sql<LogRow>`
    select l.id, (extract(epoch from l.at) * 1000)::float8 as at, l.agent_id as "agentId", l.status, l.ringing, l.talking,
      l.calls_today as "callsToday", l.profile, l.checkpoint
    from agent_availability_log l
    where ${low} l.at < ${new Date(to)} ${after === null ? sql`` : sql`and (l.at, l.id) > (${after.at}, ${after.id}::bigint)`}
    order by l.at, l.id limit ${PAGE}`.execute(db)
  // The rows are used as they come: four million log rows a week, each copied would be as many objects more.
  for (const r of pages(page, (last) => ({ at: new Date(last.at), id: String(last.id) }))) yield await r
}

/** Recorded call facts with from <= at < to, in (at, call id) order, a page at a time. */
export async function* callFactPages(db: Db, from: number, to: number): AsyncGenerator<CallFacts[]> {
  const page = (after: { at: Date; id: string } | null) => sql<FactsRow>`
    select call_id, (extract(epoch from at) * 1000)::float8 as ms, rules_version, facts
    from call_facts
    where at >= ${new Date(from)} and at < ${new Date(to)} ${after === null ? sql`` : sql`and (at, call_id) > (${after.at}, ${after.id})`}
    order by at, call_id limit ${PAGE}`.execute(db)
  for (const r of pages(page, (last) => ({ at: new Date(last.ms), id: last.call_id }))) {
    const rows = await r
    // The facts object parsed from the row is completed in place rather than copied.
    yield rows.map((row) => {
      const facts = row.facts as CallFacts
      facts.callId = row.call_id
      facts.at = row.ms
      facts.version = row.rules_version ?? ''
      return facts
    })
  }
}

/** Calls routed in the period for which no facts were kept (recorded before they were, or lost). */
export async function callsWithoutFacts(db: Db, from: number, to: number): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from calls c
    where c.offered_at >= ${new Date(from)} and c.offered_at < ${new Date(to)} and c.routed_at is not null
      and not exists (select 1 from call_facts f where f.call_id = c.id)`.execute(db)
  return r.rows[0]?.n ?? 0
}

/** The traces recorded then, for the sample of changed calls. */
export async function recordedTraces(db: Db, ids: readonly string[]): Promise<Map<string, unknown>> {
  if (ids.length === 0) return new Map()
  const r = await sql<{ id: string; trace: unknown }>`select id, trace from calls where id = any(${[...ids]})`.execute(db)
  return new Map(r.rows.map((row) => [row.id, row.trace]))
}

/**
 * Pages one after another: each yielded promise is a page, and the next page is asked for as soon
 * as this one arrives, so the database reads ahead while the caller works.
 */
function* pages<R>(query: (after: { at: Date; id: string } | null) => Promise<{ rows: R[] }>, keyOf: (last: R) => { at: Date; id: string }): Generator<Promise<R[]>> {
  let current = query(null).then((r) => r.rows)
  for (;;) {
    let nextPage: Promise<R[]> | null = null
    const shown = current.then((rows) => {
      if (rows.length === PAGE) nextPage = query(keyOf(rows[rows.length - 1]!)).then((r) => r.rows)
      return rows
    })
    yield shown
    if (nextPage === null) return
    current = nextPage
  }
}
