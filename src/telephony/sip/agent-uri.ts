import { parseUri } from './name-addr.js'

/**
 * The SIP URI to ring an agent at, from the address the CRM holds: a sip:/sips:
 * URI as it is, a tel: URI or an extension at the PBX's host. Null when the
 * address cannot be made into a URI (the offer then fails as unreachable).
 */
export function agentUri(address: string, pbxHost: string): string | null {
  const trimmed = address.trim()
  if (/^sips?:/i.test(trimmed)) return parseUri(trimmed) ? trimmed : null
  const number = /^tel:/i.test(trimmed) ? (parseUri(trimmed)?.user ?? '') : trimmed
  if (!/^[A-Za-z0-9+*#._-]{1,64}$/.test(number)) return null
  return `sip:${number}@${pbxHost}`
}

/** Contact header value for a 302: the targets in order, with q-values falling from 1 so the PBX tries them in that order. */
export function contactList(uris: readonly string[]): string {
  const step = uris.length > 1 ? Math.min(0.1, 0.9 / (uris.length - 1)) : 0
  return uris.map((uri, i) => `<${uri}>;q=${formatQ(1 - i * step)}`).join(', ')
}

function formatQ(q: number): string {
  return String(Math.round(q * 1000) / 1000).replace(/^1$/, '1.0')
}
