/**
 * Every Redis key and channel name the shared state uses, built in this one place from the
 * configured prefix. An agent's keys share the hash tag `{agent:<id>}`, so that in a Redis Cluster
 * the keys one script touches live in one slot.
 */
export interface RedisKeys {
  /** Hash: the agent's presence, wrap-up, calls today, version. */
  agent(agentId: string): string
  /** Hash: callId → "r|<process>|<seq>" (ringing) or "t|<process>|<seq>" (talking). */
  agentCalls(agentId: string): string
  /** Sorted set: callId → when its lease ends (Redis time, ms). */
  agentLeases(agentId: string): string
  /** Sorted set: callId → when it finished, kept ten minutes (a late write must not bring it back). */
  agentFinished(agentId: string): string
  /** Counter: the agent's last screen-pop seq. */
  popHead(agentId: string): string
  /** Stream: the agent's recent screen-pop events, entry id `<seq>-0`. */
  popStream(agentId: string): string
  /** Pub/sub channel of agents' new states. */
  readonly agentsChannel: string
  /** Pub/sub channel of screen-pop events. */
  readonly popsChannel: string
  /** Pub/sub channel of cache and rules invalidations. */
  readonly changesChannel: string
  /** Sorted set: the calls waiting in a queue, by priority then arrival (see queue-park.lua). */
  queue(name: string): string
  /** Hash: a waiting call's queue, owner process and details. */
  waitingCall(callId: string): string
  /** Set: the calls waiting on one process. */
  processCalls(processId: string): string
  /** Sorted set: process id → its last heartbeat (Redis time, ms). */
  readonly processes: string
  /** Prefix of the queue keys, up to the hash tag they share (for queue-claim.lua). */
  readonly queueTag: string
  /** Pattern matching every key of this prefix (for clean-up). */
  readonly everything: string
}

export function redisKeys(prefix: string): RedisKeys {
  const agentTag = (id: string) => `${prefix}{agent:${id}}`
  const popTag = (id: string) => `${prefix}{pop:${id}}`
  return {
    agent: (id) => agentTag(id),
    agentCalls: (id) => `${agentTag(id)}:calls`,
    agentLeases: (id) => `${agentTag(id)}:leases`,
    agentFinished: (id) => `${agentTag(id)}:finished`,
    popHead: (id) => `${popTag(id)}:head`,
    popStream: (id) => `${popTag(id)}:events`,
    agentsChannel: `${prefix}agents`,
    popsChannel: `${prefix}pops`,
    changesChannel: `${prefix}changes`,
    queue: (name) => `${prefix}{queue}:q:${name}`,
    waitingCall: (id) => `${prefix}{queue}:call:${id}`,
    processCalls: (id) => `${prefix}{queue}:proc:${id}`,
    processes: `${prefix}{queue}:processes`,
    queueTag: `${prefix}{queue}:`,
    everything: `${prefix}*`
  }
}
