/**
 * Durations as admins write them: `20s`, `2m`, `1h`, `30d`, `2w`, or combined
 * like `1m30s`. A bare number has no unit and is refused, so `20` never
 * silently means seconds where days were meant.
 */
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }
const WHOLE = /^(?:\d+(?:\.\d+)?[smhdw])+$/
const PART = /(\d+(?:\.\d+)?)([smhdw])/g

/** Seconds in `text`, or null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const compact = text.trim().toLowerCase().replace(/\s+/g, '')
  if (!WHOLE.test(compact)) return null
  let seconds = 0
  for (const [, amount, unit] of compact.matchAll(PART)) seconds += Number(amount) * UNIT_SECONDS[unit!]!
  return seconds
}

export const DURATION_HINT = 'write it like 20s, 2m, 1h, 30d or 1m30s'
