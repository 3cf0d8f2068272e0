import { ordUpperBound, type AgentPool } from './agent-pool.js'
import type { AgentEntry } from './agent-entry.js'
import { MAX_PROFICIENCY, type SkillGroup } from './agent-groups.js'
import type { RoutingEnv, Strategy } from './types.js'

/** Receives candidates best first; returns true to stop the walk (enough chosen). */
export type Visit = (e: AgentEntry) => boolean

/**
 * Walks the eligible agents of one pool (a team's, or a skill's) in the strategy's order until
 * `visit` says stop; returns true when stopped early. It never looks outside the pool, and reads
 * each order from the front, so a walk costs what it visits.
 *
 * - longest-idle: earliest to enter the pool first (entering = becoming free, or being offered).
 * - fewest-calls: fewest calls today, then longest idle.
 * - best-skill: a pool has no level order, so longest idle; skills steps use walkByLevel instead.
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
      return walkRoundRobin(pool.ring, cursor, visit)
    case 'random':
      return walkRandom(pool.ring, rng, visit)
  }
}

/** best-skill over a skill: highest proficiency first (down to `min`), longest idle within a level. */
export function walkByLevel(group: SkillGroup, min: number, visit: Visit): boolean {
  for (let p = MAX_PROFICIENCY; p >= Math.max(1, min); p--) for (const e of group.levels[p]!) if (visit(e)) return true
  return false
}

function walkRoundRobin(ring: readonly AgentEntry[], cursor: number, visit: Visit): boolean {
  const start = ordUpperBound(ring, cursor)
  for (let i = start; i < ring.length; i++) if (visit(ring[i]!)) return true
  for (let i = 0; i < start; i++) if (visit(ring[i]!)) return true
  return false
}

/** Random probes before shuffling the rest: plenty while one candidate in ten qualifies; past that, shuffling is cheaper. */
const PROBES = 64

function walkRandom(ring: readonly AgentEntry[], rng: Pick<RoutingEnv, 'random'>, visit: Visit): boolean {
  const total = ring.length
  if (total === 0) return false
  // Each probe is uniform over all candidates, so the first accepted one is uniform over the accepted.
  let seen: Set<AgentEntry> | undefined
  for (let probe = 0; probe < PROBES; probe++) {
    const e = ring[Math.min(total - 1, Math.floor(rng.random() * total))]!
    if (seen?.has(e) === true) continue
    ;(seen ??= new Set()).add(e)
    if (visit(e)) return true
    if (seen.size === total) return false
  }
  // Few qualify: shuffle the unseen lazily (Fisher–Yates, one draw per candidate visited).
  const rest = seen === undefined ? ring.slice() : ring.filter((e) => !seen.has(e))
  for (let n = rest.length; n > 0; n--) {
    const j = Math.min(n - 1, Math.floor(rng.random() * n))
    const e = rest[j]!
    rest[j] = rest[n - 1]!
    if (visit(e)) return true
  }
  return false
}
