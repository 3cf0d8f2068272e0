import type { Logger } from 'pino'

/** How long one part may take to stop before the stop goes on without it. */
export const PART_STOP_MS = 10_000

/**
 * Waits for one part's stop, at most `ms`. A clean stop must never hang the
 * process (a pool waiting for a client that is never given back, a socket that
 * never closes): past the bound the part is named in one log line and the stop
 * goes on with the next part.
 */
export async function stopWithin(logger: Logger, part: string, stopping: Promise<unknown> | undefined, ms = PART_STOP_MS): Promise<void> {
  if (!stopping) return
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)))
  try {
    if ((await Promise.race([stopping, late])) === 'late') logger.error({ part, ms }, 'part did not stop in time; stopping the rest without it')
  } catch (err) {
    logger.error({ part, err }, 'part failed to stop; stopping the rest')
  } finally {
    clearTimeout(timer)
  }
}
