import type { AgentIndex } from '../agent-index.js'
import { estimateSeconds } from './handle-times.js'
import type { WaitingRoom } from './room.js'
import type { QueuedCall, QueuedPosition, QueueSettings, QueueSnapshot } from './types.js'
import { loggedInFor, stepKey, type Wait } from './wait.js'
import { before } from './wait-heap.js'

/**
 * Positions and estimates. A wait's position is counted in the heap of its current stage's widest
 * step (the last with anyone to accept), among everyone registered there: those competing for the
 * same agents. Lists made for many waits at once sort each heap once and count agents once per key.
 */
export class Positions {
  private readonly ranks = new Map<string, Map<Wait, number>>()
  private readonly agents = new Map<string, number>()

  constructor(
    private readonly room: WaitingRoom,
    private readonly index: AgentIndex,
    private readonly meanHandleMs: number,
    private readonly now: number,
    /** Rank every heap once (lists), rather than count the one wait's (single look-ups). */
    private readonly many: boolean
  ) {}

  of(w: Wait): QueuedPosition {
    const position = this.rank(w)
    return {
      queue: w.queue.name,
      position,
      estimatedWaitSeconds: estimateSeconds(position, this.agentsFor(w), this.meanHandleMs),
      waitedMs: Math.max(0, this.now - w.parkedAt),
      priority: w.priority,
      kind: w.kind
    }
  }

  private rank(w: Wait): number {
    const heap = w.mainKey === null ? undefined : this.room.heap(w.mainKey)
    if (heap === undefined) return 1
    if (!this.many) return 1 + heap.ahead(w)
    let ranks = this.ranks.get(w.mainKey!)
    if (ranks === undefined) {
      ranks = new Map(heap.ordered().map((x, i) => [x, i + 1]))
      this.ranks.set(w.mainKey!, ranks)
    }
    return ranks.get(w) ?? 1
  }

  /** Logged-in agents of the wait's widest step (the one its position is counted for). */
  private agentsFor(w: Wait): number {
    const key = w.mainKey
    if (key === null) return 0
    let n = this.agents.get(key)
    if (n === undefined) {
      const steps = w.match.rule.steps
      n = 0
      for (let i = w.stages[w.stage]! - 1; i >= 0; i--) {
        if (stepKey(steps[i]!, w.customer, w.product, this.now) !== key) continue
        n = loggedInFor(steps[i]!, w, this.index, this.now)
        break
      }
      this.agents.set(key, n)
    }
    return n
  }
}

/** Every queue configured or with someone waiting, its calls best first. */
export function snapshots(room: WaitingRoom, positions: Positions, configured: Iterable<QueueSettings>, now: number): QueueSnapshot[] {
  const byName = new Map<string, QueueSettings>()
  for (const q of configured) byName.set(q.name, q)
  for (const name of room.queueNames()) if (!byName.has(name)) byName.set(name, [...room.queue(name)!][0]!.queue)
  const out: QueueSnapshot[] = []
  for (const [name, settings] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const waits = [...(room.queue(name) ?? [])].sort((a, b) => (before(a, b) ? -1 : 1))
    const calls: QueuedCall[] = waits.map((w) => {
      const p = positions.of(w)
      return { interactionId: w.id, position: p.position, priority: w.priority, waitedMs: p.waitedMs, estimatedWaitSeconds: p.estimatedWaitSeconds, kind: w.kind }
    })
    const longest = waits.reduce((m, w) => Math.max(m, now - w.parkedAt), 0)
    out.push({ name, settings, waiting: waits.length, longestWaitMs: longest, calls })
  }
  return out
}
