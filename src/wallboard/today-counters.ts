/** One queue's figures for today; the page and the socket show them as they are. */
export interface QueueDay {
  answered: number
  /** Answered within the queue's service-level threshold. */
  answeredInTime: number
  /** The caller hung up before an agent answered. */
  abandoned: number
  /** Of abandoned, those who had waited longer than the threshold (they count against the service level). */
  abandonedLate: number
  /** Ended unanswered for another reason: nobody took it, voicemail, overflow, busy, failed. */
  missed: number
  /** Sum of the waits of answered calls, arrival to answer (ms). */
  answerWaitMs: number
}

/** What a finished wait adds to a queue's day. */
export type WaitOutcome = { answered: true; waitMs: number } | { answered: false; waitMs: number; outcome: string }

/** Outcomes that never needed an agent (refused by a rule) or whose end the PBX keeps (redirected): not in the queue figures. */
const NOT_COUNTED = new Set(['rejected', 'redirected'])

export const emptyDay = (): QueueDay => ({ answered: 0, answeredInTime: 0, abandoned: 0, abandonedLate: 0, missed: 0, answerWaitMs: 0 })

/**
 * Today's per-queue counters, kept in memory and fed by the router's events
 * (seeded once from the calls table at start). The day is the rules' calendar
 * day: at local midnight in `timeZone` every counter starts again from zero.
 */
export class TodayCounters {
  private days = new Map<string, QueueDay>()
  private day: string

  constructor(private readonly timeZone: () => string, now: number) {
    this.day = localDay(now, timeZone())
  }

  /** Adds one finished wait; `thresholdSeconds` is the queue's service level. */
  add(queue: string, outcome: WaitOutcome, thresholdSeconds: number, at: number): void {
    this.rollOver(at)
    if (!outcome.answered && NOT_COUNTED.has(outcome.outcome)) return
    const day = this.of(queue)
    const inTime = outcome.waitMs <= thresholdSeconds * 1000
    if (outcome.answered) {
      day.answered++
      day.answerWaitMs += outcome.waitMs
      if (inTime) day.answeredInTime++
    } else if (outcome.outcome === 'abandoned') {
      day.abandoned++
      if (!inTime) day.abandonedLate++
    } else day.missed++
  }

  /** Replaces a queue's day with figures read from the calls table (start-up). */
  seed(queue: string, figures: QueueDay): void {
    this.days.set(queue, { ...figures })
  }

  /** Every queue with a figure today; a new day (past local midnight) has none. */
  all(at: number): ReadonlyMap<string, QueueDay> {
    this.rollOver(at)
    return this.days
  }

  /** Starts a new day when `at` is past local midnight; true when it did. */
  rollOver(at: number): boolean {
    const today = localDay(at, this.timeZone())
    if (today === this.day) return false
    this.day = today
    this.days = new Map()
    return true
  }

  private of(queue: string): QueueDay {
    let day = this.days.get(queue)
    if (!day) this.days.set(queue, (day = emptyDay()))
    return day
  }
}

/** Service level: answered within the threshold ÷ (answered + abandoned after the threshold); null before any such call. */
export function serviceLevel(day: QueueDay): number | null {
  const base = day.answered + day.abandonedLate
  return base === 0 ? null : day.answeredInTime / base
}

/** Abandoned ÷ every counted call (answered, abandoned, missed); null before any. */
export function abandonRate(day: QueueDay): number | null {
  const all = day.answered + day.abandoned + day.missed
  return all === 0 ? null : day.abandoned / all
}

/** Average speed of answer in seconds; null before any answered call. */
export function averageAnswerSeconds(day: QueueDay): number | null {
  return day.answered === 0 ? null : day.answerWaitMs / day.answered / 1000
}

/** Every zone's offset is a whole number of quarter hours, so a local day never changes within one. */
const QUARTER_HOUR_MS = 15 * 60_000
const dayFormats = new Map<string, { format: Intl.DateTimeFormat; quarter: number; day: string }>()

/** The calendar date (YYYY-MM-DD) of an instant in a time zone; formatted once per quarter hour (it runs for every call). */
export function localDay(at: number, timeZone: string): string {
  const quarter = Math.floor(at / QUARTER_HOUR_MS)
  let known = dayFormats.get(timeZone)
  if (!known) dayFormats.set(timeZone, (known = { format: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }), quarter: NaN, day: '' }))
  if (known.quarter !== quarter) {
    known.quarter = quarter
    known.day = known.format.format(at)
  }
  return known.day
}

/** The instant local midnight began the day of `at` in `timeZone` (for the start-up query). */
export function startOfLocalDay(at: number, timeZone: string): number {
  const day = localDay(at, timeZone)
  // Midnight is within 14 hours of UTC midnight of the same date; find the first instant of that date.
  let low = Date.parse(`${day}T00:00:00Z`) - 15 * 3_600_000
  let high = at
  while (high - low > 1000) {
    const mid = Math.floor((low + high) / 2)
    if (localDay(mid, timeZone) === day) high = mid
    else low = mid
  }
  return high - (high % 1000)
}
