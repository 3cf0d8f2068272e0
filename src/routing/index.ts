/**
 * The routing core: an in-memory agent index and the decision of where an interaction goes.
 * Pure and synchronous; adapters feed it agent state and ask it for decisions.
 */
export * from './types.js'
export { AgentIndex, DEFAULT_MAX_SKILL_SETS, type AgentView, type InitialAgentState, type RestoredAgentState } from './agent-index.js'
export { decide, DEFAULT_MAX_TARGETS, type DecideInput } from './decide.js'
export { CallRouter, type CallRouterOptions, type InteractionProgress, type OfferFailure, type RouteInput } from './call-router.js'
export { buildRuleContext, productOf } from './rule-context.js'
export { matchRule, type RuleMatch, type RuleTried } from './match-rule.js'
export { MAX_TRACED_SKIPS } from './candidates.js'
export * from './waiting/types.js'
export { ChatAgents } from './chat-agents.js'
export * from './chat-settings.js'
export { rulesForKind } from './rules-for-kind.js'
