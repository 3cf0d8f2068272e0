import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from './schema.js'

/** 32 random bytes, base64url: 43 characters, valid in a URL and in a WebSocket subprotocol. */
const TOKEN_BYTES = 32

/** SHA-256 hex of a token: what the database keeps and compares. */
export function hashAgentToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/**
 * Gives an agent a new random token for their screen-pop connection, replacing
 * any earlier one (which stops working at once). Returns the token — the only
 * time it exists in clear — or null when no agent has that id.
 */
export async function issueAgentToken(db: Kysely<Database>, agentId: string): Promise<string | null> {
  const token = randomBytes(TOKEN_BYTES).toString('base64url')
  const updated = await db.updateTable('agents').set({ token_hash: hashAgentToken(token) }).where('id', '=', agentId).executeTakeFirst()
  return updated.numUpdatedRows > 0n ? token : null
}

/** The id of the active agent holding this token, or null. */
export async function findAgentIdByToken(db: Kysely<Database>, token: string): Promise<string | null> {
  const row = await db
    .selectFrom('agents')
    .select('id')
    .where('token_hash', '=', hashAgentToken(token))
    .where('active', '=', true)
    .executeTakeFirst()
  return row?.id ?? null
}
