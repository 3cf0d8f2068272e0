import { randomBytes } from 'node:crypto'
import type { ColumnType, Generated, Kysely } from 'kysely'
import { hashAgentToken } from '../crm/agent-token.repository.js'
import type { Database } from '../crm/schema.js'

/** sql/014_supervisors.sql */
export interface SupervisorTable {
  id: string
  name: string
  teams: ColumnType<string[], string[], string[]>
  active: ColumnType<boolean, boolean | undefined, boolean>
  token_hash: ColumnType<string | null, string | null | undefined, string | null>
  token_expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  created_at: Generated<Date>
}

type Db = Kysely<Database>
const tables = (db: Db) => db.withTables<{ supervisors: SupervisorTable }>()

/** A supervisor as the API shows them; the token is never part of it. */
export interface Supervisor {
  id: string
  name: string
  /** Team ids whose agents and calls the supervisor sees (at least one). */
  teams: string[]
  active: boolean
  /** When the current token stops working; null when none was issued. */
  tokenExpiresAt: Date | null
}

/** 32 random bytes, base64url: like agents' tokens, valid in a URL. */
const TOKEN_BYTES = 32

export async function createSupervisor(db: Db, supervisor: { id: string; name: string; teams: string[] }): Promise<Supervisor> {
  const row = await tables(db).insertInto('supervisors').values({ id: supervisor.id, name: supervisor.name, teams: supervisor.teams }).returningAll().executeTakeFirstOrThrow()
  return present(row)
}

export async function listSupervisors(db: Db): Promise<Supervisor[]> {
  const rows = await tables(db).selectFrom('supervisors').selectAll().orderBy('id').execute()
  return rows.map(present)
}

/** Turns the supervisor's token off (and the supervisor with it); false when unknown. */
export async function deactivateSupervisor(db: Db, id: string): Promise<Supervisor | null> {
  const row = await tables(db).updateTable('supervisors').set({ active: false, token_hash: null, token_expires_at: null }).where('id', '=', id).returningAll().executeTakeFirst()
  return row ? present(row) : null
}

/**
 * A new random token for the supervisor, valid until `expiresAt`, replacing
 * any earlier one (which stops working at once). Returns the token — the only
 * time it exists in clear — or null when no active supervisor has that id.
 */
export async function issueSupervisorToken(db: Db, id: string, expiresAt: Date): Promise<{ token: string; supervisor: Supervisor } | null> {
  const token = randomBytes(TOKEN_BYTES).toString('base64url')
  const row = await tables(db)
    .updateTable('supervisors')
    .set({ token_hash: hashAgentToken(token), token_expires_at: expiresAt })
    .where('id', '=', id)
    .where('active', '=', true)
    .returningAll()
    .executeTakeFirst()
  return row ? { token, supervisor: present(row) } : null
}

/** The active supervisor holding this unexpired token at `now`, or null. */
export async function findSupervisorByToken(db: Db, token: string, now: number): Promise<Supervisor | null> {
  const row = await tables(db)
    .selectFrom('supervisors')
    .selectAll()
    .where('token_hash', '=', hashAgentToken(token))
    .where('active', '=', true)
    .where('token_expires_at', '>', new Date(now))
    .executeTakeFirst()
  return row ? present(row) : null
}

function present(row: { id: string; name: string; teams: string[]; active: boolean; token_expires_at: Date | null }): Supervisor {
  return { id: row.id, name: row.name, teams: row.teams, active: row.active, tokenExpiresAt: row.token_expires_at }
}
