import type { AgentPool } from './agent-pool.js'
import type { AgentEntry } from './agent-entry.js'
import type { RoutingEnv, Strategy } from './types.js'

/** Receives candidates best first; returns true to stop the walk (enough chosen). */
export type Visit = (e: AgentEntry) => boolean

/**
 * Walks the eligible agents of one pool (a team's, or a skill set's) in the strategy's order until
 * `visit` says stop; returns true when stopped early. It never looks outside the pool, and reads
 * each order from the front, so a walk costs what it visits.
 *
 * - longest-idle: earliest to enter the pool first (entering = becoming free, or being offered).
 * - fewest-calls: fewest calls today, then longest idle.
 * - best-skill: a pool has no level order, so longest idle; skill sets walk by level themselves.
 * - round-robin: registration order, starting after `cursor` (the member last offered), wrapping.
 * - random: uniformly random order drawn from `rng`.
 */
export function walkPool(strategy: Strategy, pool: AgentPool, cursor: number, rng: Pick<RoutingEnv, 'random'>, visit: Visit): boolean {
  switch (strategy) {
    case 'longest-idle':
    case 'best-skill':
      for (const e of pool.idle) if (visit(e)) return true
      return false
    case 'fewest-calls':
      return pool.walkByCalls(visit)
    case 'round-robin':
      return walkRoundRobin(pool.ring, pool.after(cursor), visit)
    case 'random':
      return walkRandom(pool.ring, rng, visit)
  }
}

function walkRoundRobin(ring: readonly AgentEntry[], start: number, visit: Visit): boolean {
  for (let i = start; i < ring.length; i++) if (visit(ring[i]!)) return true
  for (let i = 0; i < start; i++) if (visit(ring[i]!)) return true
  return false
}

/**
 * Random probes before shuffling the rest. Pools hold qualified agents only, so a probe misses
 * only on an agent excluded or already chosen: a few probes nearly always do.
 */
const PROBES = 16

function walkRandom(ring: readonly AgentEntry[], rng: Pick<RoutingEnv, 'random'>, visit: Visit): boolean {
  const total = ring.length
  if (total === 0) return false
  // Each probe is uniform over all candidates, so the first accepted one is uniform over the accepted.
  const seen: AgentEntry[] = []
  for (let probe = 0; probe < PROBES && seen.length < total; probe++) {
    const e = ring[Math.min(total - 1, Math.floor(rng.random() * total))]!
    if (seen.includes(e)) continue
    seen.push(e)
    if (visit(e)) return true
  }
  if (seen.length === total) return false
  // Many misses: shuffle the unseen lazily (Fisher–Yates, one draw per candidate visited).
  const rest = ring.filter((e) => !seen.includes(e))
  for (let n = rest.length; n > 0; n--) {
    const j = Math.min(n - 1, Math.floor(rng.random() * n))
    const e = rest[j]!
    rest[j] = rest[n - 1]!
    if (visit(e)) return true
  }
  return false
}
