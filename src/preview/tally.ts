/**
 * The running comparison of a replay: counts by rule, by agent and by outcome, the moves from one
 * agent (or final action) to another, and a fixed-size random sample of changed calls. Bounded by
 * the number of rules and agents, never by the number of calls.
 */
import type { RouteDecision } from '../routing/types.js'
import { describeOutcome, type CallFacts, type DecisionSummary } from './types.js'

export interface ChangedCall {
  callId: string
  at: number
  before: DecisionSummary
  after: DecisionSummary
  /** The candidate's trace; the trace recorded then is looked up for the sample only. */
  afterTrace: RouteDecision['trace']
  beforeTrace?: unknown
}

export interface Counted {
  before: number
  after: number
}

const NO_RULE = '(no rule: fallback)'
/** Moves kept apart at most; the rest are counted in one "other" line. */
const MAX_MOVES = 50_000

export class PreviewTally {
  replayed = 0
  changed = 0
  readonly apart = { unknownVersion: 0, missingFacts: 0, named: 0, withoutFacts: 0 }
  readonly rules = new Map<string, Counted & { changed: number }>()
  readonly agents = new Map<string, Counted>()
  readonly outcomes = new Map<string, Counted>()
  readonly moves = new Map<string, number>()
  readonly sample: ChangedCall[] = []
  availabilityRows = 0
  unknownAgentRows = 0
  private seenChanged = 0

  constructor(private readonly sampleSize: number, private readonly random: () => number) {}

  get unchanged(): number {
    return this.replayed - this.changed
  }

  add(call: CallFacts, after: DecisionSummary, changedDecision: RouteDecision | null): void {
    const before = call.decided
    this.replayed++
    count(this.rules, before.rule ?? NO_RULE, 'before', ruleCount)
    count(this.rules, after.rule ?? NO_RULE, 'after', ruleCount)
    count(this.outcomes, outcomeKey(before), 'before', blankCount)
    count(this.outcomes, outcomeKey(after), 'after', blankCount)
    if (before.agent !== null) count(this.agents, before.agent, 'before', blankCount)
    if (after.agent !== null) count(this.agents, after.agent, 'after', blankCount)
    if (changedDecision === null) return
    this.changed++
    this.rules.get(before.rule ?? NO_RULE)!.changed++
    const move = `${describeOutcome(before)}\u0000${describeOutcome(after)}`
    if (this.moves.has(move) || this.moves.size < MAX_MOVES) this.moves.set(move, (this.moves.get(move) ?? 0) + 1)
    else this.moves.set('other\u0000other', (this.moves.get('other\u0000other') ?? 0) + 1)
    this.keep({ callId: call.callId, at: call.at, before, after, afterTrace: changedDecision.trace })
  }

  /** Reservoir sampling: every changed call has the same chance to be shown. */
  private keep(c: ChangedCall): void {
    this.seenChanged++
    if (this.sample.length < this.sampleSize) {
      this.sample.push(c)
      return
    }
    const j = Math.floor(this.random() * this.seenChanged)
    if (j < this.sampleSize) this.sample[j] = c
  }
}

function outcomeKey(d: DecisionSummary): string {
  return d.outcome.kind === 'agent' ? 'an agent' : describeOutcome(d)
}

// Made only for a key seen the first time: a million calls count into a few hundred entries.
const blankCount = (): Counted => ({ before: 0, after: 0 })
const ruleCount = (): Counted & { changed: number } => ({ before: 0, after: 0, changed: 0 })

function count<T extends Counted>(map: Map<string, T>, key: string, side: 'before' | 'after', blank: () => T): void {
  let c = map.get(key)
  if (c === undefined) map.set(key, (c = blank()))
  c[side]++
}
