import type { AgentProfile, AgentState, AgentStatus, SkipReason } from './types.js'

/**
 * What an entry needs of a skill set it belongs to: the index adds and removes the entry as it
 * becomes eligible or not, and moves round-robin past it. Declared here, and the kind of set left
 * to the index (SkillSetPool), so that entries do not depend on the pools built from them.
 */
export interface SkillSetMembership {
  cursor: number
  add(e: AgentEntry): void
  delete(e: AgentEntry): void
}

/**
 * The index's live record of one agent. Internal to the routing core: adapters read
 * AgentState through AgentIndex.get/snapshot, which copy it.
 */
export interface AgentEntry<S extends SkillSetMembership = SkillSetMembership> {
  profile: AgentProfile
  /**
   * The profile's skills as a Map: looking up a skill an agent lacks in a plain object costs ten
   * times more, and building a skill set looks up every agent of one skill for the others.
   */
  skillLevels: ReadonlyMap<string, number>
  /** The skill sets (of those asked for so far) whose requirements the agent meets. */
  skillSets: S[]
  /** Registration order; round-robin rotates in this order. */
  readonly ord: number
  /**
   * What the agent or their device last reported. 'ringing'/'busy' here mean the device is in use
   * outside routing (a call the router did not place), which makes the agent ineligible.
   */
  presence: AgentStatus
  since: number
  ringing: number
  talking: number
  callsToday: number
  lastCallEndedAt: number | null
  wrapUpUntil: number | null
  /** When the agent was last offered an interaction, as a sequence number (0: never). */
  offeredSeq: number
  /** Position in the idle order, given each time the agent (re)enters the eligible pools. */
  idleSeq: number
  /** Whether the entry is in the eligible pools right now. */
  indexed: boolean
}

export function createEntry<S extends SkillSetMembership>(profile: AgentProfile, ord: number, at: number): AgentEntry<S> {
  return {
    profile,
    skillLevels: skillMap(profile),
    skillSets: [],
    ord,
    presence: 'offline',
    since: at,
    ringing: 0,
    talking: 0,
    callsToday: 0,
    lastCallEndedAt: null,
    wrapUpUntil: null,
    offeredSeq: 0,
    idleSeq: 0,
    indexed: false
  }
}

/** Eligible for a new interaction: present, and with room for one more. */
export function isEligible(e: AgentEntry): boolean {
  return e.presence === 'available' && e.ringing + e.talking < e.profile.capacity
}

/** Why an agent cannot take an interaction now, or null when they can. */
export function availabilitySkip(e: AgentEntry): SkipReason | null {
  switch (e.presence) {
    case 'offline':
    case 'away':
    case 'wrap-up':
      return e.presence
    case 'ringing':
    case 'busy':
      return 'at-capacity'
    case 'available':
      return e.ringing + e.talking < e.profile.capacity ? null : 'at-capacity'
  }
}

export function statusOf(e: AgentEntry): AgentStatus {
  if (e.presence !== 'available') return e.presence
  if (e.ringing > 0) return 'ringing'
  if (e.talking > 0) return 'busy'
  return 'available'
}

export function stateOf(e: AgentEntry): AgentState {
  return {
    status: statusOf(e),
    since: e.since,
    activeCalls: e.ringing + e.talking,
    ringingCalls: e.ringing,
    callsToday: e.callsToday,
    lastCallEndedAt: e.lastCallEndedAt,
    wrapUpUntil: e.wrapUpUntil
  }
}

export function skillMap(profile: AgentProfile): ReadonlyMap<string, number> {
  return new Map(Object.entries(profile.skills))
}
