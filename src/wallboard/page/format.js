// Numbers, shares and durations in the board's language, through Intl.

export function formats(lang) {
  const number = new Intl.NumberFormat(lang)
  const percent = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 })
  const seconds = new Intl.NumberFormat(lang, { style: 'unit', unit: 'second', unitDisplay: 'narrow', maximumFractionDigits: 0 })
  const two = new Intl.NumberFormat(lang, { minimumIntegerDigits: 2 })
  const digital = typeof Intl.DurationFormat === 'function' ? new Intl.DurationFormat(lang, { style: 'digital', hoursDisplay: 'auto' }) : null
  const clock = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
  const day = new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' })
  return {
    number: (n) => number.format(n),
    percent: (share) => (share === null || share === undefined ? '—' : percent.format(share)),
    seconds: (s) => (s === null || s === undefined ? '—' : seconds.format(s)),
    /** A duration as m:ss (h:mm:ss past an hour). */
    duration(ms) {
      const total = Math.max(0, Math.floor(ms / 1000))
      const hours = Math.floor(total / 3600)
      const minutes = Math.floor((total % 3600) / 60)
      const secs = total % 60
      if (digital) return digital.format(hours > 0 ? { hours, minutes, seconds: secs } : { minutes, seconds: secs })
      return hours > 0 ? `${hours}:${two.format(minutes)}:${two.format(secs)}` : `${minutes}:${two.format(secs)}`
    },
    clock: (iso) => clock.format(new Date(iso)),
    when: (iso) => day.format(new Date(iso))
  }
}
