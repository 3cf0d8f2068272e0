/**
 * The calls this process holds, by agent and by call: what it must keep alive in the shared store
 * (lease refresh), write back after an outage, and count itself rather than trust the store for.
 * A superset: whether the router still holds a call on an agent is asked of the router.
 */
export class OwnCalls {
  private readonly byAgent = new Map<string, Set<string>>()
  private readonly byCall = new Map<string, Set<string>>()

  add(agentId: string, callId: string): void {
    let calls = this.byAgent.get(agentId)
    if (!calls) this.byAgent.set(agentId, (calls = new Set()))
    calls.add(callId)
    let agents = this.byCall.get(callId)
    if (!agents) this.byCall.set(callId, (agents = new Set()))
    agents.add(agentId)
  }

  remove(agentId: string, callId: string): boolean {
    const calls = this.byAgent.get(agentId)
    if (!calls?.delete(callId)) return false
    if (calls.size === 0) this.byAgent.delete(agentId)
    const agents = this.byCall.get(callId)
    agents?.delete(agentId)
    if (agents?.size === 0) this.byCall.delete(callId)
    return true
  }

  has(agentId: string, callId: string): boolean {
    return this.byAgent.get(agentId)?.has(callId) ?? false
  }

  /** The agents a call has been reserved on (usually one). */
  agentsOf(callId: string): readonly string[] {
    return [...(this.byCall.get(callId) ?? [])]
  }

  callsOf(agentId: string): ReadonlySet<string> {
    return this.byAgent.get(agentId) ?? EMPTY
  }

  agents(): IterableIterator<string> {
    return this.byAgent.keys()
  }

  get size(): number {
    return this.byCall.size
  }
}

const EMPTY: ReadonlySet<string> = new Set()
