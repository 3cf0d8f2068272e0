/**
 * One preview: the period's calls replayed from the database through a candidate rule set,
 * compared with what was decided then, as a report. Shared by the command and the HTTP endpoint.
 */
import type { Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import type { RuleSet } from '../routing/types.js'
import { parseDuration, DURATION_HINT } from '../rules/duration.js'
import { replay } from './replay.js'
import { buildReport, type PreviewReport } from './report.js'
import { availabilityPages, callFactPages, callsWithoutFacts, rebuildStart, recordedTraces } from './store.js'

export interface Period {
  from: number
  to: number
}

export const DEFAULT_SINCE = '7d'

/** The period from `since` (a duration back from now) or from/to (ISO times); a string says what is wrong. */
export function periodOf(o: { since?: string | null; from?: string | null; to?: string | null }, now: number): Period | string {
  if (o.since && (o.from || o.to)) return 'give either since or from/to, not both'
  if (o.from || o.to) {
    const from = o.from ? Date.parse(o.from) : Number.NaN
    const to = o.to ? Date.parse(o.to) : now
    if (!Number.isFinite(from)) return `from: '${o.from ?? ''}' is not a time; write it like 2026-11-23T09:00:00+03:00`
    if (!Number.isFinite(to)) return `to: '${o.to}' is not a time; write it like 2026-11-30T09:00:00+03:00`
    if (to <= from) return 'to must be after from'
    return { from, to }
  }
  const since = o.since ?? DEFAULT_SINCE
  const seconds = parseDuration(since)
  if (seconds === null || seconds <= 0) return `since: '${since}' is not a duration; ${DURATION_HINT}`
  // Up to and including now: a call routed this millisecond is in the period.
  return { from: now - seconds * 1000, to: now + 1 }
}

export async function runPreview(db: Kysely<Database>, rules: RuleSet, period: Period, o: { sample?: number } = {}): Promise<PreviewReport> {
  const start = await rebuildStart(db, period.from)
  const tally = await replay(callFactPages(db, period.from, period.to), availabilityPages(db, start, period.to), { rules, ...period, sample: o.sample })
  tally.apart.withoutFacts = await callsWithoutFacts(db, period.from, period.to)
  const traces = await recordedTraces(db, tally.sample.map((c) => c.callId))
  for (const c of tally.sample) c.beforeTrace = traces.get(c.callId) ?? null
  return buildReport(tally, { ...period, version: rules.version })
}
