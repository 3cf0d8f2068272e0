import type { AuditLog } from '../audit/audit-log.js'
import type { DurableWrites } from '../durability/durable-writes.js'
import type { Metrics } from '../metrics/metrics.js'
import { wireAudit } from './audit.js'
import { wirePreview } from './preview.js'
import { wireWallboard, type WallboardDeps } from './wallboard.js'
export type { AuditLog }

export interface OversightDeps extends Omit<WallboardDeps, 'audit'> {
  metrics: Metrics
  durable: DurableWrites
}

/**
 * What admins and supervisors watch the floor through, beside the call path: the audit log of
 * their changes, the rules preview with its availability log and shadow rules, and the wallboard.
 */
export function wireOversight(deps: OversightDeps): AuditLog {
  wirePreview(deps)
  const audit = wireAudit(deps)
  wireWallboard({ ...deps, audit })
  return audit
}
