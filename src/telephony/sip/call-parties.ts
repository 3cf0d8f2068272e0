import { parseNameAddr, parseUri, splitAddresses, type NameAddr } from './name-addr.js'

/** Read access to a SIP request's headers, as drachtio-srf's request offers it. */
export interface SipHeaders {
  /** The header's value (repeated headers joined with commas), or undefined when absent. */
  get(name: string): string | undefined
  /** The Request-URI. */
  uri: string
}

/** Who is calling, as far as the SIP request says. */
export interface CallerParty {
  /** The number (or user) to identify the caller by; null when withheld or absent. */
  number: string | null
  /** The display name, for the agent's card; null when none or withheld. */
  name: string | null
  /** Which header the identity came from. */
  source: 'p-asserted-identity' | 'remote-party-id' | 'from' | null
  /** True when the caller asked for privacy or called as anonymous. */
  withheld: boolean
}

/** Header values longer than this are ignored: no identity needs them, and they are not worth parsing. */
const MAX_IDENTITY_HEADER = 1024

const ANONYMOUS_USERS = new Set(['anonymous', 'restricted', 'unknown', 'unavailable', 'private', 'withheld'])

/**
 * The caller: P-Asserted-Identity (set by a trusted network), then Remote-Party-ID, then From.
 * `Privacy: id` (or header/user), RPID `privacy=full|uri`, and anonymous URIs withhold the number.
 * Returns null only when the From header itself is missing or unreadable.
 */
export function readCaller(headers: SipHeaders): CallerParty | null {
  const from = firstAddress(headers.get('From'))
  if (!from) return null
  const privacy = (headers.get('Privacy') ?? '').toLowerCase()
  const privacyAsked = /\b(id|header|user)\b/.test(privacy)
  const pai = addresses(headers.get('P-Asserted-Identity')).find((a) => a.user !== null)
  const rpid = firstAddress(headers.get('Remote-Party-ID'))
  const rpidPrivacy = rpid?.params.privacy?.toLowerCase() ?? 'off'
  let chosen: { addr: NameAddr; source: CallerParty['source'] }
  if (pai) chosen = { addr: pai, source: 'p-asserted-identity' }
  else if (rpid && rpid.user !== null) chosen = { addr: rpid, source: 'remote-party-id' }
  else chosen = { addr: from, source: 'from' }
  const anonymous = isAnonymous(chosen.addr) || (chosen.source !== 'from' && isAnonymous(from) && privacyAsked)
  const withheld = privacyAsked || anonymous || (chosen.source === 'remote-party-id' && (rpidPrivacy === 'full' || rpidPrivacy === 'uri'))
  // The name is shown on the agent's card: From's display name when the identity header has none.
  const name = chosen.addr.displayName ?? (chosen.source !== 'from' ? from.displayName : null)
  const nameWithheld = withheld || (chosen.source === 'remote-party-id' && rpidPrivacy === 'name')
  return {
    number: withheld ? null : chosen.addr.user,
    name: nameWithheld || (name !== null && ANONYMOUS_USERS.has(name.toLowerCase())) ? null : name,
    source: withheld ? null : chosen.source,
    withheld
  }
}

/**
 * The number the caller dialed: from the configured header (e.g. Diversion, for calls forwarded
 * to us, or To) when it carries a user, else the Request-URI's user, else To's.
 */
export function readDialed(headers: SipHeaders, dialedHeader: string | null): string | null {
  if (dialedHeader) {
    const configured = firstAddress(headers.get(dialedHeader))
    if (configured?.user) return configured.user
  }
  const requestUser = parseUri(headers.uri)?.user
  if (requestUser) return requestUser
  return firstAddress(headers.get('To'))?.user ?? null
}

function addresses(value: string | undefined): NameAddr[] {
  if (value === undefined || value.length > MAX_IDENTITY_HEADER) return []
  const parsed: NameAddr[] = []
  for (const part of splitAddresses(value)) {
    const addr = parseNameAddr(part)
    if (addr) parsed.push(addr)
  }
  return parsed
}

function firstAddress(value: string | undefined): NameAddr | null {
  return addresses(value)[0] ?? null
}

function isAnonymous(addr: NameAddr): boolean {
  if (addr.host?.toLowerCase() === 'anonymous.invalid') return true
  return addr.user !== null && ANONYMOUS_USERS.has(addr.user.toLowerCase())
}
