import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { CompiledQuery, sql, type Compilable, type Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import { prepareReportTransaction } from './report-query.js'

/** Rows fetched from the cursor at a time. */
const FETCH_ROWS = 1000

/**
 * Runs a report query through a server-side cursor and writes its rows as CSV,
 * a batch at a time, waiting while the client reads: a huge range is never
 * held in memory. Works the same on PostgreSQL and the embedded database.
 */
export async function streamCsv<R extends Record<string, unknown>>(db: Kysely<Database>, query: Compilable<R>, columns: readonly (keyof R & string)[], out: Writable): Promise<number> {
  const compiled = query.compile()
  let count = 0
  if (!out.write(`${columns.join(',')}\r\n`)) await once(out, 'drain')
  await db.transaction().execute(async (trx) => {
    // A big range may take longer than an API request's statement timeout.
    await sql`set local statement_timeout = '300s'`.execute(trx)
    await prepareReportTransaction(trx)
    await trx.executeQuery(CompiledQuery.raw(`declare report_rows no scroll cursor for ${compiled.sql}`, [...compiled.parameters]))
    for (;;) {
      const { rows } = await trx.executeQuery<R>(CompiledQuery.raw(`fetch ${FETCH_ROWS} from report_rows`))
      if (rows.length === 0) break
      const text = rows.map((row) => columns.map((c) => csvField(row[c])).join(',')).join('\r\n') + '\r\n'
      count += rows.length
      if (!out.write(text)) await once(out, 'drain')
      if (out.destroyed) break
    }
  })
  return count
}

/** A CSV field per RFC 4180: quoted when it holds a comma, quote or line break; formulas defused. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return ''
  let text = value instanceof Date ? value.toISOString() : String(value)
  // A spreadsheet would run a cell starting with = @ or a sign before a non-digit as a formula ("+7495…" stays a number).
  if (typeof value === 'string' && /^(?:[=@]|[+-](?!\d))/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}
