import { CtiError } from '../errors.js'

/** What every report is asked for: a time range, a grouping, and JSON or CSV. */
export interface ReportRequest<G extends string> {
  /** Inclusive start, epoch ms. */
  from: Date
  /** Exclusive end, epoch ms. */
  to: Date
  groupBy: G
  format: 'json' | 'csv'
}

export const ReportErrors = {
  invalidRange: (message: string) => new CtiError('CTI_ERR_INVALID_RANGE', message, 400, 400),
  unknownGrouping: (given: string, allowed: readonly string[]) =>
    new CtiError('CTI_ERR_UNKNOWN_GROUPING', `groupBy "${given}" is not one of ${allowed.join(', ')}`, 400, 400),
  unknownFormat: (given: string) => new CtiError('CTI_ERR_UNKNOWN_FORMAT', `format "${given}" is not json or csv`, 400, 400)
} as const

const DAY_MS = 86_400_000
/** Without `from`, a report covers this many days before `to`. */
export const DEFAULT_DAYS = 30

/**
 * Reads `from`, `to` (ISO dates or date-times; a bare date is midnight UTC,
 * `to` exclusive), `groupBy` and `format` (or an Accept of text/csv), refusing
 * anything unusable with a coded 400 that names the problem.
 */
export function parseReportRequest<G extends string>(
  query: Record<string, string | undefined>,
  accept: string | undefined,
  groupings: readonly G[],
  now: number
): ReportRequest<G> {
  const to = query.to === undefined ? new Date(now) : parseInstant('to', query.to)
  const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_DAYS * DAY_MS) : parseInstant('from', query.from)
  if (from.getTime() >= to.getTime()) throw ReportErrors.invalidRange(`from (${from.toISOString()}) must be before to (${to.toISOString()})`)
  const groupBy = (query.groupBy ?? groupings[0]!) as G
  if (!groupings.includes(groupBy)) throw ReportErrors.unknownGrouping(String(query.groupBy), groupings)
  return { from, to, groupBy, format: formatOf(query.format, accept) }
}

function parseInstant(name: string, text: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text
  const at = /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : NaN
  if (Number.isNaN(at)) throw ReportErrors.invalidRange(`${name} "${text}" is not a date (YYYY-MM-DD) or an ISO 8601 date-time`)
  return new Date(at)
}

function formatOf(format: string | undefined, accept: string | undefined): 'json' | 'csv' {
  if (format !== undefined) {
    if (format === 'json' || format === 'csv') return format
    throw ReportErrors.unknownFormat(format)
  }
  return accept?.includes('text/csv') ? 'csv' : 'json'
}
