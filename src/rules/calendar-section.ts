/**
 * The `calendar:` section:
 *
 *   calendar:
 *     timezone: Europe/Moscow
 *     hours:
 *       mon-fri: 09:00-19:00
 *       sat: 10:00-14:00, 15:00-17:00
 *     holidays:
 *       - 2025-01-01        # one day
 *       - 05-09             # every year
 */
import { isMap, isScalar } from 'yaml'
import type { Node } from 'yaml'
import { isKnownTimeZone } from './calendar.js'
import type { CalendarSpec } from './calendar.js'
import { withSuggestion } from './errors.js'
import type { YamlFile } from './yaml-reader.js'

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
const LONG_DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const

export function readCalendar(file: YamlFile, node: Node): CalendarSpec | undefined {
  const fields = file.fields(node, 'calendar', ['timezone', 'hours', 'holidays'])
  if (!fields) return undefined
  let ok = true
  const zoneField = fields.get('timezone')
  let timeZone: string | undefined
  if (!zoneField) {
    file.error(node, "calendar needs a 'timezone', e.g. timezone: Europe/Moscow")
    ok = false
  } else {
    timeZone = file.text(zoneField.value, 'timezone')
    if (timeZone !== undefined && !isKnownTimeZone(timeZone)) {
      file.error(zoneField.value, `unknown time zone '${timeZone}'; use an IANA name such as Europe/Moscow`)
      ok = false
    }
  }
  const hoursField = fields.get('hours')
  const hours = hoursField ? readHours(file, hoursField.value) : emptyWeek()
  if (!hoursField) {
    file.error(node, "calendar needs 'hours', e.g. mon-fri: 09:00-19:00")
    ok = false
  }
  const holidaysField = fields.get('holidays')
  const holidays = holidaysField && !file.isEmpty(holidaysField.value) ? readHolidays(file, holidaysField.value) : []
  if (!ok || timeZone === undefined || hours === undefined || holidays === undefined) return undefined
  return { timeZone, hours, holidays }
}

function emptyWeek(): [number, number][][] {
  return DAY_NAMES.map(() => [])
}

function readHours(file: YamlFile, node: Node): [number, number][][] | undefined {
  if (!isMap(node)) return void file.error(node, 'hours must list days and times, e.g. mon-fri: 09:00-19:00')
  const week = emptyWeek()
  const setAt = new Map<number, number>()
  let ok = true
  for (const pair of node.items) {
    const keyNode = pair.key as Node
    const valueNode = pair.value as Node | null
    const dayText = isScalar(keyNode) ? String(keyNode.value) : ''
    const days = parseDays(dayText)
    if (typeof days === 'string') { file.error(keyNode, days); ok = false; continue }
    const ranges = valueNode ? parseRanges(file, valueNode) : undefined
    if (!valueNode) file.error(keyNode, `hours for '${dayText}' are missing; write a time range or 'closed'`)
    if (!ranges) { ok = false; continue }
    for (const d of days) {
      const earlier = setAt.get(d)
      if (earlier !== undefined) {
        file.error(keyNode, `${LONG_DAY_NAMES[d]} already has hours (line ${file.lines.linePos(earlier).line})`)
        ok = false
        continue
      }
      setAt.set(d, keyNode.range?.[0] ?? 0)
      week[d] = ranges
    }
  }
  return ok ? week : undefined
}

/** Day indexes (0 = Monday) named by `mon`, `mon-fri`, `sat, sun`; or an error message. */
function parseDays(text: string): number[] | string {
  const days: number[] = []
  for (const part of text.toLowerCase().split(',').map((s) => s.trim())) {
    const [from, to, extra] = part.split('-').map((s) => s.trim())
    const a = dayIndex(from ?? '')
    const b = to === undefined ? a : dayIndex(to)
    if (a === -1 || b === -1 || extra !== undefined) {
      const bad = a === -1 ? from ?? part : to ?? part
      return withSuggestion(`unknown day '${bad}' in hours; use mon, tue, wed, thu, fri, sat, sun or a range like mon-fri`, bad, DAY_NAMES)
    }
    if (b < a) return `day range '${part}' runs backwards; write it from the earlier day, e.g. mon-fri`
    for (let d = a; d <= b; d++) days.push(d)
  }
  return days
}

function dayIndex(name: string): number {
  const short = DAY_NAMES.indexOf(name as (typeof DAY_NAMES)[number])
  return short !== -1 ? short : LONG_DAY_NAMES.indexOf(name as (typeof LONG_DAY_NAMES)[number])
}

const RANGE = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/

function parseRanges(file: YamlFile, node: Node): [number, number][] | undefined {
  const text = file.text(node, 'hours')
  if (text === undefined) return undefined
  if (text.toLowerCase() === 'closed') return []
  const ranges: [number, number][] = []
  for (const part of text.split(',').map((s) => s.trim())) {
    const m = RANGE.exec(part)
    const start = m ? Number(m[1]) * 60 + Number(m[2]) : NaN
    const end = m ? Number(m[3]) * 60 + Number(m[4]) : NaN
    if (!m || Number(m[2]) > 59 || Number(m[4]) > 59 || start >= 1440 || end > 1440) {
      return void file.error(node, `bad hours '${part}'; write them like 09:00-19:00, several separated by commas, or 'closed'`)
    }
    if (end <= start) {
      return void file.error(node, `hours '${part}' end before they start; split overnight hours over two days (…-24:00 and 00:00-…)`)
    }
    ranges.push([start, end])
  }
  return ranges
}

const DATED = /^(\d{4})-(\d{2})-(\d{2})$/
const YEARLY = /^(\d{2})-(\d{2})$/

function readHolidays(file: YamlFile, node: Node): string[] | undefined {
  const items = file.list(node, 'holidays')
  if (!items) return undefined
  const out: string[] = []
  let ok = true
  for (const item of items) {
    // A holiday may carry its name: "- 2025-01-01: New Year".
    const dateNode = isMap(item) && item.items.length === 1 ? (item.items[0]!.key as Node) : item
    const text = isScalar(dateNode) ? file.sourceOf(dateNode).replace(/^['"]|['"]$/g, '') : ''
    const m = DATED.exec(text) ?? YEARLY.exec(text)
    if (!m || !validDate(text)) {
      file.error(dateNode, `bad holiday ${file.describe(dateNode)}; write a date like 2025-01-01, or 01-07 for every year`)
      ok = false
      continue
    }
    out.push(text)
  }
  return ok ? out : undefined
}

function validDate(text: string): boolean {
  const parts = text.split('-').map(Number)
  const [y, m, d] = parts.length === 3 ? parts : [2000, parts[0], parts[1]] // 2000 is a leap year: 02-29 is a valid yearly date
  const date = new Date(Date.UTC(y!, m! - 1, d!))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m! - 1 && date.getUTCDate() === d
}
