import { sql, type RawBuilder } from 'kysely'

/** A half-open span of time, [from, to). */
export interface Span<T> {
  from: T
  to: T
}

/**
 * How a report range is read: whole UTC months and whole UTC days from the
 * roll-ups (sql/007), the partial days at either end from the records themselves.
 * Together the parts cover the range exactly once.
 */
export interface ReportPeriods {
  /** Instants read from the records: none, one or two spans shorter than a day. */
  edges: Span<Date>[]
  /** Whole days (YYYY-MM-DD, end exclusive) read from the daily roll-up rows. */
  days: Span<string>[]
  /** Whole months (first days, end exclusive) read from the monthly roll-up rows. */
  months: Span<string>[]
}

const DAY_MS = 86_400_000

export function reportPeriods(from: Date, to: Date): ReportPeriods {
  const firstDay = Math.ceil(from.getTime() / DAY_MS) * DAY_MS
  const endDay = Math.floor(to.getTime() / DAY_MS) * DAY_MS
  if (firstDay >= endDay) return { edges: [{ from, to }], days: [], months: [] }
  const edges = [
    { from, to: new Date(firstDay) },
    { from: new Date(endDay), to }
  ].filter((s) => s.from.getTime() < s.to.getTime())
  const firstMonth = monthStart(firstDay, 1)
  const endMonth = monthStart(endDay, 0)
  if (firstMonth >= endMonth) return { edges, days: [dates(firstDay, endDay)], months: [] }
  const days = [dates(firstDay, firstMonth), dates(endMonth, endDay)].filter((s) => s.from < s.to)
  return { edges, days, months: [dates(firstMonth, endMonth)] }
}

/** The first day of the UTC month holding `at`, or of the next month unless `at` starts one (`up` 1). */
function monthStart(at: number, up: 0 | 1): number {
  const d = new Date(at)
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
  return up === 1 && start < at ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) : start
}

function dates(from: number, to: number): Span<string> {
  return { from: new Date(from).toISOString().slice(0, 10), to: new Date(to).toISOString().slice(0, 10) }
}

/** The condition picking a roll-up table's rows for the whole days and months of the range. */
export function rollupRows(periods: ReportPeriods, alias: string): RawBuilder<boolean> {
  const span = sql.ref(`${alias}.span`)
  const period = sql.ref(`${alias}.period`)
  const parts = [
    ...periods.days.map((d) => sql`(${span} = 'day' and ${period} >= ${d.from} and ${period} < ${d.to})`),
    ...periods.months.map((m) => sql`(${span} = 'month' and ${period} >= ${m.from} and ${period} < ${m.to})`)
  ]
  return parts.length === 0 ? sql<boolean>`false` : sql<boolean>`(${sql.join(parts, sql` or `)})`
}

/**
 * One query per edge span, glued with `union all` (each an index range scan).
 * Without edges the query is run on an empty span, so it still has its columns.
 */
export function overEdges(periods: ReportPeriods, query: (span: Span<Date>) => RawBuilder<unknown>): RawBuilder<unknown> {
  const spans = periods.edges.length > 0 ? periods.edges : [{ from: new Date(0), to: new Date(0) }]
  return sql.join(spans.map((span) => sql`(${query(span)})`), sql` union all `)
}
