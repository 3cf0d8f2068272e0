import t from 'tap'
import { loadRuleSet } from '../../src/rules/load.js'
import type { BusinessCalendar } from '../../src/routing/index.js'
import { createBusinessCalendar } from '../../src/rules/calendar.js'
import { catalog, validSet } from './fixtures/rule-files.js'

/** The calendar of a set whose calendar file is `yaml`. */
async function calendarOf(dir: string): Promise<BusinessCalendar> {
  const result = await loadRuleSet(dir, catalog)
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  return result.ruleSet.calendar
}

const moscow = `calendar:
  timezone: Europe/Moscow
  hours:
    mon-fri: 09:00-19:00
    sat: 10:00-13:00, 14:00-16:00
  holidays:
    - 2025-05-09
    - 01-07: Christmas
`

/** Moscow is UTC+3 all year. */
const msk = (y: number, m: number, d: number, h: number, min = 0): number => Date.UTC(y, m - 1, d, h - 3, min)

t.test('a weekday within hours is business hours', async (t) => {
  const cal = await calendarOf(t.testdir(validSet({ 'calendar.yaml': moscow })))
  t.same(cal.at(msk(2025, 3, 12, 11, 30)), { hour: 11, minute: 30, weekday: 3, businessHours: true, holiday: false })
})

t.test('opening time is inside and closing time is outside business hours', async (t) => {
  const cal = await calendarOf(t.testdir(validSet({ 'calendar.yaml': moscow })))
  t.equal(cal.at(msk(2025, 3, 12, 8, 59)).businessHours, false)
  t.equal(cal.at(msk(2025, 3, 12, 9, 0)).businessHours, true)
  t.equal(cal.at(msk(2025, 3, 12, 18, 59)).businessHours, true)
  t.equal(cal.at(msk(2025, 3, 12, 19, 0)).businessHours, false)
})

t.test('a day with two ranges is closed in the gap', async (t) => {
  const cal = await calendarOf(t.testdir(validSet({ 'calendar.yaml': moscow })))
  t.equal(cal.at(msk(2025, 3, 15, 12, 0)).businessHours, true)
  t.equal(cal.at(msk(2025, 3, 15, 13, 30)).businessHours, false)
  t.equal(cal.at(msk(2025, 3, 15, 15, 0)).businessHours, true)
})

t.test('a day not listed is closed all day', async (t) => {
  const cal = await calendarOf(t.testdir(validSet({ 'calendar.yaml': moscow })))
  t.same(cal.at(msk(2025, 3, 16, 12, 0)), { hour: 12, minute: 0, weekday: 7, businessHours: false, holiday: false })
})

t.test('a dated holiday on a weekday is a holiday and not business hours', async (t) => {
  const cal = await calendarOf(t.testdir(validSet({ 'calendar.yaml': moscow })))
  t.same(cal.at(msk(2025, 5, 9, 12, 0)), { hour: 12, minute: 0, weekday: 5, businessHours: false, holiday: true })
  t.equal(cal.at(msk(2026, 5, 9, 12, 0)).holiday, false, 'a dated holiday is that year only')
})

t.test('a yearly holiday applies every year', async (t) => {
  const cal = await calendarOf(t.testdir(validSet({ 'calendar.yaml': moscow })))
  t.equal(cal.at(msk(2025, 1, 7, 12, 0)).holiday, true)
  t.equal(cal.at(msk(2031, 1, 7, 12, 0)).holiday, true)
  t.equal(cal.at(msk(2031, 1, 8, 12, 0)).holiday, false)
})

t.test('the local day starts at local midnight, not at UTC midnight', async (t) => {
  const cal = await calendarOf(t.testdir(validSet({ 'calendar.yaml': moscow })))
  // 21:30 UTC on Sunday 2025-03-16 is 00:30 on Monday in Moscow.
  t.same(cal.at(Date.UTC(2025, 2, 16, 21, 30)), { hour: 0, minute: 30, weekday: 1, businessHours: false, holiday: false })
  // 20:59 UTC on Thursday 2025-05-08 is still 23:59 Thursday; a minute later it is the holiday.
  t.equal(cal.at(Date.UTC(2025, 4, 8, 20, 59)).holiday, false)
  t.equal(cal.at(Date.UTC(2025, 4, 8, 21, 0)).holiday, true)
})

t.test('hours follow daylight saving time in a zone that has it', async (t) => {
  const berlin = createBusinessCalendar({ timeZone: 'Europe/Berlin', hours: [[[540, 1020]], [], [], [], [], [], []], holidays: [] })
  // Monday 09:00 local is 08:00 UTC in winter and 07:00 UTC in summer.
  t.same(berlin.at(Date.UTC(2025, 2, 24, 8, 0)), { hour: 9, minute: 0, weekday: 1, businessHours: true, holiday: false })
  t.same(berlin.at(Date.UTC(2025, 2, 31, 7, 0)), { hour: 9, minute: 0, weekday: 1, businessHours: true, holiday: false })
})

t.test('the offset switches at the exact instant of a daylight saving change', async (t) => {
  const berlin = createBusinessCalendar({ timeZone: 'Europe/Berlin', hours: [], holidays: [] })
  // 2025-03-30 01:00 UTC: 02:00 CET becomes 03:00 CEST.
  t.same([berlin.at(Date.UTC(2025, 2, 30, 0, 59)).hour, berlin.at(Date.UTC(2025, 2, 30, 1, 0)).hour], [1, 3])
})

t.test('a change of offset in the middle of an hour is found to the minute', async (t) => {
  // St. John's moved its clocks at 00:01 local (03:31 UTC) on 2010-03-14.
  const stJohns = createBusinessCalendar({ timeZone: 'America/St_Johns', hours: [], holidays: [] })
  const at = (min: number) => stJohns.at(Date.UTC(2010, 2, 14, 3, min))
  t.same([at(30).hour, at(30).minute, at(31).hour, at(31).minute], [0, 0, 1, 1])
})

t.test('a local wall-clock time converts back to its instant', async (t) => {
  const cal = createBusinessCalendar({ timeZone: 'Europe/Moscow', hours: [], holidays: [] })
  t.equal(cal.toEpoch({ year: 2025, month: 3, day: 12, hour: 11, minute: 0 }), Date.UTC(2025, 2, 12, 8, 0))
})
