import type { CompiledRule, RouteDecision, RuleContext, RuleSet } from './types.js'

export type RuleTried = RouteDecision['trace']['rulesTried'][number]

/** The first rule that applies, or null; and every rule tried on the way. */
export interface RuleMatch {
  rule: CompiledRule | null
  tried: RuleTried[]
}

/**
 * Traces of rule matching, made once per rule set: a call tries dozens of rules, and fresh
 * entries for each would be most of a decision's garbage. Without errors the trace depends only on
 * which rule matched, so whole traces are kept per outcome and shared between decisions, hence
 * frozen. A rule set never changes once loaded, so they stay right.
 */
interface Outcomes {
  missed: readonly RuleTried[]
  hit: readonly RuleTried[]
  /** By index of the matching rule; the last slot is "none matched". */
  traces: (RuleTried[] | undefined)[]
}

const outcomesByRuleSet = new WeakMap<RuleSet, Outcomes>()

function outcomesOf(rules: RuleSet): Outcomes {
  let outcomes = outcomesByRuleSet.get(rules)
  if (outcomes === undefined) {
    const entry = (r: CompiledRule, matched: boolean): RuleTried => Object.freeze({ rule: r.name, source: r.source, matched })
    outcomes = { missed: rules.rules.map((r) => entry(r, false)), hit: rules.rules.map((r) => entry(r, true)), traces: [] }
    outcomesByRuleSet.set(rules, outcomes)
  }
  return outcomes
}

/**
 * Tries the rules in order; the first whose condition is true, or that has none, applies. A
 * condition that throws, or returns anything but a boolean, counts as no match and its error is
 * kept in `tried` for the caller to log — one broken rule must not stop the calls.
 */
export function matchRule(rules: RuleSet, ctx: RuleContext): RuleMatch {
  const list = rules.rules
  let errors: { at: number; message: string }[] | undefined
  let matched = -1
  for (let i = 0; i < list.length; i++) {
    const when = list[i]!.when
    if (when === undefined) {
      matched = i
      break
    }
    let result: unknown
    try {
      result = when(ctx)
    } catch (err) {
      ;(errors ??= []).push({ at: i, message: err instanceof Error ? err.message : String(err) })
      continue
    }
    if (result === true) {
      matched = i
      break
    }
    if (result !== false) (errors ??= []).push({ at: i, message: `condition gave ${describe(result)}, not true or false` })
  }
  const outcomes = outcomesOf(rules)
  const rule = matched < 0 ? null : list[matched]!
  if (errors === undefined) {
    const slot = matched < 0 ? list.length : matched
    return { rule, tried: (outcomes.traces[slot] ??= Object.freeze(traceOf(outcomes, matched, list.length)) as RuleTried[]) }
  }
  const tried = traceOf(outcomes, matched, list.length)
  for (const { at, message } of errors) tried[at] = { ...outcomes.missed[at]!, error: message }
  return { rule, tried }
}

function traceOf({ missed, hit }: Outcomes, matched: number, count: number): RuleTried[] {
  const tried = missed.slice(0, matched < 0 ? count : matched)
  if (matched >= 0) tried.push(hit[matched]!)
  return tried
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return `the text "${value}"`
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}
