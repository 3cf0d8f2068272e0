import type { AgentEntry } from './agent-entry.js'

/**
 * Eligible agents of one team or one skill, kept in three orders at once so that every strategy
 * reads its answer from the front instead of scanning:
 * - `idle`: a Set in insertion order. The index re-inserts an agent each time they enter the pool
 *   (became free, or were offered an interaction), so the front is the longest idle.
 * - `byCalls`: one such Set per calls-today count, with the counts kept sorted — fewest calls first,
 *   longest idle within a count.
 * - `ring`: sorted by registration order, for round-robin (binary search from the cursor) and for
 *   random (pick by position).
 * An entry must leave the pool before its callsToday changes, so its bucket can be found again.
 */
export class AgentPool {
  readonly idle = new Set<AgentEntry>()
  readonly ring: AgentEntry[] = []
  private readonly byCalls = new Map<number, Set<AgentEntry>>()
  /** Counts that have a non-empty bucket, ascending. */
  private readonly counts: number[] = []

  get size(): number {
    return this.ring.length
  }

  add(e: AgentEntry): void {
    this.idle.add(e)
    let bucket = this.byCalls.get(e.callsToday)
    if (bucket === undefined) {
      bucket = new Set()
      this.byCalls.set(e.callsToday, bucket)
      this.counts.splice(lowerBound(this.counts, e.callsToday), 0, e.callsToday)
    }
    bucket.add(e)
    this.ring.splice(ordUpperBound(this.ring, e.ord), 0, e)
  }

  delete(e: AgentEntry): void {
    if (!this.idle.delete(e)) return
    const bucket = this.byCalls.get(e.callsToday)
    if (bucket !== undefined) {
      bucket.delete(e)
      if (bucket.size === 0) {
        this.byCalls.delete(e.callsToday)
        this.counts.splice(lowerBound(this.counts, e.callsToday), 1)
      }
    }
    const i = ordUpperBound(this.ring, e.ord) - 1
    if (this.ring[i] === e) this.ring.splice(i, 1)
  }

  /** Visits members fewest calls today first, longest idle within a count; stops when visit returns true. */
  walkByCalls(visit: (e: AgentEntry) => boolean): boolean {
    for (const count of this.counts) {
      const bucket = this.byCalls.get(count)
      if (bucket === undefined) continue
      for (const e of bucket) if (visit(e)) return true
    }
    return false
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

/** First position in `ring` whose ord is greater than `ord`. */
export function ordUpperBound(ring: readonly AgentEntry[], ord: number): number {
  let lo = 0
  let hi = ring.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (ring[mid]!.ord <= ord) lo = mid + 1
    else hi = mid
  }
  return lo
}
