import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from './schema.js'

export interface MigrationResult {
  applied: string[]
  alreadyApplied: string[]
}

/** Ordered list of migration files (`NNN_name.sql`) in the directory. */
export async function listMigrations(dir: string): Promise<string[]> {
  const files = await readdir(dir)
  return files.filter((f) => /^\d+_.*\.sql$/.test(f)).sort()
}

/**
 * Applies every migration in `dir` not yet recorded in schema_migrations, each
 * in its own transaction, in file-name order. Safe to run twice and from two
 * processes at once: an advisory lock lets one of them apply while the other waits.
 */
export async function migrate(db: Kysely<Database>, dir: string): Promise<MigrationResult> {
  const files = await listMigrations(dir)
  await db.transaction().execute(async (trx) => {
    await lock(trx)
    await sql`create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())`.execute(trx)
  })
  const result: MigrationResult = { applied: [], alreadyApplied: [] }
  for (const name of files) {
    const text = await readFile(join(dir, name), 'utf8')
    await db.transaction().execute(async (trx) => {
      await lock(trx)
      const done = await trx.selectFrom('schema_migrations').select('name').where('name', '=', name).executeTakeFirst()
      if (done) {
        result.alreadyApplied.push(name)
        return
      }
      // A migration may backfill a large table: the pool's statement timeout is for requests, not for it.
      await sql`set local statement_timeout = 0`.execute(trx)
      await sql.raw(text).execute(trx)
      await trx.insertInto('schema_migrations').values({ name }).execute()
      result.applied.push(name)
    })
  }
  return result
}

/**
 * Serialises processes migrating the same schema; released when the transaction
 * ends. Keyed by schema so that servers (and test files) on other schemas of the
 * same database never queue behind one another's migrations.
 */
async function lock(trx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('cti-router-migrations:' || current_schema()))`.execute(trx)
}

/** Names of migration files not applied yet (empty when the schema is current). */
export async function pendingMigrations(db: Kysely<Database>, dir: string): Promise<string[]> {
  const files = await listMigrations(dir)
  const rows = await db.selectFrom('schema_migrations').select('name').execute()
  const applied = new Set(rows.map((r) => r.name))
  return files.filter((f) => !applied.has(f))
}
