import { isConnectionError } from '../errors.js'

/**
 * SQLSTATE classes that come from the values written: the same write fails the
 * same way however often it is tried. 22 data exception (a number out of range,
 * a bad date, a NUL byte), 23 integrity constraint, 54 a value past a limit.
 */
const OWN_FAULT_CLASSES = new Set(['22', '23', '54'])

/** The driver's and pool's words for "not usable right now", which carry no SQLSTATE. */
const DRIVER_NOT_USABLE = /not queryable|Connection terminated|timeout exceeded|Query read timeout|pool after calling end|has already been destroyed|Connection ended/i

/**
 * True when a failed write is the written thing's own fault and can never
 * succeed as it stands: a SQLSTATE of class 22, 23 or 54, or an error raised
 * here by the work itself (a value that cannot be sent, a coded refusal).
 * Anything else is the database's state at the moment — read-only (25006), no
 * privilege (42501), disk full (53100), too many connections (53300), a
 * serialization failure or deadlock (40001, 40P01), a shutdown (57P01), a lost
 * connection, a table not migrated yet — and passes: the write is kept and
 * tried again.
 */
export function isOwnFault(err: unknown): boolean {
  const code = sqlState(err)
  if (code !== null) return OWN_FAULT_CLASSES.has(code.slice(0, 2))
  if (isConnectionError(err)) return false
  return !(err instanceof Error && DRIVER_NOT_USABLE.test(err.message))
}

/** The error's SQLSTATE when PostgreSQL gave one. */
export function sqlState(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code
  // Every SQLSTATE class starts with a digit but F0, HV, P0 and XX; errno codes (EPIPE) are not SQLSTATEs.
  return typeof code === 'string' && /^([0-9][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/.test(code) ? code : null
}

/** "25006 cannot execute INSERT in a read-only transaction", for logs and /ready. */
export function describeWriteError(err: unknown): string {
  const code = sqlState(err)
  const message = err instanceof Error ? err.message : String(err)
  return code ? `${code} ${message}` : message
}
