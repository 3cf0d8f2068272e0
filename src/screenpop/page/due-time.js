// The due times an agent picks in an <input type="datetime-local"> (a wall-clock
// time without a zone) and the instants the server takes (ISO 8601 with the
// offset). No DOM here: only Date, in the browser's time zone.

const pad = (n) => String(n).padStart(2, '0')

/** '2026-11-24T10:00' (or with seconds) → '2026-11-24T10:00:00+03:00' in the browser's zone; null when not a date-time. */
export function instantOfLocalInput(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value || '')
  if (!m) return null
  const at = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] || 0))
  if (Number.isNaN(at.getTime())) return null
  // Written from the Date itself: a time skipped by a clock change comes out as the instant the browser made of it.
  const offset = -at.getTimezoneOffset()
  const zone = `${offset >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  return `${localInputValue(at)}:${pad(at.getSeconds())}${zone}`
}

/** A Date as an <input type="datetime-local"> value, to the minute: '2026-11-24T10:00'. */
export function localInputValue(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** Tomorrow at `hour`:00 by the browser's clock: where a new due time starts. */
export function tomorrowAt(hour, now = new Date()) {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, hour, 0, 0)
}
