import type { AgentEntry } from '../agent-entry.js'
import type { SkillSetPool } from '../skill-sets.js'
import type { QueueSettings } from './types.js'
import type { Wait } from './wait.js'
import { Groups } from './groups.js'
import { WaitTimers, type WaitTimer } from './wait-timers.js'
import { before, WaitHeap } from './wait-heap.js'

/**
 * The waiting interactions, indexed by what they accept: one heap per agent (owner, last-agent and
 * named-agent steps), per team and per skill set, each best first. A freed agent looks at the
 * tops of the few heaps that can hold a wait accepting them — their own, their team's, their skill
 * sets' — so picking never looks at waits for other agents. Also the timers and per-queue lists.
 */
export class WaitingRoom {
  /** Heaps by key ('a:<agent>', 't:<team>', 's:<skill set>'), and the same heaps by name for each kind, so a pick looks up the agent's own strings. */
  private readonly heaps = new Map<string, WaitHeap>()
  private readonly byKind: Record<string, Map<string, WaitHeap>> = { a: new Map(), t: new Map(), s: new Map() }
  private readonly byId = new Map<string, Wait>()
  private readonly byCustomer = new Groups<Wait>()
  private readonly byQueue = new Groups<Wait>()
  private readonly timers = new WaitTimers()
  private seq = 0

  get size(): number {
    return this.byId.size
  }

  nextSeq(): number {
    return ++this.seq
  }

  get(id: string): Wait | undefined {
    return this.byId.get(id)
  }

  waitingIn(queue: string): number {
    return this.byQueue.size(queue)
  }

  /** The waits of one queue (unordered), or undefined when nobody waits there. */
  queue(name: string): ReadonlySet<Wait> | undefined {
    return this.byQueue.get(name)
  }

  queueNames(): IterableIterator<string> {
    return this.byQueue.names()
  }

  ofCustomer(customerId: string): Wait[] {
    return [...(this.byCustomer.get(customerId) ?? [])]
  }

  heap(key: string): WaitHeap | undefined {
    return this.heaps.get(key)
  }

  /** Starts waiting: registered under `w.keys`, timers set from widenAt and overflowAt. */
  add(w: Wait): void {
    this.byId.set(w.id, w)
    this.byQueue.add(w.queue.name, w)
    if (w.customer !== null) this.byCustomer.add(w.customer.id, w)
    for (const key of w.keys) this.heapOf(key).push(w)
    this.schedule(w)
  }

  /** Registers under more keys (a widening); the old ones stay. */
  widen(w: Wait, keys: string[], main: string | null): void {
    for (const key of keys) {
      if (w.keys.includes(key)) continue
      w.keys.push(key)
      this.heapOf(key).push(w)
    }
    w.mainKey = main
    this.timers.widen(w)
  }

  /** Registers anew under `keys` (its customer changed), keeping priority and arrival. */
  rekey(w: Wait, keys: string[], main: string | null): void {
    w.epoch++
    this.forget(w)
    w.keys = keys
    w.mainKey = main
    for (const key of keys) this.heapOf(key).push(w)
  }

  /** Moves to another queue (an overflow): its longest wait counts from now. */
  move(w: Wait, queue: QueueSettings, now: number): void {
    this.byQueue.delete(w.queue.name, w)
    w.queue = queue
    w.queueSince = now
    w.overflowAt = now + queue.maxWaitSeconds * 1000
    this.byQueue.add(queue.name, w)
    this.schedule(w)
  }

  /** Stops waiting (served, ended, overflowed). */
  remove(w: Wait): void {
    if (!w.live) return
    w.live = false
    this.forget(w)
    this.byId.delete(w.id)
    this.byQueue.delete(w.queue.name, w)
    if (w.customer !== null) this.byCustomer.delete(w.customer.id, w)
    this.timers.compact(this.byId.size)
  }

  /** Timers held, moot ones included (bounded by compaction). */
  get timersHeld(): number {
    return this.timers.size
  }

  /** The wait this agent should take: the best of the tops of the heaps that may accept them (their own, their team's, their skill sets'). */
  pick(e: AgentEntry<SkillSetPool>): Wait | undefined {
    if (this.byId.size === 0) return undefined
    const id = e.profile.id
    let best = this.byKind.a!.get(id)?.best(id)
    if (e.profile.team !== null) best = better(best, this.byKind.t!.get(e.profile.team)?.best(id))
    const sets = this.byKind.s!
    if (sets.size > 0) for (const set of e.skillSets) best = better(best, sets.get(set.key)?.best(id))
    return best
  }

  /** When the next timer is due (it may since have become moot), or null. */
  nextDue(): number | null {
    return this.timers.next()
  }

  /** The next timer due at or before `now` that still applies, or undefined. */
  popDue(now: number): WaitTimer | undefined {
    return this.timers.popDue(now)
  }

  private schedule(w: Wait): void {
    this.timers.widen(w)
    this.timers.overflow(w)
  }

  private heapOf(key: string): WaitHeap {
    let heap = this.heaps.get(key)
    if (heap === undefined) {
      this.heaps.set(key, (heap = new WaitHeap()))
      this.byKind[key[0]!]!.set(key.slice(2), heap)
    }
    return heap
  }

  /** Its heap entries have gone stale (it left, or its epoch moved on): counted; heaps left empty are dropped. */
  private forget(w: Wait): void {
    for (const key of w.keys) {
      const heap = this.heaps.get(key)
      if (heap === undefined) continue
      heap.forgot()
      if (heap.size === 0) {
        this.heaps.delete(key)
        this.byKind[key[0]!]!.delete(key.slice(2))
      }
    }
  }
}

/** The one served first of two candidates, either of which may be missing. */
function better(a: Wait | undefined, b: Wait | undefined): Wait | undefined {
  if (b === undefined) return a
  return a === undefined || before(b, a) ? b : a
}
