/**
 * PostgreSQL refuses a NUL byte in text and jsonb, and jsonb refuses an
 * unpaired surrogate; either would lose a whole record. Strings from SIP or AMI
 * can carry both, so they are removed (NUL) or replaced (U+FFFD) as the last
 * thing before a write.
 */
export function writableText(text: string): string {
  const clean = text.includes('\u0000') ? text.replaceAll('\u0000', '') : text
  return LONE_SURROGATE.test(clean) ? clean.replace(LONE_SURROGATES, '\uFFFD') : clean
}

// String.prototype.isWellFormed is not in the ES2022 library this project compiles against.
const LONE = '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]'
const LONE_SURROGATE = new RegExp(LONE)
const LONE_SURROGATES = new RegExp(LONE, 'g')

// A character class finds a string that might need cleaning far faster than the lookarounds above;
// almost no string has a NUL or a surrogate, so most stop here.
const SUSPECT = /[\u0000\uD800-\uDFFF]/

function isWritable(text: string): boolean {
  return !SUSPECT.test(text) || (!text.includes('\u0000') && !LONE_SURROGATE.test(text))
}

/**
 * The value with every string in it (object keys included) made writable; the
 * same object when nothing needed it, so the common case allocates nothing.
 */
export function writableValue<T>(value: T): T {
  return clean(value, 0) as T
}

// Deeper than any record or trace goes; past it values are left as they are.
const MAX_DEPTH = 64

function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return isWritable(value) ? value : writableText(value)
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null
    for (let i = 0; i < value.length; i++) {
      const item = clean(value[i], depth + 1)
      if (item !== value[i]) (copy ??= value.slice())[i] = item
    }
    return copy ?? value
  }
  if (!isPlainObject(value)) return value
  let copy: Record<string, unknown> | null = null
  // for…in with an own-property check: Object.entries would allocate an array per object.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    const item = (value as Record<string, unknown>)[key]
    const cleanKey = isWritable(key) ? key : writableText(key)
    const cleanItem = clean(item, depth + 1)
    if (cleanKey !== key || cleanItem !== item) {
      copy ??= { ...(value as Record<string, unknown>) }
      if (cleanKey !== key) delete copy[key]
      copy[cleanKey] = cleanItem
    }
  }
  return copy ?? value
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
