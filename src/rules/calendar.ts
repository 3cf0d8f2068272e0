/**
 * Business calendar for one IANA time zone. Intl formatting costs microseconds,
 * so the zone's UTC offset is looked up once per hour of UTC time and kept in
 * a small direct-mapped cache; everything else is integer arithmetic. An hour
 * holding an offset change (a DST switch, at whatever minute) also keeps the
 * instant of the change, found once by bisection.
 */
import type { BusinessCalendar, RuleContext } from '../routing/types.js'

export interface CalendarSpec {
  /** IANA time zone name, e.g. Europe/Moscow. */
  timeZone: string
  /** Opening hours for ISO weekdays 1..7 (index 0 = Monday): [start, end) in minutes from midnight. */
  hours: readonly (readonly (readonly [number, number])[])[]
  /** Holidays: dated `YYYY-MM-DD`, or yearly `MM-DD`. */
  holidays: readonly string[]
}

/** Local date and time in the calendar's zone. Month 1..12. */
export interface LocalDateTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
}

const MINUTE = 60_000
const DAY = 86_400_000
const BUCKET = 3_600_000
const CACHE_SIZE = 1024

/** True when the runtime knows the zone. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
    return true
  } catch {
    return false
  }
}

export class ZonedBusinessCalendar implements BusinessCalendar {
  readonly timeZone: string
  private readonly format: Intl.DateTimeFormat
  /** Minute-of-week bitmap: open[(weekday - 1) * 1440 + minuteOfDay] === 1 when open. */
  private readonly open = new Uint8Array(7 * 1440)
  private readonly datedHolidays = new Set<number>()
  private readonly yearlyHolidays = new Set<number>()
  private readonly bucketKeys = new Float64Array(CACHE_SIZE).fill(Number.NaN)
  /** Offset at the start of the bucket; from `bucketSwitch` on (Infinity: never), `bucketAfter`. */
  private readonly bucketBefore = new Float64Array(CACHE_SIZE)
  private readonly bucketSwitch = new Float64Array(CACHE_SIZE)
  private readonly bucketAfter = new Float64Array(CACHE_SIZE)

  constructor(spec: CalendarSpec) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: spec.timeZone,
      hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    })
    this.timeZone = this.format.resolvedOptions().timeZone
    spec.hours.forEach((ranges, dayIndex) => {
      for (const [start, end] of ranges) this.open.fill(1, dayIndex * 1440 + start, dayIndex * 1440 + end)
    })
    for (const h of spec.holidays) {
      const parts = h.split('-').map(Number)
      if (parts.length === 3) this.datedHolidays.add(Date.UTC(parts[0]!, parts[1]! - 1, parts[2]!) / DAY)
      else this.yearlyHolidays.add(parts[0]! * 100 + parts[1]!)
    }
  }

  at(epochMs: number): RuleContext['time'] {
    const local = epochMs + this.offsetMs(epochMs)
    const dayNumber = Math.floor(local / DAY)
    const minuteOfDay = Math.floor((local - dayNumber * DAY) / MINUTE)
    // 1970-01-01 was a Thursday (ISO weekday 4).
    const weekday = ((((dayNumber + 3) % 7) + 7) % 7) + 1
    const holiday = this.isHoliday(dayNumber)
    return {
      hour: (minuteOfDay / 60) | 0,
      minute: minuteOfDay % 60,
      weekday,
      businessHours: !holiday && this.open[(weekday - 1) * 1440 + minuteOfDay] === 1,
      holiday,
    }
  }

  /** The zone's offset from UTC at an instant, in milliseconds (Moscow: +3 h). */
  offsetMs(epochMs: number): number {
    const bucket = Math.floor(epochMs / BUCKET)
    const slot = ((bucket % CACHE_SIZE) + CACHE_SIZE) % CACHE_SIZE
    if (this.bucketKeys[slot] !== bucket) this.fill(slot, bucket)
    return epochMs < this.bucketSwitch[slot]! ? this.bucketBefore[slot]! : this.bucketAfter[slot]!
  }

  private fill(slot: number, bucket: number): void {
    const start = bucket * BUCKET
    const before = this.offsetFromIntl(start)
    const after = this.offsetFromIntl(start + BUCKET)
    let switchAt = Number.POSITIVE_INFINITY
    if (after !== before) {
      // First second of the bucket with the new offset.
      let lo = start
      let hi = start + BUCKET
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000
        if (this.offsetFromIntl(mid) === before) lo = mid
        else hi = mid
      }
      switchAt = hi
    }
    this.bucketKeys[slot] = bucket
    this.bucketBefore[slot] = before
    this.bucketSwitch[slot] = switchAt
    this.bucketAfter[slot] = after
  }

  /** The instant a local wall-clock time in this zone denotes (the later one across a DST change). */
  toEpoch(local: LocalDateTime): number {
    const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute)
    const first = wall - this.offsetMs(wall)
    return wall - this.offsetMs(first)
  }

  private isHoliday(dayNumber: number): boolean {
    if (this.datedHolidays.has(dayNumber)) return true
    if (this.yearlyHolidays.size === 0) return false
    const { month, day } = civilFromDays(dayNumber)
    return this.yearlyHolidays.has(month * 100 + day)
  }

  private offsetFromIntl(epochMs: number): number {
    const f: Record<string, number> = {}
    for (const part of this.format.formatToParts(epochMs)) {
      if (part.type !== 'literal') f[part.type] = Number(part.value)
    }
    const wall = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!)
    return wall - (epochMs - (((epochMs % 1000) + 1000) % 1000))
  }
}

export function createBusinessCalendar(spec: CalendarSpec): ZonedBusinessCalendar {
  return new ZonedBusinessCalendar(spec)
}

/** Month 1..12 and day of month for a count of days since 1970-01-01 (proleptic Gregorian). */
function civilFromDays(days: number): { month: number; day: number } {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  return { month: mp < 10 ? mp + 3 : mp - 9, day: doy - Math.floor((153 * mp + 2) / 5) + 1 }
}
