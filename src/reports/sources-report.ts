import { sql, type Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import { overEdges, reportPeriods, rollupRows, type ReportPeriods } from './report-periods.js'
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
 * how many became customers, and what they cost. Calls come from the daily and
 * monthly roll-ups, the partial days at the ends of the range from the calls
 * (`calls_report_idx`, an index-only scan); leads from `leads` itself.
 */
export function sourcesReport(db: Kysely<Database>, request: ReportRequest<SourceGrouping>) {
  const { from, to, groupBy } = request
  const callKey = CALL_KEY[groupBy]
  const leadKey = LEAD_KEY[groupBy]
  return db
    .with('c', (qb) => qb.selectFrom(callFigures(callKey, reportPeriods(from, to)).as('f')).selectAll())
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

interface CallFigures {
  key: string | null
  inquiries: number
  answered: number
  missed: number
  abandoned: number
  median: number | null
  p90: number | null
}

/**
 * Inbound calls per key: counts summed over the roll-up rows and the edge calls,
 * percentiles of time to answer from their merged 1-second histograms.
 */
function callFigures(callKey: (typeof CALL_KEY)[SourceGrouping], periods: ReportPeriods) {
  const key = sql.ref(callKey)
  const rollups = sql`select ${key} as key, r.inquiries, r.answered, r.missed, r.abandoned, r.wait_hist from report_line_rollups r where ${rollupRows(periods, 'r')}`
  const edges = overEdges(periods, (span) => sql`
    select ${key} as key, outcome, report_bucket(wait_seconds) as bucket from calls
    where offered_at >= ${span.from} and offered_at < ${span.to} and direction = 'inbound' and kind = 'call'`)
  return sql<CallFigures>`(
    with r as (${rollups}), e as (${edges}),
    totals as (
      select key, sum(inquiries) as inquiries, sum(answered) as answered, sum(missed) as missed, sum(abandoned) as abandoned from (
        select key, inquiries, answered, missed, abandoned from r
        union all
        select key, count(*), count(*) filter (where outcome = 'answered'), count(*) filter (where outcome = 'missed'), count(*) filter (where outcome = 'abandoned') from e group by key
      ) x group by key
    ),
    hist as (
      select key, array_agg(i) as buckets, array_agg(n) as counts from (
        select key, i, sum(n)::bigint as n from (
          select r.key, u.i::integer as i, u.n::bigint as n from r, unnest(r.wait_hist) with ordinality u(n, i) where u.n <> 0
          union all
          select key, bucket, count(*) from e where outcome = 'answered' and bucket is not null group by key, bucket
        ) y group by key, i
      ) z group by key
    )
    select t.key, t.inquiries, t.answered, t.missed, t.abandoned,
      report_percentile(h.buckets, h.counts, 0.5) as median, report_percentile(h.buckets, h.counts, 0.9) as p90
    from totals t left join hist h on h.key is not distinct from t.key
    where t.inquiries > 0
  )`
}
