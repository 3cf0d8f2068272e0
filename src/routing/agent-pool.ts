import type { AgentEntry } from './agent-entry.js'

/**
 * Eligible agents of one team or one skill set, in the orders the strategies read from the front:
 * - `idle`: a Set in insertion order. The index re-inserts an agent each time they enter the pool
 *   (became free, or were offered an interaction), so the front is the longest idle.
 * - by calls today: one such Set per count, the counts kept sorted — fewest calls first, longest
 *   idle within a count (fewest-calls).
 * - `ring`: sorted by registration order, for round-robin (binary search from the cursor) and for
 *   random (pick by position); the orders are kept apart too, so a search reads one compact array.
 * The last two are kept only once a walk has asked for them: every order kept is work on each
 * change of every member, and most pools are only ever walked one way.
 * An entry must leave the pool before its callsToday changes, so its bucket can be found again.
 */
export class AgentPool {
  readonly idle = new Set<AgentEntry>()
  private byCalls: Map<number, Set<AgentEntry>> | undefined
  /** Counts that have a non-empty bucket, ascending. */
  private counts: number[] = []
  private sorted: AgentEntry[] | undefined
  private ords: number[] = []

  get size(): number {
    return this.idle.size
  }

  add(e: AgentEntry): void {
    this.idle.add(e)
    if (this.byCalls !== undefined) this.addByCalls(e)
    if (this.sorted !== undefined) {
      const at = upperBound(this.ords, e.ord)
      this.sorted.splice(at, 0, e)
      this.ords.splice(at, 0, e.ord)
    }
  }

  delete(e: AgentEntry): void {
    if (!this.idle.delete(e)) return
    const bucket = this.byCalls?.get(e.callsToday)
    if (bucket !== undefined) {
      bucket.delete(e)
      if (bucket.size === 0) {
        this.byCalls!.delete(e.callsToday)
        this.counts.splice(lowerBound(this.counts, e.callsToday), 1)
      }
    }
    if (this.sorted !== undefined) {
      const i = upperBound(this.ords, e.ord) - 1
      if (this.sorted[i] === e) {
        this.sorted.splice(i, 1)
        this.ords.splice(i, 1)
      }
    }
  }

  /** Visits members fewest calls today first, longest idle within a count; stops when visit returns true. */
  walkByCalls(visit: (e: AgentEntry) => boolean): boolean {
    if (this.byCalls === undefined) {
      this.byCalls = new Map()
      for (const e of this.idle) this.addByCalls(e)
    }
    for (const count of this.counts) {
      const bucket = this.byCalls.get(count)
      if (bucket === undefined) continue
      for (const e of bucket) if (visit(e)) return true
    }
    return false
  }

  /** Members in registration order. */
  get ring(): readonly AgentEntry[] {
    return this.sortedByOrd()
  }

  /** Position in `ring` of the first member registered after `ord`. */
  after(ord: number): number {
    this.sortedByOrd()
    return upperBound(this.ords, ord)
  }

  private sortedByOrd(): AgentEntry[] {
    if (this.sorted === undefined) {
      this.sorted = [...this.idle].sort((a, b) => a.ord - b.ord)
      this.ords = this.sorted.map((e) => e.ord)
    }
    return this.sorted
  }

  private addByCalls(e: AgentEntry): void {
    let bucket = this.byCalls!.get(e.callsToday)
    if (bucket === undefined) {
      bucket = new Set()
      this.byCalls!.set(e.callsToday, bucket)
      this.counts.splice(lowerBound(this.counts, e.callsToday), 0, e.callsToday)
    }
    bucket.add(e)
  }
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! <= value) lo = mid + 1
    else hi = mid
  }
  return lo
}
