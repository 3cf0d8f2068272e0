import type { AgentEntry } from './agent-entry.js'

interface Due {
  until: number
  entry: AgentEntry
}

/**
 * Wrap-ups ordered by when they end (a binary min-heap). The core has no timers: the index drains
 * this queue whenever it is told the time. An entry whose agent has since left wrap-up (or started
 * another) is stale; the index recognises that by comparing `until` with the agent's wrapUpUntil.
 */
export class WrapUpQueue {
  private readonly heap: Due[] = []

  push(entry: AgentEntry, until: number): void {
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

  /** Removes and returns the earliest wrap-up if it ends at or before `now`. */
  popDue(now: number): Due | undefined {
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

function swap(heap: Due[], a: number, b: number): void {
  const t = heap[a]!
  heap[a] = heap[b]!
  heap[b] = t
}
