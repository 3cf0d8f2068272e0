import type { Wait } from './wait.js'

/** One registration of a wait in a heap; stale once the wait left or re-registered (new epoch). */
interface Entry {
  wait: Wait
  epoch: number
}

/** Served first: higher priority, then earlier arrival. */
export function before(a: Wait, b: Wait): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : a.seq < b.seq
}

/**
 * The waits accepting one agent, one team or one skill set, best first (a binary heap). Removal
 * is lazy: an entry whose wait is gone, or registered again since, is dropped when it reaches the
 * top, and the heap is rebuilt without them once they are half of it, so it never grows past
 * twice the waits it holds.
 */
export class WaitHeap {
  private heap: Entry[] = []
  private stale = 0

  get size(): number {
    return this.heap.length - this.stale
  }

  push(wait: Wait): void {
    const heap = this.heap
    heap.push({ wait, epoch: wait.epoch })
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(heap[i]!.wait, heap[parent]!.wait)) break
      swap(heap, i, parent)
      i = parent
    }
  }

  /** One of its entries went stale; rebuilds when half are. */
  forgot(): void {
    this.stale++
    if (this.stale * 2 > this.heap.length && this.heap.length > 8) {
      const live = this.heap.filter(isLive)
      this.heap = []
      this.stale = 0
      for (const e of live) this.push(e.wait)
    }
  }

  /**
   * The best wait that does not exclude `agentId`. Usually the top; when the top excludes the agent
   * (it failed that interaction before), the heap is searched best first below it.
   */
  best(agentId: string): Wait | undefined {
    this.dropStaleTop()
    const heap = this.heap
    const top = heap[0]
    if (top === undefined) return undefined
    if (!top.wait.excluded.has(agentId)) return top.wait
    const frontier = [0]
    let found: Wait | undefined
    while (frontier.length > 0) {
      let k = 0
      for (let j = 1; j < frontier.length; j++) if (before(heap[frontier[j]!]!.wait, heap[frontier[k]!]!.wait)) k = j
      const i = frontier.splice(k, 1)[0]!
      const e = heap[i]!
      if (isLive(e) && !e.wait.excluded.has(agentId)) {
        found = e.wait
        break
      }
      for (const c of [2 * i + 1, 2 * i + 2]) if (c < heap.length) frontier.push(c)
    }
    return found
  }

  /** Live waits, best first (sorts a copy). */
  ordered(): Wait[] {
    return this.heap.filter(isLive).map((e) => e.wait).sort((a, b) => (before(a, b) ? -1 : 1))
  }

  /** Live waits served before `wait`, counted without sorting. */
  ahead(wait: Wait): number {
    let n = 0
    for (const e of this.heap) if (isLive(e) && e.wait !== wait && before(e.wait, wait)) n++
    return n
  }

  private dropStaleTop(): void {
    const heap = this.heap
    while (heap.length > 0 && !isLive(heap[0]!)) {
      const last = heap.pop()!
      this.stale--
      if (heap.length === 0) break
      heap[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < heap.length && before(heap[l]!.wait, heap[m]!.wait)) m = l
        if (r < heap.length && before(heap[r]!.wait, heap[m]!.wait)) m = r
        if (m === i) break
        swap(heap, i, m)
        i = m
      }
    }
  }
}

function isLive(e: Entry): boolean {
  return e.wait.live && e.wait.epoch === e.epoch
}

function swap(heap: Entry[], a: number, b: number): void {
  const t = heap[a]!
  heap[a] = heap[b]!
  heap[b] = t
}
