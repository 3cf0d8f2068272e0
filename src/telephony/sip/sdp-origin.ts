/**
 * A new offer to a party who already has a session with this server: RFC 3264 §8 wants the
 * o= line of every later SDP in the dialog to keep the username, session id and address the
 * party first got, with the version one higher. After a transfer the media comes from another
 * phone whose SDP has its own origin, so the origin is carried over from what the party last
 * got; phones that check it would otherwise refuse the re-INVITE (or treat it as a new session).
 */
export function reoffer(previous: string, next: string): string {
  const before = ORIGIN.exec(previous)
  if (!before || !ORIGIN.test(next)) return next
  const [, username, sessionId, version, rest] = before
  const bumped = (BigInt(version!) + 1n).toString()
  return next.replace(ORIGIN, `o=${username} ${sessionId} ${bumped} ${rest}`)
}

const ORIGIN = /^o=(\S+) (\S+) (\d+) (.+?)\s*$/m

