/**
 * Reading SIP addresses (RFC 3261 name-addr / addr-spec) as they arrive in
 * From, P-Asserted-Identity, Remote-Party-ID, Diversion and the Request-URI.
 * Written for hostile input: anything unparseable yields null, never a throw.
 */

/** One address out of a header value. */
export interface NameAddr {
  /** The display name without quotes, or null when none was given. */
  displayName: string | null
  /** The URI inside the angle brackets (or the bare addr-spec). */
  uri: string
  /** The URI's user part (a sip: user or a tel: number), unescaped; null when the URI has none. */
  user: string | null
  /** The URI's host, null for tel: URIs. */
  host: string | null
  /** Header parameters after the address (`;tag=…;privacy=full`), lower-cased names. */
  params: Record<string, string>
}

/** Longest user part taken as a number or name; longer ones are not a caller anybody can route on. */
const MAX_USER_LENGTH = 128

/** Splits a header value at the commas that separate addresses (not those inside quotes or <>). */
export function splitAddresses(value: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < value.length; i++) {
    const c = value[i]
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted
    else if (!quoted && c === '<') depth++
    else if (!quoted && c === '>') depth = Math.max(0, depth - 1)
    else if (!quoted && depth === 0 && c === ',') {
      parts.push(value.slice(start, i))
      start = i + 1
    }
  }
  parts.push(value.slice(start))
  return parts.map((p) => p.trim()).filter((p) => p.length > 0)
}

/** Parses one name-addr (`"Anna" <sip:+7916…@host>;tag=1`) or addr-spec (`sip:1001@host;tag=1`). */
export function parseNameAddr(text: string): NameAddr | null {
  const value = text.trim()
  let displayName: string | null = null
  let uri: string
  let rest: string
  const open = value.indexOf('<')
  if (open >= 0) {
    const close = value.indexOf('>', open)
    if (close < 0) return null
    displayName = readDisplayName(value.slice(0, open))
    uri = value.slice(open + 1, close).trim()
    rest = value.slice(close + 1)
  } else {
    // Without brackets the header parameters follow the URI: `sip:a@b;tag=1` — the tag is the header's.
    const semi = value.indexOf(';')
    uri = semi >= 0 ? value.slice(0, semi) : value
    rest = semi >= 0 ? value.slice(semi) : ''
  }
  const parsed = parseUri(uri)
  if (!parsed) return null
  return { displayName, uri, user: parsed.user, host: parsed.host, params: readParams(rest) }
}

/** The user and host of a sip:, sips: or tel: URI; null when it is none of them. */
export function parseUri(uri: string): { user: string | null; host: string | null } | null {
  const match = /^(sips?|tel):(.+)$/i.exec(uri.trim())
  if (!match) return null
  const scheme = match[1]!.toLowerCase()
  const body = match[2]!
  if (scheme === 'tel') {
    const number = body.split(';')[0]!
    return number ? { user: unescape(number), host: null } : null
  }
  const at = body.lastIndexOf('@')
  const hostPart = (at >= 0 ? body.slice(at + 1) : body).split(/[;?]/)[0]!
  if (!hostPart) return null
  // A user part may carry its own parameters (`+7916…;npdi`): the number is what precedes them.
  const userPart = at >= 0 ? body.slice(0, at).split(':')[0]!.split(';')[0]! : ''
  const user = userPart ? unescape(userPart) : null
  if (user !== null && user.length > MAX_USER_LENGTH) return null
  return { user, host: hostPart }
}

function readDisplayName(text: string): string | null {
  let name = text.trim()
  if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1).replace(/\\(.)/g, '$1')
  name = name.trim()
  return name.length > 0 ? name : null
}

function readParams(text: string): Record<string, string> {
  const params: Record<string, string> = {}
  for (const part of text.split(';')) {
    const [name, ...value] = part.split('=')
    const key = name?.trim().toLowerCase()
    if (key) params[key] = value.join('=').trim().replace(/^"(.*)"$/, '$1')
  }
  return params
}

function unescape(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch (err) {
    // A stray % is not worth refusing a call over: keep the text as it came.
    if (err instanceof URIError) return text
    throw err
  }
}
