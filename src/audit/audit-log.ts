import type { Generated, Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../crm/schema.js'
import { WriteHealth } from '../durability/write-health.js'
import { BackgroundJobs, type BackgroundJobsOptions } from '../workflows/background-jobs.js'

/** Who made a change: the admin token, a supervisor's token, or the server itself (the rules watcher). */
export interface AuditActor {
  kind: 'admin' | 'supervisor' | 'system'
  /** A supervisor's agent id, or the admin token's fingerprint; never a token. */
  id: string | null
  name?: string
}

export interface AuditEntry {
  actor: AuditActor
  /** What happened, `<entity>.<verb>`: 'agent.updated', 'token.issued', 'rules.refused'… */
  action: string
  entity: string
  entityId: string | null
  /** The changed fields as they were (null for something created). */
  before: unknown
  /** The changed fields as they became (null for something removed). */
  after: unknown
}

/** The audit_log table (sql/012_audit.sql). */
export interface AuditLogTable {
  id: Generated<string>
  at: Date | string
  actor_kind: string
  actor_id: string | null
  actor_name: string | null
  action: string
  entity: string
  entity_id: string | null
  before: string | null
  after: string | null
}

export type AuditDatabase = Database & { audit_log: AuditLogTable }

/** An entry as it waits to be written: with the moment it was recorded. */
interface PendingEntry extends AuditEntry {
  at: string
}

const KIND = 'audit-entry'

export interface AuditLogOptions {
  db: Kysely<Database>
  logger: Logger
  now: () => number
  /** The journal, dead letters and write health the other background writers share. */
  durability?: Pick<BackgroundJobsOptions, 'journal' | 'deadLetters' | 'health'>
}

/**
 * The audit trail. `record` returns at once: entries are written off the
 * request path, one at a time, in order. While the database refuses writes they are
 * kept and retried, past a few thousand in the journal file (so a restart does
 * not lose them either); an entry the database can never take goes to the dead letters.
 */
export class AuditLog {
  private readonly jobs: BackgroundJobs
  private readonly write: (context: Record<string, unknown>, input: PendingEntry) => Promise<unknown>

  constructor(private readonly o: AuditLogOptions) {
    const db = o.db.withTables<{ audit_log: AuditLogTable }>()
    const health = o.durability?.health ? new AuditHealth(o.durability.health) : undefined
    // One write at a time: an entry's id is the order of the changes, which the trail's pages follow
    // (four at once let a later change take a lower id when the machine was busy).
    this.jobs = new BackgroundJobs({ logger: o.logger.child({ component: 'audit' }), maxPending: 5000, ...o.durability, health, concurrency: 1 })
    this.write = this.jobs.define<PendingEntry, void>(KIND, async (entry) => {
      await db.insertInto('audit_log').values(toRow(entry)).execute()
    })
  }

  /** Records a change; never waits for the database. */
  record(entry: AuditEntry): void {
    const pending: PendingEntry = { ...entry, at: new Date(this.o.now()).toISOString() }
    void this.write({ action: entry.action, entity: entry.entity, entityId: entry.entityId }, pending)
  }

  /** Takes up the entries a previous run left in the journal. */
  start(): Promise<void> {
    return this.jobs.start()
  }

  /** Resolves once every entry recorded so far is written (or kept as a dead letter). */
  settled(): Promise<void> {
    return this.jobs.settled()
  }

  /** Lets running writes finish; entries not written go to the journal for the next start. */
  async close(): Promise<void> {
    await this.jobs.close()
  }
}

/** The shared write health (for /ready), told of the audit's writes under the name "audit log" rather than the job runner's own. */
class AuditHealth extends WriteHealth {
  constructor(private readonly shared: WriteHealth) {
    super()
  }

  override succeeded(): void {
    this.shared.succeeded('audit log')
  }

  override failed(_writer: string, err: unknown): void {
    this.shared.failed('audit log', err)
  }
}

function toRow(entry: PendingEntry) {
  return {
    at: entry.at,
    actor_kind: entry.actor.kind,
    actor_id: entry.actor.id,
    actor_name: entry.actor.name ?? null,
    action: entry.action,
    entity: entry.entity,
    entity_id: entry.entityId,
    before: json(entry.before),
    after: json(entry.after)
  }
}

function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value)
}
