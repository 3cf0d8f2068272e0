import { sql, type Compilable, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../crm/schema.js'

/**
 * Settings for a transaction running a report. A report's plan looks costly
 * enough for PostgreSQL to JIT-compile it, and compiling takes 100–400 ms —
 * more than the query itself once whole days come from the roll-ups.
 */
export async function prepareReportTransaction(trx: Transaction<Database>): Promise<void> {
  await sql`set local jit = off`.execute(trx)
}

/** Runs a report query and returns all its rows (JSON answers; CSV streams through a cursor). */
export async function reportRows<R>(db: Kysely<Database>, query: Compilable<R>): Promise<R[]> {
  return db.transaction().execute(async (trx) => {
    await prepareReportTransaction(trx)
    return (await trx.executeQuery(query.compile())).rows
  })
}
