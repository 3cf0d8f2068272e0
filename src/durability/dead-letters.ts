import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../crm/schema.js'
import { describeWriteError, sqlState } from './write-failure.js'
import { writableText } from './writable-text.js'

/** Something the database refused for good. */
export interface DeadLetter {
  source: 'call-record' | 'workflow-job'
  /** The job's kind, or the record's channel. */
  kind: string
  /** The call it is about, when there is one. */
  ref: string | null
  payload: unknown
  error: unknown
}

export const DEAD_LETTER_FILE = 'dead-letters.jsonl'

/**
 * Keeps what can never be written in the `dead_letters` table, or, when that
 * table cannot be written either, as a line of JSON in DATA_DIR's
 * dead-letters.jsonl (synced before it counts as kept). Never only a log line.
 */
export class DeadLetters {
  /** Letters kept since start, by where. */
  readonly kept = { table: 0, file: 0 }

  constructor(private readonly o: { db: Kysely<Database>; dir: string; logger: Logger }) {}

  async keep(letter: DeadLetter): Promise<'table' | 'file'> {
    const row = {
      source: letter.source,
      kind: writableText(letter.kind),
      ref: letter.ref === null ? null : writableText(letter.ref),
      payload: JSON.stringify(letter.payload) ?? 'null',
      error_code: sqlState(letter.error),
      error: writableText(describeWriteError(letter.error))
    }
    try {
      await this.o.db.insertInto('dead_letters').values(row).execute()
      this.kept.table++
      this.o.logger.error({ source: row.source, kind: row.kind, ref: row.ref, error: row.error }, 'refused for good; kept in dead_letters')
      return 'table'
    } catch (err) {
      await this.appendToFile({ ...row, failed_at: new Date().toISOString() })
      this.kept.file++
      this.o.logger.error({ err, source: row.source, kind: row.kind, ref: row.ref, file: DEAD_LETTER_FILE }, 'refused for good; the dead_letters table refused it too, kept in the dead-letter file')
      return 'file'
    }
  }

  private async appendToFile(entry: Record<string, unknown>): Promise<void> {
    await mkdir(this.o.dir, { recursive: true })
    const file = await open(join(this.o.dir, DEAD_LETTER_FILE), 'a')
    try {
      await file.write(`${JSON.stringify(entry)}\n`)
      await file.datasync()
    } finally {
      await file.close()
    }
  }
}
