import type { AgentEntry } from './agent-entry.js'

interface Due<T> {
  until: number
  entry: T
}

/**
 * Wrap-ups ordered by when they end (a binary min-heap). The core has no timers: the index drains
 * this queue whenever it is told the time. An entry whose agent has since left wrap-up (or started
 * another) is stale; the index recognises that by comparing `until` with the agent's wrapUpUntil.
 * Outside the core, a timer keeps one keyed by agent id to tell the index the time when one is due.
 */
export class WrapUpQueue<T = AgentEntry> {
  private readonly heap: Due<T>[] = []

  get size(): number {
    return this.heap.length
  }

  /** When the earliest wrap-up ends, or undefined when none is queued. */
  nextUntil(): number | undefined {
    return this.heap[0]?.until
  }

  push(entry: T, until: number): void {
    const heap = this.heap
    heap.push({ until, entry })
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (heap[parent]!.until <= heap[i]!.until) break
      swap(heap, i, parent)
      i = parent
    }
  }

  /** Keeps only the entries `keep` accepts, in heap order again (n log n: each kept entry is pushed anew). */
  retain(keep: (entry: T, until: number) => boolean): void {
    const kept = this.heap.filter((due) => keep(due.entry, due.until))
    this.heap.length = 0
    for (const due of kept) this.push(due.entry, due.until)
  }

  /** Removes and returns the earliest wrap-up if it ends at or before `now`. */
  popDue(now: number): Due<T> | undefined {
    const heap = this.heap
    const top = heap[0]
    if (top === undefined || top.until > now) return undefined
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let min = i
        if (l < heap.length && heap[l]!.until < heap[min]!.until) min = l
        if (r < heap.length && heap[r]!.until < heap[min]!.until) min = r
        if (min === i) break
        swap(heap, i, min)
        i = min
      }
    }
    return top
  }
}

function swap<T>(heap: Due<T>[], a: number, b: number): void {
  const t = heap[a]!
  heap[a] = heap[b]!
  heap[b] = t
}
