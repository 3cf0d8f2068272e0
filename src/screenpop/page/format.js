// Dates, times and amounts in the page's language (the <html lang> the page words set, in the
// browser's own variant of it) and the browser's time zone; durations in the language given.

const formats = new Map()

/** The browser's own locale when it speaks the page's language (en-GB dates for a British agent), else the page's language. */
function locale() {
  const page = globalThis.document?.documentElement?.lang || undefined
  if (!page) return undefined
  return globalThis.navigator?.languages?.find((l) => l.toLowerCase() === page || l.toLowerCase().startsWith(`${page}-`)) ?? page
}
/** One Intl formatter per kind and language, made on first use (the page sets its language at start-up). */
function formatter(kind, options) {
  const lang = locale()
  const key = `${kind} ${lang}`
  let made = formats.get(key)
  if (!made) formats.set(key, (made = kind === 'amount' ? new Intl.NumberFormat(lang, options) : new Intl.DateTimeFormat(lang, options)))
  return made
}

export const formatDateTime = (iso) => (iso ? formatter('dateTime', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '')
// A date alone is read at midday so that no time zone moves it to the day before.
export const formatDate = (iso) => (iso ? formatter('date', { dateStyle: 'medium' }).format(new Date(`${iso.slice(0, 10)}T12:00:00`)) : '')
export const formatTime = (instant) => formatter('time', { timeStyle: 'medium' }).format(new Date(instant))
export const formatAmount = (value) => (typeof value === 'number' ? formatter('amount', { maximumFractionDigits: 2 }).format(value) : '')

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
