import type { Kysely } from 'kysely'
import type { AgentProfile } from '../routing/types.js'
import type { Database } from './schema.js'

/** An agent as the API shows and accepts it. */
export interface Agent {
  id: string
  name: string
  sipUri: string | null
  extension: string | null
  team: string | null
  capacity: number
  active: boolean
  /** Skill id → proficiency 1..10. */
  skills: Record<string, number>
}

export type AgentInput = Omit<Agent, 'active'> & { active?: boolean }

/**
 * Creates or replaces an agent with their skills, in one transaction. Teams and
 * skills named for the first time are created, so an admin can add an agent
 * with a single request.
 */
export async function upsertAgent(db: Kysely<Database>, input: AgentInput): Promise<Agent> {
  return db.transaction().execute(async (trx) => {
    if (input.team) {
      await trx.insertInto('teams').values({ id: input.team, name: input.team }).onConflict((oc) => oc.column('id').doNothing()).execute()
    }
    const skillIds = Object.keys(input.skills)
    if (skillIds.length > 0) {
      await trx
        .insertInto('skills')
        .values(skillIds.map((id) => ({ id })))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
    }
    const columns = {
      name: input.name,
      sip_uri: input.sipUri,
      extension: input.extension,
      team_id: input.team,
      capacity: input.capacity,
      active: input.active ?? true
    }
    await trx
      .insertInto('agents')
      .values({ id: input.id, ...columns })
      .onConflict((oc) => oc.column('id').doUpdateSet(columns))
      .execute()
    await trx.deleteFrom('agent_skills').where('agent_id', '=', input.id).execute()
    if (skillIds.length > 0) {
      await trx
        .insertInto('agent_skills')
        .values(skillIds.map((skill) => ({ agent_id: input.id, skill_id: skill, proficiency: input.skills[skill] ?? 1 })))
        .execute()
    }
    return { ...input, active: input.active ?? true }
  })
}

/** All agents (or the one with `id`), with their skills. */
export async function listAgents(db: Kysely<Database>, id?: string): Promise<Agent[]> {
  let agentsQuery = db.selectFrom('agents').selectAll().orderBy('id')
  let skillsQuery = db.selectFrom('agent_skills').selectAll()
  if (id !== undefined) {
    agentsQuery = agentsQuery.where('id', '=', id)
    skillsQuery = skillsQuery.where('agent_id', '=', id)
  }
  const [agents, skills] = await Promise.all([agentsQuery.execute(), skillsQuery.execute()])
  const byAgent = new Map<string, Record<string, number>>()
  for (const s of skills) {
    let map = byAgent.get(s.agent_id)
    if (!map) byAgent.set(s.agent_id, (map = {}))
    map[s.skill_id] = s.proficiency
  }
  return agents.map((a) => ({
    id: a.id,
    name: a.name,
    sipUri: a.sip_uri,
    extension: a.extension,
    team: a.team_id,
    capacity: a.capacity,
    active: a.active,
    skills: byAgent.get(a.id) ?? {}
  }))
}

export async function getAgent(db: Kysely<Database>, id: string): Promise<Agent | null> {
  return (await listAgents(db, id))[0] ?? null
}

/** What the routing core needs of an agent: where to ring them (SIP URI first, else extension). */
export function toAgentProfile(agent: Agent): AgentProfile {
  return {
    id: agent.id,
    name: agent.name,
    team: agent.team,
    address: agent.sipUri ?? agent.extension ?? '',
    capacity: agent.capacity,
    skills: agent.skills
  }
}

/** Ids of agents, skills and teams, so rules can be checked against what exists. */
export async function loadCatalog(db: Kysely<Database>): Promise<{ agents: Set<string>; skills: Set<string>; teams: Set<string> }> {
  const [agents, skills, teams] = await Promise.all([
    db.selectFrom('agents').select('id').execute(),
    db.selectFrom('skills').select('id').execute(),
    db.selectFrom('teams').select('id').execute()
  ])
  return {
    agents: new Set(agents.map((r) => r.id)),
    skills: new Set(skills.map((r) => r.id)),
    teams: new Set(teams.map((r) => r.id))
  }
}
