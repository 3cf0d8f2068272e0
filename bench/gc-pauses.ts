/**
 * Garbage-collection pauses of this process on the CLOCK_MONOTONIC scale of process.hrtime, so that
 * pauses of two processes can be set against one time window (the queue benchmark asks whether a
 * round that came late met a pause in either process).
 */
import { PerformanceObserver, performance } from 'node:perf_hooks'

/** [start, end] in nanoseconds of process.hrtime.bigint(), as numbers. */
export type Pause = [number, number]

export function watchGcPauses(): { pauses: Pause[]; stop: () => void } {
  // performance.now() counts from the time origin on the same monotonic clock as hrtime.
  const origin = Number(process.hrtime.bigint()) - performance.now() * 1e6
  const pauses: Pause[] = []
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push([origin + entry.startTime * 1e6, origin + (entry.startTime + entry.duration) * 1e6])
  })
  observer.observe({ entryTypes: ['gc'] })
  return { pauses, stop: () => observer.disconnect() }
}

/** Whether any pause overlaps the window [from, to]. */
export function metPause(pauses: readonly Pause[], from: number, to: number): boolean {
  return pauses.some(([start, end]) => start <= to && end >= from)
}
