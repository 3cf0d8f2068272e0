/**
 * What replay reads is kept for AVAILABILITY_LOG_DAYS: older availability rows, call facts and
 * shadow decisions are deleted in batches (never one long statement holding locks), hourly.
 */
import { sql, type Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'

const BATCH = 10_000

/** Deletes rows older than `cutoff`; resolves with how many went. */
export async function deleteOlderThan(db: Kysely<Database>, cutoff: number): Promise<number> {
  const before = new Date(cutoff)
  const statements = [
    () => sql`delete from agent_availability_log where id in (select id from agent_availability_log where at < ${before} limit ${BATCH})`,
    () => sql`delete from call_facts where call_id in (select call_id from call_facts where at < ${before} limit ${BATCH})`,
    () => sql`delete from shadow_decisions where ctid = any(array(select ctid from shadow_decisions where at < ${before} limit ${BATCH}))`
  ]
  let total = 0
  for (const statement of statements) {
    for (;;) {
      const result = await statement().execute(db)
      const n = Number(result.numAffectedRows ?? 0)
      total += n
      if (n < BATCH) break
    }
  }
  return total
}
