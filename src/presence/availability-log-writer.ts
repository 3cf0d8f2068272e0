/**
 * Writing the agent availability log: rows from the AvailabilityObserver, many per INSERT, off
 * the call path (see BatchWriter for what happens while the database is away).
 */
import { sql, type Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../crm/schema.js'
import { BatchWriter } from '../preview/batch-writer.js'
import type { AvailabilityRow } from '../preview/types.js'

export async function insertAvailabilityRows(db: Kysely<Database>, rows: readonly AvailabilityRow[]): Promise<void> {
  if (rows.length === 0) return
  // One array per column: a batch of any size is the same statement text, parsed and planned once.
  await sql`insert into agent_availability_log (at, agent_id, status, ringing, talking, calls_today, profile, checkpoint)
    select * from unnest(${rows.map((r) => new Date(r.at))}::timestamptz[], ${rows.map((r) => r.agentId)}::text[], ${rows.map((r) => r.status)}::text[],
      ${rows.map((r) => r.ringing)}::int[], ${rows.map((r) => r.talking)}::int[], ${rows.map((r) => r.callsToday)}::int[],
      ${rows.map((r) => (r.profile === null ? null : JSON.stringify(r.profile)))}::jsonb[], ${rows.map((r) => r.checkpoint === true)}::boolean[])`.execute(db)
}

export function availabilityLogWriter(db: Kysely<Database>, logger: Logger): BatchWriter<AvailabilityRow> {
  return new BatchWriter<AvailabilityRow>({ name: 'agent availability log', write: (rows) => insertAvailabilityRows(db, rows), logger })
}
