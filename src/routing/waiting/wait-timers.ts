import { WrapUpQueue } from '../wrap-up-queue.js'
import type { Wait } from './wait.js'

/** A wait's timer: its stage widens, or its queue's longest wait is reached. */
export interface WaitTimer {
  wait: Wait
  kind: 'widen' | 'overflow'
}

/**
 * The waits' timers, earliest first. A timer whose wait has left, widened or moved since it was
 * set is moot and skipped: it applies only while its time is still the wait's widenAt or overflowAt.
 */
export class WaitTimers {
  private readonly heap = new WrapUpQueue<WaitTimer>()

  widen(w: Wait): void {
    if (w.widenAt !== null) this.heap.push({ wait: w, kind: 'widen' }, w.widenAt)
  }

  overflow(w: Wait): void {
    this.heap.push({ wait: w, kind: 'overflow' }, w.overflowAt)
  }

  /** When the earliest timer is due (it may be moot), or null. */
  next(): number | null {
    return this.heap.nextUntil() ?? null
  }

  /** The next timer due at or before `now` that still applies, or undefined. */
  popDue(now: number): WaitTimer | undefined {
    for (let due = this.heap.popDue(now); due !== undefined; due = this.heap.popDue(now)) {
      const { wait, kind } = due.entry
      if (wait.live && (kind === 'widen' ? wait.widenAt : wait.overflowAt) === due.until) return due.entry
    }
    return undefined
  }
}
