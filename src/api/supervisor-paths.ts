/**
 * Paths under /v1 that a supervisor's token opens as well as the admin token:
 * the wallboard's data, the supervisor's own actions, call history and the
 * waiting queues. Everything else under /v1 stays admin-only (admin-auth.ts).
 * The wallboard's socket checks its token itself (it closes with 4401).
 */
export const SUPERVISOR_PATHS: readonly RegExp[] = [/^\/v1\/supervisor(\/.*)?$/, /^\/v1\/wallboard(\/.*)?$/, /^\/v1\/calls(\/.*)?$/, /^\/v1\/queues$/]

/** The wallboard's WebSocket: it authenticates by close code, not by the HTTP hook. */
export const WALLBOARD_SOCKET_PATH = '/v1/wallboard/socket'

export function isSupervisorPath(path: string): boolean {
  return SUPERVISOR_PATHS.some((pattern) => pattern.test(path))
}
