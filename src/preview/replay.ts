/**
 * Replays past calls through a candidate rule set with the same pure core (decide), in virtual
 * time: each call at its own instant, with its recorded customer and line, against the agents
 * rebuilt from the availability log at that instant. Calls and log rows are streamed in time order.
 */
import { decide, DEFAULT_MAX_TARGETS, type Interaction, type LineInfo, type RouteDecision, type RuleSet } from '../routing/index.js'
import { seededRandom } from '../seeded-random.js'
import { AvailabilityCursor } from './availability.js'
import { PreviewTally } from './tally.js'
import { sameDecision, summarize, type AvailabilityRow, type CallFacts } from './types.js'

const YIELD_EVERY = 1000

export interface ReplayOptions {
  rules: RuleSet
  from: number
  to: number
  /** Changed calls kept as examples (default 20). */
  sample?: number
  maxTargets?: number
  seed?: number
}

/** Replays every call of the stream (pages of calls and of log rows, in time order); the tally holds the comparison. */
export async function replay(calls: AsyncIterable<readonly CallFacts[]>, rows: AsyncIterable<readonly AvailabilityRow[]>, o: ReplayOptions): Promise<PreviewTally> {
  const cursor = new AvailabilityCursor(rows[Symbol.asyncIterator]())
  const random = seededRandom(o.seed ?? 17)
  const tally = new PreviewTally(o.sample ?? 20, random)
  const maxTargets = o.maxTargets ?? DEFAULT_MAX_TARGETS
  let now = 0
  const env = { now: () => now, random }
  let sinceYield = 0
  for await (const page of calls) {
    for (const call of page) {
      // On the server, other work (live calls) goes on between every thousand replayed calls.
      if (++sinceYield === YIELD_EVERY) {
        sinceYield = 0
        await new Promise((resolve) => setImmediate(resolve))
      }
      if (call.named) {
        tally.apart.named++
        continue
      }
      if (call.version === '') {
        tally.apart.unknownVersion++
        continue
      }
      if (!complete(call)) {
        tally.apart.missingFacts++
        continue
      }
      const more = cursor.advanceTo(call.at)
      if (more !== undefined) await more
      now = call.at
      const decision = decide({ interaction: interactionOf(call), customer: call.customer, line: lineOf(call, o.rules), rules: o.rules, maxTargets }, cursor.index, env)
      const after = summarize(decision)
      tally.add(call, after, sameDecision(call.decided, after) ? null : decision)
    }
  }
  // Rows after the last call still count as read.
  tally.availabilityRows = cursor.applied
  tally.unknownAgentRows = cursor.unknownAgentRows
  return tally
}

/** Replays one call against an index the caller keeps (the shadow rules, live). */
export function decideAgain(call: CallFacts, rules: RuleSet, index: AvailabilityCursor['index'], random: () => number): RouteDecision {
  return decide({ interaction: interactionOf(call), customer: call.customer, line: lineOf(call, rules), rules }, index, { now: () => call.at, random })
}

function interactionOf(call: CallFacts): Interaction {
  return { id: call.callId, kind: call.kind, caller: call.caller, dialed: call.dialed, at: call.at, channel: call.channel, product: call.product }
}

/**
 * The candidate's own lines win, as live; a line recorded from the database applies otherwise.
 * A line the old rules files defined and the candidate does not is gone (null).
 */
function lineOf(call: CallFacts, rules: RuleSet): LineInfo | null {
  if (call.dialed !== null) {
    const own = rules.lines.get(call.dialed)
    if (own !== undefined) return own
  }
  return call.lineFromRules === true ? null : call.line
}

function complete(call: CallFacts): boolean {
  return typeof call.kind === 'string' && typeof call.channel === 'string' && call.customer !== undefined && call.line !== undefined &&
    call.decided !== undefined && call.decided !== null && typeof call.decided.outcome?.kind === 'string' && Number.isFinite(call.at)
}
