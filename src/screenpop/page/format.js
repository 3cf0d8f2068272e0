// Dates, times and amounts in the browser's own language and time zone; durations in the page's language.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' })
const amount = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 })

export const formatDateTime = (iso) => (iso ? dateTime.format(new Date(iso)) : '')
// A date alone is read at midday so that no time zone moves it to the day before.
export const formatDate = (iso) => (iso ? dateOnly.format(new Date(`${iso.slice(0, 10)}T12:00:00`)) : '')
export const formatTime = (instant) => timeOnly.format(new Date(instant))
export const formatAmount = (value) => (typeof value === 'number' ? amount.format(value) : '')

const HOUR_MINUTES = 60
const DAY_MINUTES = 24 * HOUR_MINUTES
const units = new Map()

/**
 * A length of time given in whole minutes, in words in `lang` ('en', 'ru'): in the
 * largest sensible unit, rounded down: minutes under an hour, hours under two
 * days, days beyond ("45 minutes", "5 hours", "55 days"; "55 дней"). Pure, for Node's tests too.
 */
export function formatDuration(minutes, lang) {
  const whole = Math.max(0, Math.floor(Number(minutes) || 0))
  const [value, unit] =
    whole < HOUR_MINUTES ? [whole, 'minute'] : whole < 2 * DAY_MINUTES ? [Math.floor(whole / HOUR_MINUTES), 'hour'] : [Math.floor(whole / DAY_MINUTES), 'day']
  const key = `${lang}:${unit}`
  if (!units.has(key)) units.set(key, new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'long' }))
  return units.get(key).format(value)
}
