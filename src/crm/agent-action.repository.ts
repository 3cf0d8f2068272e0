import { sql, type Kysely } from 'kysely'
import type { Database } from './schema.js'

/** How long an agent's Idempotency-Key is remembered. */
export const ACTION_KEY_TTL_MS = 24 * 3_600_000
/** Old keys deleted per new one at most: a long pause never makes one click slow. */
const PURGE_BATCH = 200

/** What a key found: nothing yet (the caller now runs the action), or the action it already names. */
export type ActionClaim =
  | { claimed: true }
  | { claimed: false; fingerprint: string; status: number | null; response: unknown }

/**
 * Claims `key` for the agent's action: true when this request is the first with it in the last day
 * (a key older than that is taken over), else what the first one recorded (status null while it runs).
 * Keys past their day are deleted a batch at a time in the same stroke.
 */
export async function claimActionKey(db: Kysely<Database>, agentId: string, key: string, fingerprint: string, at: number): Promise<ActionClaim> {
  const cutoff = new Date(at - ACTION_KEY_TTL_MS)
  await sql`delete from agent_actions where (agent_id, key) in (select agent_id, key from agent_actions where at < ${cutoff} order by at limit ${PURGE_BATCH})`.execute(db)
  for (;;) {
    const claim = await tryClaim(db, agentId, key, fingerprint, at, cutoff)
    if (claim) return claim
  }
}

/** One try; null when the key was released between the insert and the read (the first request failed). */
async function tryClaim(db: Kysely<Database>, agentId: string, key: string, fingerprint: string, at: number, cutoff: Date): Promise<ActionClaim | null> {
  const inserted = await db
    .insertInto('agent_actions')
    .values({ agent_id: agentId, key, fingerprint, at: new Date(at), status: null, response: null })
    .onConflict((oc) => oc.columns(['agent_id', 'key']).doUpdateSet({ fingerprint, at: new Date(at), status: null, response: null }).where('agent_actions.at', '<', cutoff))
    .returning('agent_id')
    .executeTakeFirst()
  if (inserted) return { claimed: true }
  const row = await db.selectFrom('agent_actions').select(['fingerprint', 'status', 'response']).where('agent_id', '=', agentId).where('key', '=', key).executeTakeFirst()
  if (!row) return null
  return { claimed: false, fingerprint: row.fingerprint, status: row.status, response: row.response }
}

/** Records what the action answered, for the requests that repeat its key. */
export async function completeActionKey(db: Kysely<Database>, agentId: string, key: string, status: number, response: unknown): Promise<void> {
  await db.updateTable('agent_actions').set({ status, response: JSON.stringify(response) }).where('agent_id', '=', agentId).where('key', '=', key).execute()
}

/** Gives the key back after the action failed: nothing was done, so the same key may try again. */
export async function releaseActionKey(db: Kysely<Database>, agentId: string, key: string): Promise<void> {
  await db.deleteFrom('agent_actions').where('agent_id', '=', agentId).where('key', '=', key).where('status', 'is', null).execute()
}

/** What a key recorded now (status null while its action runs), or null once released. */
export async function readActionKey(db: Kysely<Database>, agentId: string, key: string): Promise<{ fingerprint: string; status: number | null; response: unknown } | null> {
  const row = await db.selectFrom('agent_actions').select(['fingerprint', 'status', 'response']).where('agent_id', '=', agentId).where('key', '=', key).executeTakeFirst()
  return row ?? null
}
