import { Errors } from '../errors.js'

/** A query string as fastify hands it over: each filter a string (or repeated, an array). */
export type Query = Record<string, string | string[] | undefined>

/** Reads the filters of a history endpoint; each problem is a 400 CTI_ERR_BAD_FILTER naming the filter. */
export class Filters {
  constructor(private readonly query: Query) {}

  /** The filter's text, trimmed; undefined when absent. Given twice or empty is refused. */
  text(name: string, maxLength = 256): string | undefined {
    const value = this.query[name]
    if (value === undefined) return undefined
    if (Array.isArray(value)) throw Errors.badFilter(name, 'is given more than once; give it once')
    const text = value.trim()
    if (text === '') throw Errors.badFilter(name, 'is empty; leave it out or give a value')
    if (text.length > maxLength) throw Errors.badFilter(name, `is longer than ${maxLength} characters`)
    return text
  }

  /** An ISO 8601 time with a date ("2026-12-01", "2026-12-01T09:30:00+03:00"). */
  time(name: string): Date | undefined {
    const text = this.text(name, 64)
    if (text === undefined) return undefined
    const ms = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(text) : NaN
    if (Number.isNaN(ms)) throw Errors.badFilter(name, `is not an ISO 8601 time: "${text}" (e.g. 2026-12-01T09:00:00Z)`)
    return new Date(ms)
  }

  /** A whole number within [min, max]. */
  integer(name: string, min: number, max: number): number | undefined {
    const text = this.text(name, 20)
    if (text === undefined) return undefined
    const n = /^\d+$/.test(text) ? Number(text) : NaN
    if (!Number.isSafeInteger(n) || n < min || n > max) throw Errors.badFilter(name, `must be a whole number from ${min} to ${max}, not "${text}"`)
    return n
  }

  /** One of the values listed. */
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const text = this.text(name, 64)
    if (text === undefined) return undefined
    if (!(values as readonly string[]).includes(text)) throw Errors.badFilter(name, `must be one of ${values.join(', ')}, not "${text}"`)
    return text as T
  }

  /** from ≤ to, when both are given. */
  range(): { from: Date | undefined; to: Date | undefined } {
    const from = this.time('from')
    const to = this.time('to')
    if (from && to && from.getTime() > to.getTime()) throw Errors.badFilter('to', `is before from (${from.toISOString()} > ${to.toISOString()})`)
    return { from, to }
  }

  /** Refuses any filter not in `known`: a misspelt one must not silently widen the search. */
  only(known: readonly string[]): void {
    for (const name of Object.keys(this.query)) {
      if (!known.includes(name)) throw Errors.badFilter(name, `is not a filter here; the filters are ${known.join(', ')}`)
    }
  }
}

/** A keyset cursor: the position after the last row of a page, opaque to clients. */
export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url')
}

/** The parts of a cursor given back, or a 400 naming `after` when it was not one this server gave. */
export function decodeCursor(filters: Filters, name = 'after'): unknown[] | undefined {
  const text = filters.text(name, 512)
  if (text === undefined) return undefined
  try {
    const parts: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
    if (Array.isArray(parts)) return parts
  } catch {
    // Falls through to the coded refusal below.
  }
  throw Errors.badFilter(name, 'is not a cursor this server gave (take `next` from the previous page as it is)')
}
