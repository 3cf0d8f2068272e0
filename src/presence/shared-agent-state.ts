import type { AgentStatus } from '../routing/types.js'

/** An agent's state as the shared store publishes it (see lua/agent-state.lua). */
export interface SharedAgentState {
  id: string
  /** Grows with every change of this agent: an older state arriving late is ignored. */
  v: number
  presence: AgentStatus
  /** 0 for none. */
  wrapUpUntil: number
  /** When the agent last chose their presence (ms): the newest choice wins. */
  setAt: number
  callsToday: number
  /** 0 for none. */
  lastCallEndedAt: number
  /** Call id → "r|<process>|<seq>" (ringing) or "t|<process>|<seq>" (talking); older values lack the seq. */
  calls: Record<string, string>
}

const STATUSES = new Set<AgentStatus>(['offline', 'available', 'ringing', 'busy', 'wrap-up', 'away'])

/** Parses a published state; null (logged by the caller) for anything malformed. */
export function parseSharedState(json: string): SharedAgentState | null {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const s = value as Partial<SharedAgentState>
  if (typeof s.id !== 'string' || typeof s.v !== 'number' || !STATUSES.has(s.presence as AgentStatus)) return null
  // An empty Lua table is encoded as {} or [] depending on the encoder: both mean no calls.
  const calls = typeof s.calls === 'object' && s.calls !== null && !Array.isArray(s.calls) ? s.calls : {}
  return {
    id: s.id,
    v: s.v,
    presence: s.presence as AgentStatus,
    wrapUpUntil: Number(s.wrapUpUntil) || 0,
    setAt: Number(s.setAt) || 0,
    callsToday: Number(s.callsToday) || 0,
    lastCallEndedAt: Number(s.lastCallEndedAt) || 0,
    calls
  }
}

/** The process that holds a call, from its calls-hash value. */
export function holderOf(value: string): { talking: boolean; process: string } {
  const end = value.indexOf('|', 2)
  return { talking: value.startsWith('t'), process: end < 0 ? value.slice(2) : value.slice(2, end) }
}
