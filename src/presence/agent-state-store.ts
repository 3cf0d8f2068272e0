import type { AgentIndex } from '../routing/agent-index.js'

/** What an agent may choose themselves; ringing and busy follow from the calls routed to them. */
export type ChosenStatus = 'available' | 'away' | 'offline' | 'wrap-up'

/** How /ready reports the shared state: ok, or why not. */
export interface StoreReadiness {
  ok: boolean
  detail: string
}

/**
 * Where agents' live states are kept. The routing core always decides on its in-memory index; a
 * store shared by several processes also confirms reservations and spreads every change to the
 * others' indexes. Adapters set what an agent chose through the store, never the index directly.
 */
export interface AgentStateStore {
  /** Sets what the agent chose at `at` (ms); false for an agent the index does not know. */
  setState(agentId: string, status: ChosenStatus, at: number): boolean
  /** For /ready; null when there is nothing outside the process to check. */
  readiness(): StoreReadiness | null
}

/** One process, one truth: the index itself (the behaviour without Redis). */
export class LocalAgentStateStore implements AgentStateStore {
  constructor(private readonly index: AgentIndex) {}

  setState(agentId: string, status: ChosenStatus, at: number): boolean {
    return this.index.setAgentState(agentId, status, at)
  }

  readiness(): null {
    return null
  }
}
