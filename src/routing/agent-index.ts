import { availabilitySkip, createEntry, isEligible, skillMap, stateOf, statusOf, type AgentEntry } from './agent-entry.js'
import { createSkillGroup, createTeamGroup, type SkillGroup, type TeamGroup } from './agent-groups.js'
import { MAX_PROFICIENCY, SkillSetRegistry, type SkillSetPool, type SkillSetSources } from './skill-sets.js'
import { WrapUpQueue } from './wrap-up-queue.js'
import type { AgentProfile, AgentState, AgentStatus, SkillRequirement, SkipReason } from './types.js'

/** An agent as the index sees them; a copy, safe to keep. */
export interface AgentView {
  profile: AgentProfile
  state: AgentState
}

/** State to start a newly registered agent from, e.g. when restoring after a restart. */
export type InitialAgentState = Partial<Pick<AgentState, 'status' | 'since' | 'callsToday' | 'lastCallEndedAt'>>

/** An agent's whole live state as restoreState takes it (counts of calls, not the calls). */
export interface RestoredAgentState {
  presence: AgentStatus
  ringingCalls: number
  talkingCalls: number
  wrapUpUntil: number | null
  callsToday: number
  lastCallEndedAt: number | null
}

/** Skill sets kept at most; each costs about a kilobyte plus its members. */
export const DEFAULT_MAX_SKILL_SETS = 10_000

/**
 * All agents and their live state, indexed so that "eligible agents of this team / with these
 * skills, best first" is read from the front of ordered pools (see AgentPool, SkillSetPool) instead
 * of a scan. Pools hold eligible agents only: an agent enters them when they become eligible and
 * leaves when not, and re-entering puts them at the back of the idle order.
 *
 * Every method that changes state takes the time it happened and returns false when it did not
 * apply (unknown agent, nothing to release, no room). Wrap-up ends lazily: any call carrying a time
 * first ends the wrap-ups due by then, at the moment they were due; tick(now) does only that, for a
 * composition root that wants state changes published on time.
 *
 * Routed interactions are tracked through reserve → answered → ended (or release). Report a device
 * state to setAgentState only for calls the router did not place, or the agent is counted twice.
 */
export class AgentIndex {
  private readonly entries = new Map<string, AgentEntry<SkillSetPool>>()
  private readonly teams = new Map<string, TeamGroup>()
  private readonly skills = new Map<string, SkillGroup>()
  private readonly skillSets: SkillSetRegistry
  private readonly members: SkillSetSources = {
    skill: (name) => this.skills.get(name)?.members,
    team: (name) => this.teams.get(name)?.members
  }
  private readonly wrapUps = new WrapUpQueue<AgentEntry<SkillSetPool>>()
  /** Agents who became eligible, or had room again, since takeFreed() last ran: the waiting queue serves them. */
  private freed = new Set<AgentEntry<SkillSetPool>>()
  private nextOrd = 0
  private nextIdleSeq = 0
  private nextOfferSeq = 0

  constructor(options: { maxSkillSets?: number } = {}) {
    this.skillSets = new SkillSetRegistry(options.maxSkillSets ?? DEFAULT_MAX_SKILL_SETS)
  }

  get size(): number {
    return this.entries.size
  }

  /**
   * Registers an agent, or replaces the profile of a known one keeping their live state.
   * A new agent starts offline unless `initial` says otherwise. Throws RangeError on a capacity
   * below 1 or a proficiency outside 1..10, so bad CRM data fails at load, not mid-call.
   */
  upsertAgent(agent: AgentProfile, initial: InitialAgentState = {}): void {
    validate(agent)
    // A private frozen copy: the pools are found again through the profile's team and skills,
    // so the caller must not be able to change them behind the index's back.
    const profile: AgentProfile = Object.freeze({ ...agent, skills: Object.freeze({ ...agent.skills }) })
    let e = this.entries.get(profile.id)
    if (e === undefined) {
      e = createEntry(profile, this.nextOrd++, initial.since ?? 0)
      e.presence = initial.status ?? 'offline'
      e.callsToday = initial.callsToday ?? 0
      e.lastCallEndedAt = initial.lastCallEndedAt ?? null
      this.entries.set(profile.id, e)
    } else {
      if (e.indexed) this.unindex(e)
      this.leaveGroups(e)
      e.profile = profile
      e.skillLevels = skillMap(profile)
    }
    this.joinGroups(e)
    if (isEligible(e)) {
      this.index(e)
      this.freed.add(e)
    }
  }

  removeAgent(id: string): boolean {
    const e = this.entries.get(id)
    if (e === undefined) return false
    if (e.indexed) this.unindex(e)
    this.leaveGroups(e)
    this.entries.delete(id)
    return true
  }

  /**
   * What the agent chose on their page, or their device state: 'available' (also ends a wrap-up
   * early), 'away', 'offline', 'wrap-up' (until they set available again), or 'ringing'/'busy' for
   * a call the router did not place (ineligible until they are reported available).
   */
  setAgentState(id: string, status: AgentStatus, at: number): boolean {
    this.tick(at)
    const e = this.entries.get(id)
    if (e === undefined) return false
    const before = this.detach(e)
    e.presence = status
    e.wrapUpUntil = null
    this.attach(e, before, at)
    return true
  }

  /** Offers the agent an interaction (their phone rings). False when they are not eligible. */
  reserve(id: string, at: number): boolean {
    this.tick(at)
    const e = this.entries.get(id)
    if (e === undefined || !isEligible(e)) return false
    const before = this.detach(e)
    e.ringing++
    e.offeredSeq = ++this.nextOfferSeq
    this.attach(e, before, at)
    // Round-robin continues after whoever was offered last, in each team and skill they belong to.
    if (e.profile.team !== null) this.teams.get(e.profile.team)!.cursor = e.ord
    for (const set of e.skillSets) set.cursor = e.ord
    return true
  }

  /** An offer ended unanswered (ring timeout, decline, caller hung up): the slot is free again. */
  release(id: string, at: number): boolean {
    this.tick(at)
    const e = this.entries.get(id)
    if (e === undefined || e.ringing === 0) return false
    const before = this.detach(e)
    e.ringing--
    this.attach(e, before, at)
    return true
  }

  /** The agent picked up an offered interaction: ringing → busy, one more call today. */
  answered(id: string, at: number): boolean {
    this.tick(at)
    const e = this.entries.get(id)
    if (e === undefined || e.ringing === 0) return false
    const before = this.detach(e)
    e.ringing--
    e.talking++
    e.callsToday++
    this.attach(e, before, at)
    return true
  }

  /**
   * An answered interaction ended. When it was the agent's last one in progress and they were
   * available, they go into wrap-up until at + wrapUpSeconds; other interactions still in progress
   * (capacity > 1) keep them working, so the freed slot is offered at once instead.
   */
  ended(id: string, at: number, wrapUpSeconds: number): boolean {
    this.tick(at)
    const e = this.entries.get(id)
    if (e === undefined || e.talking === 0) return false
    const before = this.detach(e)
    e.talking--
    e.lastCallEndedAt = at
    if (e.presence === 'available' && e.ringing + e.talking === 0 && wrapUpSeconds > 0) {
      e.presence = 'wrap-up'
      e.wrapUpUntil = at + wrapUpSeconds * 1000
      this.wrapUps.push(e, e.wrapUpUntil)
    }
    this.attach(e, before, at)
    return true
  }

  /**
   * Replaces an agent's live state with one kept elsewhere (the state several server processes
   * share): what they chose, their calls ringing and in progress, wrap-up. A state equal to the
   * current one changes nothing (the agent keeps their place in the idle order). False for an unknown agent.
   */
  restoreState(id: string, state: RestoredAgentState, at: number): boolean {
    const e = this.entries.get(id)
    if (e === undefined) return false
    const same =
      e.presence === state.presence && e.ringing === state.ringingCalls && e.talking === state.talkingCalls &&
      e.wrapUpUntil === state.wrapUpUntil && e.callsToday === state.callsToday && e.lastCallEndedAt === state.lastCallEndedAt
    if (!same) {
      const before = this.detach(e)
      e.presence = state.presence
      e.ringing = state.ringingCalls
      e.talking = state.talkingCalls
      e.wrapUpUntil = state.wrapUpUntil
      e.callsToday = state.callsToday
      e.lastCallEndedAt = state.lastCallEndedAt
      if (e.presence === 'wrap-up' && e.wrapUpUntil !== null) this.wrapUps.push(e, e.wrapUpUntil)
      this.attach(e, before, at)
    }
    this.tick(at)
    return true
  }

  /** Ends every wrap-up due at or before `now`; each agent becomes available at their due time. */
  tick(now: number): void {
    for (let due = this.wrapUps.popDue(now); due !== undefined; due = this.wrapUps.popDue(now)) {
      const e = due.entry
      if (this.entries.get(e.profile.id) !== e || e.presence !== 'wrap-up' || e.wrapUpUntil !== due.until) continue
      const before = this.detach(e)
      e.presence = 'available'
      e.wrapUpUntil = null
      this.attach(e, before, due.until)
    }
  }

  /** Starts a new day: calls-today back to 0 for everyone, keeping the idle order. */
  resetDailyCounts(): void {
    const eligible = [...this.entries.values()].filter((e) => e.indexed).sort((a, b) => a.idleSeq - b.idleSeq)
    for (const e of eligible) this.unindex(e)
    for (const e of this.entries.values()) e.callsToday = 0
    for (const e of eligible) this.index(e)
  }

  /** The agent as of the last time the index was told (a wrap-up due since then ends at the next call that carries a time). */
  get(id: string): AgentView | undefined {
    const e = this.entries.get(id)
    return e === undefined ? undefined : { profile: e.profile, state: stateOf(e) }
  }

  /** Every agent, in registration order. */
  snapshot(): AgentView[] {
    return [...this.entries.values()].map((e) => ({ profile: e.profile, state: stateOf(e) }))
  }

  /** Why the agent cannot take an interaction now ('unknown-agent' when not registered), or null. */
  skipReason(id: string): SkipReason | null {
    const e = this.entries.get(id)
    return e === undefined ? 'unknown-agent' : availabilitySkip(e)
  }

  /** @internal Live entry, for the routing steps; never hand it outside the core. */
  entry(id: string): AgentEntry<SkillSetPool> | undefined {
    return this.entries.get(id)
  }

  /** @internal */
  team(name: string): TeamGroup | undefined {
    return this.teams.get(name)
  }

  /** @internal */
  skill(name: string): SkillGroup | undefined {
    return this.skills.get(name)
  }

  /**
   * @internal Eligible agents meeting every requirement, of `team` when given, built on first use
   * (one pass over the agents of one skill, or of the team). `key`, `reqs` and `team` come from one
   * canonicalSkillSet call. Undefined when a skill, or the team, has no agent at all.
   */
  skillSet(key: string, reqs: readonly SkillRequirement[], team: string | null = null): SkillSetPool | undefined {
    return this.skillSets.get(key, reqs, team, this.members)
  }

  /** @internal Agents who may have room since the last call (registered ones only), for the waiting queue. */
  takeFreed(): AgentEntry<SkillSetPool>[] {
    if (this.freed.size === 0) return []
    const out = [...this.freed].filter((e) => this.entries.get(e.profile.id) === e)
    this.freed = new Set()
    return out
  }

  /** When the earliest wrap-up ends (it may since have ended early), or null when none is pending. */
  nextWrapUpEnd(): number | null {
    return this.wrapUps.nextUntil() ?? null
  }

  /** @internal Every live entry, in registration order. */
  allEntries(): IterableIterator<AgentEntry<SkillSetPool>> {
    return this.entries.values()
  }

  private detach(e: AgentEntry): AgentStatus {
    if (e.indexed) this.unindex(e)
    return statusOf(e)
  }

  private attach(e: AgentEntry<SkillSetPool>, before: AgentStatus, at: number): void {
    if (statusOf(e) !== before) e.since = at
    if (isEligible(e)) {
      this.index(e)
      this.freed.add(e)
    }
  }

  /** Enters the eligible pools at the back of the idle order. */
  private index(e: AgentEntry): void {
    e.idleSeq = ++this.nextIdleSeq
    e.indexed = true
    if (e.profile.team !== null) this.teams.get(e.profile.team)!.pool.add(e)
    for (const set of e.skillSets) set.add(e)
  }

  private unindex(e: AgentEntry): void {
    e.indexed = false
    if (e.profile.team !== null) this.teams.get(e.profile.team)!.pool.delete(e)
    for (const set of e.skillSets) set.delete(e)
  }

  private joinGroups(e: AgentEntry): void {
    const team = e.profile.team
    if (team !== null) {
      let group = this.teams.get(team)
      if (group === undefined) this.teams.set(team, (group = createTeamGroup(team)))
      group.members.add(e)
    }
    for (const skill of e.skillLevels.keys()) {
      let group = this.skills.get(skill)
      if (group === undefined) this.skills.set(skill, (group = createSkillGroup(skill)))
      group.members.add(e)
    }
    this.skillSets.join(e)
  }

  private leaveGroups(e: AgentEntry): void {
    const team = e.profile.team
    if (team !== null) {
      const group = this.teams.get(team)!
      group.members.delete(e)
      if (group.members.size === 0) this.teams.delete(team)
    }
    for (const skill of e.skillLevels.keys()) {
      const group = this.skills.get(skill)!
      group.members.delete(e)
      if (group.members.size === 0) {
        this.skills.delete(skill)
        this.skillSets.forgetSkill(skill)
      }
    }
    // Which skill sets an agent belongs to depends on their team as well as their skills, so a
    // changed agent leaves them all and joinGroups works them out again from the new profile.
    e.skillSets = []
  }
}

function validate(profile: AgentProfile): void {
  if (!Number.isInteger(profile.capacity) || profile.capacity < 1) {
    throw new RangeError(`agent "${profile.id}": capacity must be a whole number >= 1, got ${profile.capacity}`)
  }
  for (const skill in profile.skills) {
    const p = profile.skills[skill]!
    if (!Number.isInteger(p) || p < 1 || p > MAX_PROFICIENCY) {
      throw new RangeError(`agent "${profile.id}": proficiency of "${skill}" must be a whole number 1..10, got ${p}`)
    }
  }
}
