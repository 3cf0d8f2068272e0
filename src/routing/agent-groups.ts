import { AgentPool } from './agent-pool.js'
import type { AgentEntry } from './agent-entry.js'

/** Proficiency runs 1..10. */
export const MAX_PROFICIENCY = 10

/** Everyone in a team, and the eligible ones in a pool. */
export interface TeamGroup {
  readonly name: string
  /** All agents of the team, eligible or not; read only to explain a decision in full. */
  readonly members: Set<AgentEntry>
  readonly pool: AgentPool
  /** Registration order of the member last offered an interaction; round-robin continues after it. */
  cursor: number
}

/**
 * Everyone with a skill; the eligible ones in a pool (every level together), and again by level
 * in idle order for best-skill and for counting who meets a minimum.
 */
export interface SkillGroup {
  readonly name: string
  readonly members: Set<AgentEntry>
  readonly pool: AgentPool
  /** Index = proficiency 1..10; index 0 is unused so the level reads as itself. */
  readonly levels: readonly Set<AgentEntry>[]
  cursor: number
}

export function createTeamGroup(name: string): TeamGroup {
  return { name, members: new Set(), pool: new AgentPool(), cursor: -1 }
}

export function createSkillGroup(name: string): SkillGroup {
  const levels: Set<AgentEntry>[] = []
  for (let p = 0; p <= MAX_PROFICIENCY; p++) levels.push(new Set())
  return { name, members: new Set(), pool: new AgentPool(), levels, cursor: -1 }
}

/** How many eligible agents have the skill at or above `min`. */
export function countFrom(group: SkillGroup, min: number): number {
  let n = 0
  for (let p = MAX_PROFICIENCY; p >= Math.max(1, min); p--) n += group.levels[p]!.size
  return n
}
