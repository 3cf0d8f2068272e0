import { sql, type Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import type { ReportRequest } from './report-request.js'

export const LOSS_GROUPINGS = ['step', 'reason'] as const
export type LossGrouping = (typeof LOSS_GROUPINGS)[number]

/** How many leads or deals ended without a sale at one step, for one reason. */
export interface LossRow {
  /** 'deal' lost, 'lead' marked lost, or 'lead-unreached': a lead of the range nobody ever answered. */
  subject: 'deal' | 'lead' | 'lead-unreached'
  /** The last deal stage or call step reached ('stage offer', 'call missed', 'no call'); null when grouped by reason. */
  step: string | null
  reason: string | null
  count: number
}

export const LOSS_COLUMNS: readonly (keyof LossRow)[] = ['subject', 'step', 'reason', 'count']

/**
 * Where customers are lost: deals lost in the range by the stage they reached
 * and the reason given; leads marked lost in the range by their last deal stage
 * or call step and reason; and leads first seen in the range, neither customers
 * nor marked lost, whose calls were never answered.
 */
export function lossesReport(db: Kysely<Database>, request: ReportRequest<LossGrouping>) {
  const { from, to, groupBy } = request
  const byStep = groupBy === 'step'
  const lastStep = sql<string>`coalesce(
      (select 'stage ' || d.stage from deals d where d.lead_id = l.id order by d.updated_at desc, d.id desc limit 1),
      (select 'call ' || coalesce(c.outcome, 'in progress') from calls c where c.lead_id = l.id order by c.offered_at desc limit 1),
      'no call')`
  const deals = db
    .selectFrom('deals')
    .select([sql<string>`'deal'`.as('subject'), (byStep ? sql<string>`'stage ' || stage` : sql<string | null>`null::text`).as('step'), 'lost_reason as reason'])
    .where('status', '=', sql.lit('lost'))
    .where('closed_at', '>=', from)
    .where('closed_at', '<', to)
  const lostLeads = db
    .selectFrom('leads as l')
    .select([sql<string>`'lead'`.as('subject'), (byStep ? lastStep : sql<string | null>`null::text`).as('step'), 'l.lost_reason as reason'])
    .where('l.status', '=', sql.lit('lost'))
    .where('l.lost_at', '>=', from)
    .where('l.lost_at', '<', to)
  const unreached = db
    .selectFrom('leads as l')
    .select([sql<string>`'lead-unreached'`.as('subject'), (byStep ? lastStep : sql<string | null>`null::text`).as('step'), sql<string | null>`null::text`.as('reason')])
    .where('l.created_at', '>=', from)
    .where('l.created_at', '<', to)
    .where('l.customer_id', 'is', null)
    .where('l.status', '<>', sql.lit('lost'))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('calls as c').select(sql`1`.as('one')).whereRef('c.lead_id', '=', 'l.id').where('c.outcome', '=', sql.lit('answered')))))
  return db
    .selectFrom(deals.unionAll(lostLeads).unionAll(unreached).as('x'))
    .select(['x.subject', 'x.step', 'x.reason', sql<number>`count(*)`.as('count')])
    .groupBy(['x.subject', 'x.step', 'x.reason'])
    .orderBy('x.subject')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('x.step')
    .orderBy('x.reason')
}
