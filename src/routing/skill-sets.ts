import { AgentPool } from './agent-pool.js'
import type { AgentEntry, SkillSetMembership } from './agent-entry.js'
import type { SkillRequirement } from './types.js'

/** Proficiency runs 1..10. */
export const MAX_PROFICIENCY = 10

/** Everyone (eligible or not) with a skill, or in a team: where skill sets find their members. */
export interface SkillSetSources {
  skill(name: string): ReadonlySet<AgentEntry> | undefined
  team(name: string): ReadonlySet<AgentEntry> | undefined
}

/**
 * The eligible agents who meet a whole set of skill requirements — every skill at or above its
 * minimum, and the team when the set is limited to one — so a skills step reads qualified agents
 * from the front of its orders. Walking one skill's agents and checking the others instead
 * degrades over time: the agents who fail the check are never taken, so they gather at the front
 * of the idle order and every walk passes them. The team belongs to the set for the same reason.
 */
export class SkillSetPool implements SkillSetMembership {
  readonly pool = new AgentPool()
  /** Round-robin continues after the member last offered an interaction. */
  cursor = -1
  /** When the set was last asked for, as a sequence number: the least recently used is dropped first. */
  usedAt = 0
  /**
   * By proficiency in the first requirement's skill, each in idle order, for best-skill; kept only
   * once a best-skill walk has asked, like the pool's other orders.
   */
  private levels: (Set<AgentEntry> | undefined)[] | undefined

  constructor(
    readonly key: string,
    readonly reqs: readonly SkillRequirement[],
    /** Only agents of this team, or null for agents of any team (or none). */
    readonly team: string | null
  ) {}

  qualifies(e: AgentEntry): boolean {
    if (this.team !== null && e.profile.team !== this.team) return false
    for (const r of this.reqs) if ((e.skillLevels.get(r.skill) ?? 0) < r.minProficiency) return false
    return true
  }

  add(e: AgentEntry): void {
    this.pool.add(e)
    if (this.levels !== undefined) this.addByLevel(this.levels, e)
  }

  delete(e: AgentEntry): void {
    this.pool.delete(e)
    this.levels?.[e.skillLevels.get(this.reqs[0]!.skill)!]?.delete(e)
  }

  /** best-skill: highest proficiency in the first skill first, longest idle within a level. */
  walkByLevel(visit: (e: AgentEntry) => boolean): boolean {
    if (this.levels === undefined) {
      const levels: (Set<AgentEntry> | undefined)[] = []
      for (const e of this.pool.idle) this.addByLevel(levels, e)
      this.levels = levels
    }
    for (let p = MAX_PROFICIENCY; p >= 1; p--) {
      const level = this.levels[p]
      if (level !== undefined) for (const e of level) if (visit(e)) return true
    }
    return false
  }

  private addByLevel(levels: (Set<AgentEntry> | undefined)[], e: AgentEntry): void {
    ;(levels[e.skillLevels.get(this.reqs[0]!.skill)!] ??= new Set()).add(e)
  }
}

/** A skill set's identity: canonical requirements, the team it is limited to, and a key for both. */
export interface CanonicalSkillSet {
  key: string
  reqs: SkillRequirement[]
  team: string | null
}

/**
 * Requirements in a canonical form and their key: the first stays first (best-skill ranks by it),
 * the rest sorted by skill; a skill listed twice keeps its higher minimum; minimums below 1 are 1.
 * The team is part of the key: the same skills within a team and across all teams are two sets.
 */
export function canonicalSkillSet(reqs: readonly SkillRequirement[], team: string | null = null): CanonicalSkillSet {
  const merged = new Map<string, number>()
  for (const r of reqs) merged.set(r.skill, Math.max(merged.get(r.skill) ?? 1, r.minProficiency))
  const [first, ...rest] = [...merged].map(([skill, minProficiency]) => ({ skill, minProficiency }))
  const canonical = first === undefined ? [] : [first, ...rest.sort((a, b) => (a.skill < b.skill ? -1 : a.skill > b.skill ? 1 : 0))]
  return { key: JSON.stringify([team, canonical.map((r) => [r.skill, r.minProficiency])]), reqs: canonical, team }
}

/**
 * The skill sets asked for so far, kept up to date as agents come, go and change. A set is built
 * on first use from the agents of its rarest skill, or of its team when that is smaller (once per
 * set, not per call); sets are found again through their skills, team-limited ones too. Past `limit`
 * sets the least recently used is dropped, so products named by web visitors cannot grow it
 * without end. Entries list the sets they belong to, eligible or not (AgentEntry.skillSets).
 */
export class SkillSetRegistry {
  private readonly byKey = new Map<string, SkillSetPool>()
  private readonly bySkill = new Map<string, Set<SkillSetPool>>()
  private uses = 0

  constructor(private readonly limit: number) {}

  /**
   * The set for `key`, `reqs` and `team` from one canonicalSkillSet call; undefined when there are
   * no requirements, when one of the skills has no agent at all, or when the team has no agent.
   */
  get(key: string, reqs: readonly SkillRequirement[], team: string | null, sources: SkillSetSources): SkillSetPool | undefined {
    let set = this.byKey.get(key)
    if (set !== undefined) {
      set.usedAt = ++this.uses
      return set
    }
    let rarest: ReadonlySet<AgentEntry> | undefined
    for (const r of reqs) {
      const members = sources.skill(r.skill)
      if (members === undefined) return undefined
      if (rarest === undefined || members.size < rarest.size) rarest = members
    }
    if (rarest === undefined) return undefined
    if (team !== null) {
      const members = sources.team(team)
      if (members === undefined) return undefined
      if (members.size < rarest.size) rarest = members
    }
    set = new SkillSetPool(key, reqs, team)
    const eligible: AgentEntry[] = []
    let lastOffered: AgentEntry | undefined
    for (const e of rarest) {
      if (!set.qualifies(e)) continue
      e.skillSets.push(set)
      if (e.indexed) eligible.push(e)
      if (e.offeredSeq > (lastOffered?.offeredSeq ?? 0)) lastOffered = e
    }
    // Enter in idle order, and continue the rotation after whoever was offered last, as if the
    // set had always been there.
    eligible.sort((a, b) => a.idleSeq - b.idleSeq)
    for (const e of eligible) set.add(e)
    if (lastOffered !== undefined) set.cursor = lastOffered.ord
    for (const r of reqs) {
      let sets = this.bySkill.get(r.skill)
      if (sets === undefined) this.bySkill.set(r.skill, (sets = new Set()))
      sets.add(set)
    }
    this.byKey.set(key, set)
    set.usedAt = ++this.uses
    if (this.byKey.size > this.limit) this.drop(this.leastRecentlyUsed(), sources)
    return set
  }

  /**
   * Works out which known sets an agent belongs to, from their skills and team as they are now;
   * the agent must not be in any pool yet (a changed agent leaves every set first, see leaveGroups).
   */
  join(e: AgentEntry): void {
    const found = new Set<SkillSetPool>()
    for (const skill of e.skillLevels.keys()) for (const set of this.bySkill.get(skill) ?? []) if (set.qualifies(e)) found.add(set)
    e.skillSets = [...found]
  }

  /** Nobody has this skill any more: sets that need it can have no members. */
  forgetSkill(skill: string): void {
    for (const set of this.bySkill.get(skill) ?? []) this.unregister(set)
  }

  /** A scan, but only when a new set pushes past the limit, which costs a scan of agents anyway. */
  private leastRecentlyUsed(): SkillSetPool {
    let oldest: SkillSetPool | undefined
    for (const set of this.byKey.values()) if (oldest === undefined || set.usedAt < oldest.usedAt) oldest = set
    return oldest!
  }

  private drop(set: SkillSetPool, sources: SkillSetSources): void {
    this.unregister(set)
    // Every member has the first skill, so its agents are all that can refer to the set.
    for (const e of sources.skill(set.reqs[0]!.skill) ?? []) {
      if (e.skillSets.includes(set)) e.skillSets = e.skillSets.filter((s) => s !== set)
    }
  }

  private unregister(set: SkillSetPool): void {
    this.byKey.delete(set.key)
    for (const r of set.reqs) {
      const sets = this.bySkill.get(r.skill)
      sets?.delete(set)
      if (sets?.size === 0) this.bySkill.delete(r.skill)
    }
  }
}
