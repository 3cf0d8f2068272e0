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
  const values = rows.map((r) => sql`(${new Date(r.at)}, ${r.agentId}, ${r.status}, ${r.ringing}, ${r.talking}, ${r.callsToday}, ${r.profile === null ? null : JSON.stringify(r.profile)}::jsonb, ${r.checkpoint === true})`)
  await sql`insert into agent_availability_log (at, agent_id, status, ringing, talking, calls_today, profile, checkpoint) values ${sql.join(values)}`.execute(db)
}

export function availabilityLogWriter(db: Kysely<Database>, logger: Logger): BatchWriter<AvailabilityRow> {
  return new BatchWriter<AvailabilityRow>({ name: 'agent availability log', write: (rows) => insertAvailabilityRows(db, rows), logger })
}
