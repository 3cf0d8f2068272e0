import { isEligible, type AgentEntry } from '../agent-entry.js'
import type { SkillSetPool } from '../skill-sets.js'
import type { CustomerSummary, RouteDecision, RuleSet } from '../types.js'
import { arrive, notWaitable, type Place } from './arrival.js'
import { overflow, widen } from './timeouts.js'
import { HandleTimes } from './handle-times.js'
import { queueTrace, seconds, type DeskHost } from './host.js'
import { Positions, snapshots } from './report.js'
import { WaitingRoom } from './room.js'
import type { QueuedPosition, QueueServed, QueueSnapshot, QueueTimeout } from './types.js'
import { keysOf, type Wait } from './wait.js'

/** Tries per freed agent and per serving pass: an agent with room for several takes several. */
const MAX_PICKS_PER_AGENT = 64

/**
 * The waiting queue's logic on top of the WaitingRoom: arrivals, serving freed agents, widening
 * and overflow when their time comes, call-backs keeping their place, customers changing owner.
 * Driven by the CallRouter, which owns the interactions and reservations (the DeskHost).
 */
export class QueueDesk {
  readonly room = new WaitingRoom()
  readonly handleTimes: HandleTimes
  private pending: QueueServed[] = []
  /** Agents who may have room since serving last ran; only kept while someone waits. */
  private freed = new Set<AgentEntry<SkillSetPool>>()
  private spare = new Set<AgentEntry<SkillSetPool>>()
  private rules: RuleSet | null = null

  constructor(readonly host: DeskHost, initialHandleSeconds: number) {
    this.handleTimes = new HandleTimes(initialHandleSeconds * 1000)
  }

  /** Routes an interaction, parking it when its rule says to wait. `place` keeps an earlier place in line. */
  route(id: string, place: Place | null): RouteDecision {
    this.rules = this.host.input(id).rules
    this.collect()
    return arrive(this.host, this.room, id, (w) => this.positionOf(w), place)
  }

  private collect(): void {
    const freed = this.host.index.takeFreed()
    if (this.room.size === 0) this.freed.clear()
    else for (const e of freed) this.freed.add(e)
  }

  /** Serves every agent freed since the last pass; returns everything served since the last call. */
  serve(): QueueServed[] {
    this.serveFreed()
    const out = this.pending
    this.pending = []
    return out
  }

  /** Freed agents take their next waits; results are kept for serve(). */
  serveFreed(): void {
    this.collect()
    // Swapped rather than copied: agents freed while serving are served on the next pass.
    const freed = this.freed
    this.freed = this.spare
    this.spare = freed
    for (const e of freed) {
      let failed: Wait | undefined
      for (let i = 0; i < MAX_PICKS_PER_AGENT && isEligible(e); i++) {
        const w = this.room.pick(e)
        if (w === undefined || w === failed) break
        const served = this.offer(w, `agent ${e.profile.id} became free`)
        if (served !== null) this.pending.push(served)
        else {
          // What it was registered under no longer applies (a last contact grew too old, say).
          this.refresh(w)
          failed = w
        }
      }
    }
    freed.clear()
  }

  /**
   * Widenings and overflows due by `now`, taken in time order with the wrap-ups that end meanwhile
   * (an agent out of wrap-up before a wait widens is served before it widens).
   */
  due(now: number): QueueTimeout[] {
    const out: QueueTimeout[] = []
    for (;;) {
      const timer = this.room.nextDue()
      if (timer === null || timer > now) break
      const wrapUp = this.host.index.nextWrapUpEnd()
      if (wrapUp !== null && wrapUp < timer) this.host.index.tick(wrapUp)
      this.serveFreed()
      const t = this.room.popDue(timer)
      if (t !== undefined) out.push(t.kind === 'widen' ? widen(this, t.wait, now) : overflow(this, t.wait, now))
    }
    this.host.index.tick(now)
    this.serveFreed()
    return out
  }

  nextDueAt(): number | null {
    if (this.room.size === 0) return null
    const timer = this.room.nextDue()
    const wrapUp = this.host.index.nextWrapUpEnd()
    return timer === null ? wrapUp : wrapUp === null ? timer : Math.min(timer, wrapUp)
  }

  positionOf(w: Wait, many = false): QueuedPosition {
    const now = this.host.env.now()
    return new Positions(this.room, this.host.index, this.handleTimes.meanMs, now, many).of(w)
  }

  positions(): Map<string, QueuedPosition> {
    const p = new Positions(this.room, this.host.index, this.handleTimes.meanMs, this.host.env.now(), true)
    const out = new Map<string, QueuedPosition>()
    for (const name of [...this.room.queueNames()]) for (const w of this.room.queue(name)!) out.set(w.id, p.of(w))
    return out
  }

  snapshots(now: number): QueueSnapshot[] {
    const p = new Positions(this.room, this.host.index, this.handleTimes.meanMs, now, true)
    return snapshots(this.room, p, this.rules?.queues?.values() ?? [], now)
  }

  keepPlace(id: string): QueuedPosition | null {
    const w = this.room.get(id)
    if (w === undefined) return null
    w.kind = 'callback'
    this.host.setKind(id, 'callback')
    return this.positionOf(w)
  }

  customerChanged(customerId: string, customer: CustomerSummary): QueueServed[] {
    const out: QueueServed[] = []
    for (const w of this.room.ofCustomer(customerId)) {
      w.customer = customer
      this.host.setCustomer(w.id, customer)
      this.refresh(w)
      const served = this.offer(w, `customer ${customerId} changed`)
      if (served !== null) out.push(served)
      else if (w.stage < w.stages.length - 1) {
        // Waiting for a step's agents: a new owner who is away or offline is not waited for.
        const step = w.match.rule.steps[w.stages[w.stage]! - 1]!
        const now = this.host.env.now()
        if (notWaitable(step, w, this.host, this.host.input(w.id), now) !== null) {
          const t = widen(this, w, now)
          if (t.kind === 'widened' && t.served !== null) out.push(t.served)
        }
      }
    }
    return out
  }

  /** Registers the wait again under what its current stage accepts now. */
  private refresh(w: Wait): void {
    const now = this.host.env.now()
    const { keys, main } = keysOf(w, w.stages[w.stage]!, now)
    this.room.rekey(w, keys, main)
  }

  /** Offers the wait to its current stage's agents; when one is reserved it leaves the queue. */
  offer(w: Wait, why: string): QueueServed | null {
    const d = this.host.offer(w.id, w.stages[w.stage]!, w.match)
    const target = d.targets[0]
    if (target === undefined) return null
    const now = this.host.env.now()
    this.room.remove(w)
    const waitedMs = now - w.parkedAt
    const note = `${why}; picked at priority ${w.priority}, the first in line for this agent; waited ${seconds(waitedMs)} s`
    // The decision was made for this offer alone, so its trace is added to in place.
    d.trace.steps.push(queueTrace(w.match.rule.name, `queue ${w.queue.name}`, note, [target.agentId]))
    return { interactionId: w.id, decision: d, queue: w.queue.name, waitedMs, kind: w.kind }
  }
}
