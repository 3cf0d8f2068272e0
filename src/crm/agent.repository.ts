import type { Kysely } from 'kysely'
import type { AgentProfile } from '../routing/types.js'
import { chatDb } from './chat-schema.js'
import type { Database } from './schema.js'

/** An agent as the API shows and accepts it. */
export interface Agent {
  id: string
  name: string
  sipUri: string | null
  extension: string | null
  team: string | null
  capacity: number
  /** The language of the agent's page; null: the browser's. Left out of an upsert: kept as it is. */
  language?: AgentLanguage | null
  /** Web chats held at once, counted apart from calls (0: none); listAgents always sets it (default 3). */
  chatCapacity?: number
  active: boolean
  /** Skill id → proficiency 1..10. */
  skills: Record<string, number>
}

export type AgentLanguage = 'ru' | 'en'

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
      ...(input.language === undefined ? {} : { language: input.language }),
      active: input.active ?? true,
      ...(input.chatCapacity === undefined ? {} : { chat_capacity: input.chatCapacity })
    }
    await chatDb(trx)
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
    // A body without a language keeps the one stored (the agent may have chosen it on their page).
    if (input.language === undefined) input = { ...input, language: await agentLanguage(trx, input.id) }
    const chatCapacity = input.chatCapacity ?? (await chatDb(trx).selectFrom('agents').select('chat_capacity').where('id', '=', input.id).executeTakeFirstOrThrow()).chat_capacity
    return { ...input, chatCapacity, active: input.active ?? true }
  })
}

/** All agents (or the one with `id`), with their skills. */
export async function listAgents(db: Kysely<Database>, id?: string): Promise<Agent[]> {
  let agentsQuery = chatDb(db).selectFrom('agents').selectAll().orderBy('id')
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
    chatCapacity: a.chat_capacity,
    active: a.active,
    language: asLanguage(a.language),
    skills: byAgent.get(a.id) ?? {}
  }))
}

const asLanguage = (value: string | null): AgentLanguage | null => (value === 'ru' || value === 'en' ? value : null)

export async function agentLanguage(db: Kysely<Database>, id: string): Promise<AgentLanguage | null> {
  const row = await db.selectFrom('agents').select('language').where('id', '=', id).executeTakeFirst()
  return asLanguage(row?.language ?? null)
}

/** Sets the language of an agent's page (null: the browser's); false when there is no such agent. */
export async function setAgentLanguage(db: Kysely<Database>, id: string, language: AgentLanguage | null): Promise<boolean> {
  const result = await db.updateTable('agents').set({ language }).where('id', '=', id).executeTakeFirst()
  return result.numUpdatedRows > 0n
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
    chatCapacity: agent.chatCapacity,
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
