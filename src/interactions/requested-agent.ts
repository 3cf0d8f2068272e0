import type { RuleSet } from '../routing/types.js'

/** Ring time for an interaction asked for a named agent (click-to-call, a call-back by its agent). */
export const REQUESTED_AGENT_RING_SECONDS = 30

/**
 * The rules for an interaction that names its agent: one rule offering that
 * agent alone, and a 480 when they cannot take it. The core still checks the
 * agent's state and capacity, and the trace says why.
 */
export function requestedAgentRules(rules: RuleSet, agentId: string): RuleSet {
  return {
    ...rules,
    rules: [
      {
        name: `requested agent ${agentId}`,
        source: 'request',
        priority: 0,
        steps: [{ kind: 'agent', agentId, ringSeconds: REQUESTED_AGENT_RING_SECONDS }],
        otherwise: { kind: 'reject', cause: `agent ${agentId} cannot take it now`, sipStatus: 480 }
      }
    ],
    fallback: { kind: 'reject', cause: `agent ${agentId} cannot take it now`, sipStatus: 480 }
  }
}
