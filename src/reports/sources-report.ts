import { sql, type Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import type { ReportRequest } from './report-request.js'

export const SOURCE_GROUPINGS = ['source', 'campaign', 'line'] as const
export type SourceGrouping = (typeof SOURCE_GROUPINGS)[number]

/** One row of the sources report: what one source, campaign or line brought and how it was served. */
export interface SourceRow {
  /** The source, campaign or dialed line; null for calls that came with none. */
  key: string | null
  /** Inbound calls offered in the range. */
  inquiries: number
  answered: number
  /** answered / inquiries, 0..1 with 4 decimals. */
  answeredShare: number | null
  /** Seconds from arrival to answer, over answered calls. */
  medianSecondsToAnswer: number | null
  p90SecondsToAnswer: number | null
  missed: number
  abandoned: number
  /** Leads first seen in the range with this key, and those of them who became customers. */
  newLeads: number
  leadsConverted: number
  /** Sum of the new leads' costs, per lead and per converted customer. */
  leadCost: number
  costPerLead: number | null
  costPerCustomer: number | null
}

export const SOURCE_COLUMNS: readonly (keyof SourceRow)[] = [
  'key', 'inquiries', 'answered', 'answeredShare', 'medianSecondsToAnswer', 'p90SecondsToAnswer', 'missed', 'abandoned', 'newLeads', 'leadsConverted', 'leadCost', 'costPerLead', 'costPerCustomer'
]

const CALL_KEY = { source: 'source', campaign: 'campaign', line: 'dialed' } as const
const LEAD_KEY = { source: 'source', campaign: 'campaign', line: 'line_number' } as const

/**
 * Per source, campaign or line: inbound calls, answered share, median and 90th
 * percentile time to answer, missed and abandoned; leads first seen in the range,
 * how many became customers, and what they cost. Calls are read through
 * `calls_report_idx` (an index-only scan of the range).
 */
export function sourcesReport(db: Kysely<Database>, request: ReportRequest<SourceGrouping>) {
  const { from, to, groupBy } = request
  const callKey = CALL_KEY[groupBy]
  const leadKey = LEAD_KEY[groupBy]
  return db
    .with('c', (qb) =>
      qb
        .selectFrom('calls')
        .select([
          sql<string | null>`${sql.ref(callKey)}`.as('key'),
          sql<number>`count(*)`.as('inquiries'),
          sql<number>`count(*) filter (where outcome = 'answered')`.as('answered'),
          sql<number | null>`percentile_cont(0.5) within group (order by wait_seconds) filter (where outcome = 'answered')`.as('median'),
          sql<number | null>`percentile_cont(0.9) within group (order by wait_seconds) filter (where outcome = 'answered')`.as('p90'),
          sql<number>`count(*) filter (where outcome = 'missed')`.as('missed'),
          sql<number>`count(*) filter (where outcome = 'abandoned')`.as('abandoned')
        ])
        .where('offered_at', '>=', from)
        .where('offered_at', '<', to)
        .where('direction', '=', sql.lit('inbound'))
        .where('kind', '=', sql.lit('call'))
        .groupBy(sql.ref(callKey))
    )
    .with('l', (qb) =>
      qb
        .selectFrom('leads')
        .select([
          sql<string | null>`${sql.ref(leadKey)}`.as('key'),
          sql<number>`count(*)`.as('leads'),
          sql<number>`count(*) filter (where customer_id is not null)`.as('converted'),
          sql<number>`coalesce(sum(cost), 0)`.as('cost')
        ])
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .groupBy(sql.ref(leadKey))
    )
    .selectFrom('c')
    // Null keys (calls on no line) meet too; a plain equality keeps the full join hashable.
    .fullJoin('l', (join) => join.on(sql<boolean>`coalesce(c.key, '') = coalesce(l.key, '')`))
    .select([
      sql<string | null>`coalesce(c.key, l.key)`.as('key'),
      sql<number>`coalesce(c.inquiries, 0)`.as('inquiries'),
      sql<number>`coalesce(c.answered, 0)`.as('answered'),
      sql<number | null>`round(c.answered::numeric / nullif(c.inquiries, 0), 4)`.as('answeredShare'),
      sql<number | null>`round(c.median::numeric, 3)`.as('medianSecondsToAnswer'),
      sql<number | null>`round(c.p90::numeric, 3)`.as('p90SecondsToAnswer'),
      sql<number>`coalesce(c.missed, 0)`.as('missed'),
      sql<number>`coalesce(c.abandoned, 0)`.as('abandoned'),
      sql<number>`coalesce(l.leads, 0)`.as('newLeads'),
      sql<number>`coalesce(l.converted, 0)`.as('leadsConverted'),
      sql<number>`coalesce(l.cost, 0)`.as('leadCost'),
      sql<number | null>`round(l.cost / nullif(l.leads, 0), 2)`.as('costPerLead'),
      sql<number | null>`round(l.cost / nullif(l.converted, 0), 2)`.as('costPerCustomer')
    ])
    .orderBy(sql`coalesce(c.inquiries, 0)`, 'desc')
    .orderBy(sql`coalesce(c.key, l.key)`)
}
