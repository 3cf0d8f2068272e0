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

  /** Timers held, moot ones included. */
  get size(): number {
    return this.heap.size
  }

  /**
   * Drops the moot timers once they outnumber the `live` waits twice over (plus some slack, so this
   * runs rarely). A moot timer holds its wait, and so the wait's whole input, until it would have
   * come up: a queue's longest wait of calls that were served or hung up long before.
   */
  compact(live: number): void {
    if (this.heap.size <= 2 * live + COMPACT_SLACK) return
    this.heap.retain((timer, until) => applies(timer, until))
  }

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
      if (applies(due.entry, due.until)) return due.entry
    }
    return undefined
  }
}

/** Moot timers kept before compact() drops them, beyond two per live wait. */
const COMPACT_SLACK = 1024

function applies({ wait, kind }: WaitTimer, until: number): boolean {
  return wait.live && (kind === 'widen' ? wait.widenAt : wait.overflowAt) === until
}
