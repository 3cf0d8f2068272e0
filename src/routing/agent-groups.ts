import { AgentPool } from './agent-pool.js'
import type { AgentEntry } from './agent-entry.js'

/** Everyone in a team, and the eligible ones in a pool. */
export interface TeamGroup {
  readonly name: string
  /** All agents of the team, eligible or not; read only to explain a decision in full. */
  readonly members: Set<AgentEntry>
  readonly pool: AgentPool
  /** Registration order of the member last offered an interaction; round-robin continues after it. */
  cursor: number
}

/** Everyone with a skill, eligible or not: where skill sets are built from, and explained with. */
export interface SkillGroup {
  readonly name: string
  readonly members: Set<AgentEntry>
}

export function createTeamGroup(name: string): TeamGroup {
  return { name, members: new Set(), pool: new AgentPool(), cursor: -1 }
}

export function createSkillGroup(name: string): SkillGroup {
  return { name, members: new Set() }
}
