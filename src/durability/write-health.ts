import { sql, type Kysely } from 'kysely'
import type { ReadinessCheck } from '../api/health.routes.js'
import type { CrmDatabase } from '../crm/database.js'
import type { Database } from '../crm/schema.js'
import { describeWriteError } from './write-failure.js'

/**
 * The last outcome of each background writer (call records, workflow jobs): a
 * database that answers reads but refuses writes (read-only, no privilege,
 * disk full) shows here, since a read-only check alone misses all but the first.
 */
export class WriteHealth {
  private readonly failures = new Map<string, { at: number; detail: string }>()

  constructor(private readonly now: () => number = Date.now) {}

  /** A writer's last write went through. */
  succeeded(writer: string): void {
    this.failures.delete(writer)
  }

  /** A writer's last write was refused for a reason that is not the written thing's own (it is kept and retried). */
  failed(writer: string, err: unknown): void {
    this.failures.set(writer, { at: this.now(), detail: describeWriteError(err) })
  }

  /** Ok when no writer's last write was refused; otherwise which writer, since when and why. */
  state(): { ok: true } | { ok: false; detail: string } {
    if (this.failures.size === 0) return { ok: true }
    const parts = [...this.failures].map(([writer, f]) => `${writer} refused since ${new Date(f.at).toISOString()}: ${f.detail}`)
    return { ok: false, detail: `database not writable (${parts.join('; ')}); writes are kept and retried` }
  }
}

/**
 * `/ready`'s database check: reachable, migrated and writable. One query tells
 * both that the database answers and whether it is read-only; the writers'
 * last outcomes tell the rest.
 */
export function databaseReadiness(o: { database: CrmDatabase; migrated: () => boolean; writes: WriteHealth }): ReadinessCheck {
  return async () => {
    const readOnly = await transactionReadOnly(o.database.db)
    if (readOnly === null) return { ok: false, detail: 'database not reachable' }
    if (!o.migrated()) return { ok: false, detail: 'migrations not applied yet' }
    if (readOnly) return { ok: false, detail: 'database is read-only; writes are kept and retried' }
    const writes = o.writes.state()
    return writes.ok ? { ok: true, detail: o.database.kind } : writes
  }
}

/** True when the session is read-only, null when the database does not answer. */
async function transactionReadOnly(db: Kysely<Database>): Promise<boolean | null> {
  try {
    const { rows } = await sql<{ ro: string }>`select current_setting('transaction_read_only') as ro`.execute(db)
    return rows[0]?.ro === 'on'
  } catch {
    // Any failure here means "not reachable now", as the ping it replaces said; the pool reconnects by itself.
    return null
  }
}
