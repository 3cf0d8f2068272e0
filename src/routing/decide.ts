import type { AgentIndex } from './agent-index.js'
import { matchRule, type RuleMatch } from './match-rule.js'
import { finalReason } from './reasons.js'
import { buildRuleContext, productOf } from './rule-context.js'
import { runStep, type StepContext } from './steps.js'
import type { CustomerSummary, Interaction, LineInfo, RouteDecision, RouteTarget, RoutingEnv, RuleSet, TraceStep } from './types.js'

export const DEFAULT_MAX_TARGETS = 3

/** Everything a decision depends on besides the agent index and the clock. */
export interface DecideInput {
  interaction: Interaction
  customer: CustomerSummary | null
  /** The dialed line from the CRM; when null, the rules files' `lines` are looked up by the dialed number. */
  line: LineInfo | null
  rules: RuleSet
  /** Agents who already failed this interaction (ring timeout, busy, declined); skipped as 'excluded'. */
  exclude?: ReadonlySet<string>
  /** At most this many targets (default 3). */
  maxTargets?: number
  /** Also list team/skill members who were not eligible, and why. Slower: for explaining, not routing. */
  fullTrace?: boolean
  /** The rule matched earlier for this interaction (a waiting one): used as is, conditions are not evaluated again. */
  matched?: RuleMatch
  /** Only the first this many steps of the rule (a wait for a step's agents); all when absent. */
  stepCount?: number
}

/**
 * Routes one interaction: the first matching rule's steps, in order, each adding the agents it
 * finds (an agent appears once) until maxTargets; then the rule's `otherwise`. No rule matching
 * means `rules.fallback`. Never throws for lack of agents or a broken condition — both are in the
 * decision. Reserves nobody and changes no agent's state; the index only catches up with the
 * clock (wrap-ups due end) and builds the pool for a set of skills the first time one is asked for.
 */
export function decide(input: DecideInput, index: AgentIndex, env: RoutingEnv): RouteDecision {
  const now = env.now()
  index.tick(now)
  const { interaction, rules } = input
  const line = input.line ?? (interaction.dialed === null ? null : (rules.lines.get(interaction.dialed) ?? null))
  const { rule, tried } = input.matched ?? matchRule(rules, buildRuleContext(interaction, input.customer, line, rules.calendar))
  if (rule === null) {
    return {
      interactionId: interaction.id,
      rule: null,
      priority: 0,
      targets: [],
      final: rules.fallback,
      trace: { rulesTried: tried, steps: [] },
      reason: finalReason(rules.fallback, 'no rule matched')
    }
  }
  const targets: RouteTarget[] = []
  const c: StepContext = {
    index,
    now,
    env,
    customer: input.customer,
    product: productOf(interaction, line),
    timeZone: rules.calendar.timeZone,
    ruleName: rule.name,
    exclude: input.exclude,
    limit: Math.max(0, Math.floor(input.maxTargets ?? DEFAULT_MAX_TARGETS)),
    fullTrace: input.fullTrace === true,
    targets,
    chosen: []
  }
  const steps: TraceStep[] = []
  const count = Math.min(rule.steps.length, input.stepCount ?? rule.steps.length)
  for (let i = 0; i < count; i++) {
    if (targets.length >= c.limit) break
    steps.push(runStep(rule.steps[i]!, c))
  }
  return {
    interactionId: interaction.id,
    rule: rule.name,
    priority: rule.priority,
    targets,
    final: rule.otherwise,
    trace: { rulesTried: tried, steps },
    reason: targets[0]?.reason ?? finalReason(rule.otherwise, rule.steps.length === 0 ? `rule ${rule.name}` : 'no agent free')
  }
}
