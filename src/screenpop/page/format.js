// Dates, times and amounts in the browser's own language and time zone.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' })
const amount = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 })

export const formatDateTime = (iso) => (iso ? dateTime.format(new Date(iso)) : '')
// A date alone is read at midday so that no time zone moves it to the day before.
export const formatDate = (iso) => (iso ? dateOnly.format(new Date(`${iso.slice(0, 10)}T12:00:00`)) : '')
export const formatTime = (instant) => timeOnly.format(new Date(instant))
export const formatAmount = (value) => (typeof value === 'number' ? amount.format(value) : '')
