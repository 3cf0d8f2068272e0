import { enter, notWaitable } from './arrival.js'
import type { QueueDesk } from './desk.js'
import { seconds, settingsOf, stepLabel } from './host.js'
import type { QueueTimeout } from './types.js'
import { keysOf, type Wait } from './wait.js'

/*
 * What happens to a waiting interaction when its time comes: a stage's wait runs out (widening),
 * or the queue's longest wait is reached (overflow).
 */

/** The wait for a stage ran out: the next steps are offered, then waited for. */
export function widen(desk: QueueDesk, w: Wait, now: number): QueueTimeout {
  const input = desk.host.input(w.id)
  const added: string[] = []
  w.widenAt = null
  for (let k = w.stage + 1; k < w.stages.length; k++) {
    for (let i = w.stages[k - 1]!; i < w.stages[k]!; i++) added.push(stepLabel(w.match.rule.steps[i]!))
    w.stage = k
    const served = desk.offer(w, `the wait for the earlier steps ran out`)
    const waitedMs = now - w.parkedAt
    if (served !== null) return { kind: 'widened', interactionId: w.id, queue: w.queue.name, waitedMs, steps: added, served }
    const step = w.match.rule.steps[w.stages[k]! - 1]!
    if (k === w.stages.length - 1 || notWaitable(step, w, desk.host, input, now) === null) {
      if (k < w.stages.length - 1) w.widenAt = now + (step.waitSeconds ?? 0) * 1000
      const { keys, main } = keysOf(w, w.stages[k]!, now)
      desk.room.widen(w, keys, main)
      return { kind: 'widened', interactionId: w.id, queue: w.queue.name, waitedMs, steps: added, served: null }
    }
  }
  return { kind: 'widened', interactionId: w.id, queue: w.queue.name, waitedMs: now - w.parkedAt, steps: added, served: null }
}

/** The queue's longest wait is reached: another queue takes it, or it leaves with the final action. */
export function overflow(desk: QueueDesk, w: Wait, now: number): QueueTimeout {
  const from = w.queue
  const waitedMs = now - w.parkedAt
  const overflow = from.overflow
  const reason = `waited ${seconds(now - w.queueSince)} s in queue ${from.name}, its longest wait`
  if (overflow.kind === 'queue') {
    const to = settingsOf(desk.host.input(w.id).rules, overflow.queue)
    if (desk.room.waitingIn(to.name) < to.maxWaiting && to.name !== from.name) {
      desk.room.move(w, to, now)
      return { kind: 'moved', interactionId: w.id, from: from.name, queue: to.name, waitedMs, position: desk.positionOf(w) }
    }
    // The next queue is full: its own overflow applies, as for an arrival.
    desk.room.remove(w)
    const d = enter(desk.host, desk.room, { id: w.id, matched: w.match, stages: w.stages, stage: w.stage, probe: w, now, seq: w.seq, parkedAt: w.parkedAt },
      to, { interactionId: w.id, rule: w.match.rule.name, priority: w.priority, targets: [], final: overflow, trace: { rulesTried: w.match.tried, steps: [] }, reason }, [], (x) => desk.positionOf(x))
    if (d.queued !== undefined) return { kind: 'moved', interactionId: w.id, from: from.name, queue: d.queued.queue, waitedMs, position: d.queued }
    desk.host.leave(w.id)
    return { kind: 'overflow', interactionId: w.id, queue: from.name, final: d.final, waitedMs, reason: d.reason }
  }
  desk.room.remove(w)
  desk.host.leave(w.id)
  return { kind: 'overflow', interactionId: w.id, queue: from.name, final: overflow, waitedMs, reason }
}
