import { buildRuleContext, productOf } from '../rule-context.js'
import { matchRule, type RuleMatch } from '../match-rule.js'
import type { CompiledRule, RouteDecision, RouteStep, TraceStep } from '../types.js'
import { finalDecision, queueTrace, seconds, settingsOf, stepLabel, type DeskHost, type WaitInput } from './host.js'
import type { WaitingRoom } from './room.js'
import type { QueuedPosition, QueueSettings } from './types.js'
import { keysOf, someoneFor, stagesOf, type Wait } from './wait.js'
import { withLaterTargets } from './failover.js'

/** Overflows followed at most this far (the rules refuse loops; rule sets built in code may not). */
const MAX_OVERFLOWS = 8

type Matched = RuleMatch & { rule: CompiledRule }

/** Why a step's agents are not worth waiting for now, or null when they are. */
export function notWaitable(step: RouteStep, w: Pick<Wait, 'customer' | 'product' | 'excluded'>, host: DeskHost, input: WaitInput, now: number): string | null {
  if (!input.rules.calendar.at(now).businessHours) return 'outside business hours'
  if (!someoneFor(step, w, host.index, now, true)) return step.kind === 'team' || step.kind === 'skills' ? 'nobody of it is logged in and present' : 'offline or away'
  return null
}

/**
 * Routes an interaction whose rule ends in a queue: stage by stage (a stage ends at a step with a
 * `wait`), the first stage that finds someone free rings them; a stage whose waited-for agents are
 * logged in and present (and within business hours) makes the interaction wait for them; the
 * last stage waits in the queue. `position` tells where a parked wait stands.
 */
export function arrive(
  host: DeskHost, room: WaitingRoom, id: string, position: (w: Wait) => QueuedPosition, place: Place | null
): RouteDecision {
  const input = host.input(id)
  const now = host.env.now()
  const line = input.line ?? (input.interaction.dialed === null ? null : (input.rules.lines.get(input.interaction.dialed) ?? null))
  const match = matchRule(input.rules, buildRuleContext(input.interaction, input.customer, line, input.rules.calendar))
  const rule = match.rule
  if (rule === null || rule.otherwise.kind !== 'queue') return host.offer(id, rule?.steps.length ?? 0, match)
  const matched = match as Matched
  const stages = stagesOf(rule.steps)
  const probe = { customer: input.customer, product: productOf(input.interaction, line), excluded: host.excluded(id) }
  const notes: TraceStep[] = []
  for (let k = 0; ; k++) {
    const d = host.offer(id, stages[k]!, matched)
    if (d.targets.length > 0) {
      const found = k === stages.length - 1 ? d : withLaterTargets(d, host.decideAll(id, matched), stages[k]!, host.maxTargets)
      return notes.length === 0 ? found : { ...found, trace: { ...found.trace, steps: [...found.trace.steps, ...notes] } }
    }
    if (k === stages.length - 1) {
      const settings = settingsOf(input.rules, rule.otherwise.queue)
      return enter(host, room, { id, matched, stages, stage: k, probe, now, seq: place?.seq ?? room.nextSeq(), parkedAt: place?.parkedAt ?? now }, settings, d, notes, position)
    }
    const step = rule.steps[stages[k]! - 1]!
    const why = notWaitable(step, probe, host, input, now)
    if (why === null) {
      const settings = settingsOf(input.rules, rule.otherwise.queue)
      notes.push(queueTrace(rule.name, `wait for ${stepLabel(step)}`, `busy: waiting up to ${step.waitSeconds} s before the next steps`))
      return enter(host, room, { id, matched, stages, stage: k, probe, now, seq: place?.seq ?? room.nextSeq(), parkedAt: place?.parkedAt ?? now }, settings, d, notes, position)
    }
    notes.push(queueTrace(rule.name, `wait for ${stepLabel(step)}`, `${why}: not waited for`))
  }
}

/** An interaction's place in line, kept when it is offered from the queue and waits again (the offer failed). */
export interface Place {
  seq: number
  parkedAt: number
}

/** A wait about to be made, and what it carries over when it overflows into another queue. */
export interface Entering {
  id: string
  matched: Matched
  stages: readonly number[]
  stage: number
  probe: Pick<Wait, 'customer' | 'product' | 'excluded'>
  now: number
  seq: number
  parkedAt: number
}

/**
 * Puts the interaction in `settings`' queue, unless the queue is full, or nobody who could take it
 * is logged in (and the queue says overflow then), or the rule names nobody for this caller: then
 * the queue's overflow applies at once — another queue, tried the same way, or the final action.
 */
export function enter(
  host: DeskHost, room: WaitingRoom, e: Entering, settings: QueueSettings, d: RouteDecision, notes: TraceStep[],
  position: (w: Wait) => QueuedPosition, depth = 0
): RouteDecision {
  const { rule } = e.matched
  const label = `queue ${settings.name}`
  const all = keysOf({ ...e.probe, match: e.matched } as Wait, rule.steps.length, e.now)
  let why: string | null = null
  if (room.waitingIn(settings.name) >= settings.maxWaiting) why = `queue ${settings.name} is full (${settings.maxWaiting} waiting)`
  else if (all.keys.length === 0) why = `nobody in rule ${rule.name} can take this caller from queue ${settings.name}`
  else if (settings.whenNobodyLoggedIn === 'overflow' && !rule.steps.some((s) => someoneFor(s, e.probe, host.index, e.now, false))) {
    why = `nobody who could take it from queue ${settings.name} is logged in`
  }
  if (why !== null) {
    const overflow = settings.overflow
    const next = [...notes, queueTrace(rule.name, label, `${why}: overflow to ${overflow.kind === 'queue' ? `queue ${overflow.queue}` : overflow.kind}`)]
    if (overflow.kind === 'queue' && depth < MAX_OVERFLOWS) {
      return enter(host, room, e, settingsOf(host.input(e.id).rules, overflow.queue), d, next, position, depth + 1)
    }
    return finalDecision(d, next, overflow.kind === 'queue' ? { kind: 'voicemail', mailbox: null, callbackTask: true } : overflow, why)
  }
  const stageSteps = e.stages[e.stage]!
  const waitFor = e.stage < e.stages.length - 1 ? rule.steps[stageSteps - 1]!.waitSeconds ?? 0 : 0
  const w: Wait = {
    id: e.id, seq: e.seq, priority: rule.priority, kind: host.input(e.id).interaction.kind, queue: settings,
    parkedAt: e.parkedAt, queueSince: e.now, match: e.matched, stages: e.stages, stage: e.stage,
    widenAt: waitFor > 0 ? e.now + waitFor * 1000 : null, overflowAt: e.now + settings.maxWaitSeconds * 1000,
    customer: e.probe.customer, product: e.probe.product, excluded: e.probe.excluded,
    keys: [], mainKey: null, epoch: 0, live: true
  }
  const stage = keysOf(w, stageSteps, e.now)
  w.keys = stage.keys
  w.mainKey = stage.main
  room.add(w)
  const queued = position(w)
  const note = `waiting, position ${queued.position}, about ${queued.estimatedWaitSeconds} s; longest wait ${seconds(settings.maxWaitSeconds * 1000)} s`
  return { ...finalDecision(d, [...notes, queueTrace(rule.name, label, note)], { kind: 'queue', queue: settings.name }, 'no agent free'), queued }
}
