import type { Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import type { AuditLogTable } from './audit-log.js'

export interface AuditFilter {
  from?: Date
  to?: Date
  /** The actor's id or name. */
  actor?: string
  actorKind?: string
  entity?: string
  entityId?: string
  action?: string
  /** Entries older than this id (the keyset cursor). */
  beforeId?: string
  limit: number
}

export interface AuditView {
  id: string
  at: string
  actor: { kind: string; id: string | null; name: string | null }
  action: string
  entity: string
  entityId: string | null
  before: unknown
  after: unknown
}

/** Audit entries newest first, filtered; one more than `limit` tells whether there is a next page. */
export async function listAudit(db: Kysely<Database>, f: AuditFilter): Promise<{ entries: AuditView[]; next: string | null }> {
  const adb = db.withTables<{ audit_log: AuditLogTable }>()
  let q = adb.selectFrom('audit_log').selectAll()
  if (f.from) q = q.where('at', '>=', f.from)
  if (f.to) q = q.where('at', '<', f.to)
  if (f.actor) q = q.where((eb) => eb.or([eb('actor_id', '=', f.actor!), eb('actor_name', '=', f.actor!)]))
  if (f.actorKind) q = q.where('actor_kind', '=', f.actorKind)
  if (f.entity) q = q.where('entity', '=', f.entity)
  if (f.entityId) q = q.where('entity_id', '=', f.entityId)
  if (f.action) q = q.where('action', '=', f.action)
  if (f.beforeId) q = q.where('id', '<', f.beforeId)
  const rows = await q.orderBy('id', 'desc').limit(f.limit + 1).execute()
  const page = rows.slice(0, f.limit)
  const entries = page.map((row) => ({
    id: String(row.id),
    at: new Date(row.at).toISOString(),
    actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    action: row.action,
    entity: row.entity,
    entityId: row.entity_id,
    before: row.before,
    after: row.after
  }))
  return { entries, next: rows.length > f.limit ? entries[entries.length - 1]!.id : null }
}
