import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max'

/** Why a number could not be turned into E.164. */
export type PhoneProblem = 'empty' | 'anonymous' | 'too-short' | 'not-a-number' | 'invalid'

export type NormalizedPhone =
  | { ok: true; e164: string; displayName: string | null }
  | { ok: false; problem: PhoneProblem; displayName: string | null; input: string }

// What PBXs and SIP stacks put in the user part for withheld numbers.
const ANONYMOUS = /^(anonymous|restricted|private|unavailable|unknown|withheld|anonymous\.invalid)$/i
const DISPLAY_AND_URI = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^<"]*?))\s*<([^>]*)>/
const URI_SCHEME = /^(sips?|tel):/i
const VISUAL_SEPARATORS = /[\s\-().\/]/g
// Longest E.164 number is 15 digits; anything far longer is garbage, not a phone.
const MAX_INPUT = 256

/**
 * Turns any form of a caller's number into E.164: "+7 916 123-45-67",
 * "8 (916) 123-45-67", "79161234567", "sip:+79161234567@host;user=phone",
 * "tel:+79161234567", with or without a display name ("Anna" <sip:...>).
 * Never throws: anonymous, too short and garbage input come back as a problem.
 */
export function normalizePhone(input: string | null | undefined, defaultCountry: string): NormalizedPhone {
  const raw = (input ?? '').slice(0, MAX_INPUT)
  let text = raw.trim()
  let displayName: string | null = null

  const addressed = DISPLAY_AND_URI.exec(text)
  if (addressed) {
    const name = (addressed[1] ?? addressed[2] ?? '').replace(/\\(.)/g, '$1').trim()
    displayName = name === '' ? null : name
    text = (addressed[3] ?? '').trim()
  }
  text = userPart(text)

  const fail = (problem: PhoneProblem): NormalizedPhone => ({ ok: false, problem, displayName, input: raw })
  if (text === '') return fail('empty')
  if (ANONYMOUS.test(text) || (displayName !== null && ANONYMOUS.test(displayName) && !/\d/.test(text))) {
    return fail('anonymous')
  }

  const compact = text.replace(VISUAL_SEPARATORS, '')
  if (!/^\+?\d+$/.test(compact)) return fail('not-a-number')
  if (compact.replace('+', '').length < 5) return fail('too-short')

  const parsed = internationalBy00(compact) ?? parsePhoneNumberFromString(compact, defaultCountry as CountryCode)
  if (!parsed || !parsed.isValid()) return fail('invalid')
  return { ok: true, e164: parsed.number, displayName }
}

/**
 * `00` is the international prefix in most of the world, so callers and CRMs write it whatever the
 * server's default country is (libphonenumber only knows the default country's own prefix: 810 in
 * Russia, 011 in the US). No country's national numbers start with 00, so reading it as `+` is safe.
 */
function internationalBy00(compact: string) {
  if (!compact.startsWith('00')) return undefined
  const parsed = parsePhoneNumberFromString(`+${compact.slice(2)}`)
  return parsed?.isValid() ? parsed : undefined
}

/** The user part of a sip:/sips:/tel: URI (or the text itself when it is not a URI). */
function userPart(text: string): string {
  if (!URI_SCHEME.test(text)) return text
  const afterScheme = text.replace(URI_SCHEME, '')
  const at = afterScheme.indexOf('@')
  const user = at === -1 ? afterScheme : afterScheme.slice(0, at)
  // tel:+7916...;phone-context=... and sip:user;param@host carry parameters after ';'.
  const semi = user.indexOf(';')
  return decodeURIComponentSafe(semi === -1 ? user : user.slice(0, semi))
}

function decodeURIComponentSafe(text: string): string {
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    // A malformed escape is kept as written; the digit check that follows rejects it.
    return text
  }
}
