import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { auditAdminChanges } from '../audit/admin-changes.js'
import { AuditLog } from '../audit/audit-log.js'
import type { Config } from '../config.js'
import type { CrmDatabase } from '../crm/database.js'
import type { DurableWrites } from '../durability/durable-writes.js'
import type { JobEntry } from '../workflows/background-jobs.js'
import type { RoutingRules } from './routing.js'
export type { AuditActor, AuditEntry } from '../audit/audit-log.js'
export { AuditLog }

declare module 'fastify' {
  interface FastifyInstance {
    /** The audit trail: `server.audit.record({ actor, action, entity, entityId, before, after })`. */
    audit: AuditLog
  }
}

const RULES_WATCHER = { kind: 'system', id: null, name: 'rules watcher' } as const

/**
 * The audit trail: written in the background (journal `audit.journal` in
 * DATA_DIR while the database refuses it), taken up when the server is ready,
 * drained when it closes. Records the admin routes' changes (agents, lines,
 * customers' owners, tokens issued) and every set of routing rules loaded or
 * refused; other routes reach it as `server.audit`.
 */
export function wireAudit(o: { config: Config; logger: Logger; now: () => number; database: CrmDatabase; durable: DurableWrites; server: FastifyInstance; rules: RoutingRules }): AuditLog {
  const { durable } = o
  const audit = new AuditLog({
    db: o.database.db,
    logger: o.logger,
    now: o.now,
    durability: { journal: durable.journal<JobEntry>('audit'), deadLetters: durable.deadLetters, health: durable.health }
  })
  o.server.decorate('audit', audit)
  o.server.addHook('onReady', () => audit.start())
  o.server.addHook('onClose', () => audit.close())
  auditAdminChanges(o.server, { db: o.database.db, audit, country: o.config.DEFAULT_COUNTRY })
  let inForce: string | null = null
  o.rules.onLoaded((version) => {
    audit.record({ actor: RULES_WATCHER, action: 'rules.loaded', entity: 'rules', entityId: version, before: inForce === null ? null : { version: inForce }, after: { version } })
    inForce = version
  })
  o.rules.onRefused((errors, keeping) => {
    audit.record({ actor: RULES_WATCHER, action: 'rules.refused', entity: 'rules', entityId: keeping, before: keeping === null ? null : { version: keeping }, after: { errors } })
  })
  return audit
}
