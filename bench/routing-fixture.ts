/**
 * A deterministic call center for the routing benchmarks: agents with skills and teams, lines per
 * campaign, known and unknown callers, and a rule set. The same seed gives the same center, so
 * figures from different runs, and from rival rule compilers, are comparable.
 */
import type { AgentIndex } from '../src/routing/agent-index.js'
import { seededRandom } from '../src/seeded-random.js'
import type {
  AgentProfile,
  BusinessCalendar,
  CompiledRule,
  CustomerSummary,
  Interaction,
  LineInfo,
  RouteStep,
  RuleContext,
  RuleSet,
  Strategy
} from '../src/routing/types.js'

export interface FixtureSize {
  agents: number
  skills: number
  teams: number
  rules: number
  /** Distinct interactions to cycle through. */
  interactions: number
}

export const DEFAULT_SIZE: FixtureSize = { agents: 10_000, skills: 200, teams: 50, rules: 100, interactions: 10_000 }

export { seededRandom }

/** The first skills are languages everyone has one of; the rest are products. */
export const LANGUAGES = 5
export const START = Date.UTC(2024, 10, 12, 10, 0)
const DAY = 86_400_000


export const skillName = (i: number) => `skill-${String(i).padStart(3, '0')}`
export const teamName = (i: number) => `team-${String(i).padStart(2, '0')}`
const int = (rnd: () => number, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1))

/** UTC business hours 09–18 Monday to Friday, by arithmetic: as cheap as a compiled calendar should be. */
export const benchCalendar: BusinessCalendar = {
  timeZone: 'UTC',
  at(ms) {
    const minutes = Math.floor(ms / 60_000)
    const hour = Math.floor(minutes / 60) % 24
    const weekday = ((Math.floor(ms / DAY) + 3) % 7) + 1
    return { hour, minute: minutes % 60, weekday, holiday: false, businessHours: weekday <= 5 && hour >= 9 && hour < 18 }
  }
}

/** One language (proficiency 3..10), 3–7 products (1..10), one team; one in ten is a chat agent with capacity 3. */
export function buildAgents(rnd: () => number, size: FixtureSize = DEFAULT_SIZE): AgentProfile[] {
  const agents: AgentProfile[] = []
  for (let i = 0; i < size.agents; i++) {
    const skills: Record<string, number> = { [skillName(int(rnd, 0, LANGUAGES - 1))]: int(rnd, 3, 10) }
    for (let n = int(rnd, 3, 7); n > 0; n--) skills[skillName(int(rnd, LANGUAGES, size.skills - 1))] = int(rnd, 1, 10)
    const id = `agent-${i}`
    agents.push({ id, name: id, team: teamName(int(rnd, 0, size.teams - 1)), address: `sip:${id}@pbx`, capacity: rnd() < 0.1 ? 3 : 1, skills })
  }
  return agents
}

/** Registers the agents: 65 % available, the rest away, offline, or on a call the router did not place. */
export function loadAgents(index: AgentIndex, agents: readonly AgentProfile[], rnd: () => number, at = START): void {
  for (const a of agents) {
    const r = rnd()
    const status = r < 0.65 ? 'available' : r < 0.8 ? 'away' : r < 0.95 ? 'offline' : 'busy'
    index.upsertAgent(a, { status, since: at - int(rnd, 0, 3_600_000), callsToday: int(rnd, 0, 20) })
  }
}

/** One line per rule, each advertising one product. */
export function buildLines(rnd: () => number, size: FixtureSize = DEFAULT_SIZE): LineInfo[] {
  return Array.from({ length: size.rules }, (_, i) => ({
    number: `+7495100${String(i).padStart(4, '0')}`,
    name: `campaign ${i}`,
    source: i % 2 === 0 ? 'tv' : 'web',
    campaign: `camp-${i}`,
    product: skillName(int(rnd, LANGUAGES, size.skills - 1)),
    costPerLead: 100
  }))
}

/**
 * Rules as an admin would write them: per campaign, owner and last agent first, then specialists
 * or a team, then a queue. Every condition reads the campaign, so a call tries half the rules on
 * average before one matches; the last rule takes whatever is left.
 */
export function buildRuleSet(strategy: Strategy, lines: readonly LineInfo[], rnd: () => number, size: FixtureSize = DEFAULT_SIZE): RuleSet {
  const rules: CompiledRule[] = []
  const owner: RouteStep = { kind: 'owner', ringSeconds: 25 }
  const lastAgent: RouteStep = { kind: 'last-agent', withinDays: 30, ringSeconds: 20 }
  const language = (): RouteStep => ({ kind: 'skills', skills: [{ skill: skillName(int(rnd, 0, LANGUAGES - 1)), minProficiency: 4 }], lineProduct: { minProficiency: 3 }, strategy, ringSeconds: 15 })
  for (let i = 0; i < size.rules - 1; i++) {
    const campaign = `camp-${i}`
    const team: RouteStep = { kind: 'team', team: teamName(int(rnd, 0, size.teams - 1)), strategy, ringSeconds: 15 }
    const shapes: [(c: RuleContext) => boolean, RouteStep[]][] = [
      [(c) => c.line.campaign === campaign && c.customer.tier === 'vip', [owner, lastAgent, team]],
      [(c) => c.line.campaign === campaign, [owner, language()]],
      [(c) => c.line.campaign === campaign && c.time.businessHours, [lastAgent, language(), team]],
      [(c) => c.line.campaign === campaign && c.customer.overdueDays < 30, [owner, team, language()]]
    ]
    const [when, steps] = shapes[i % shapes.length]!
    rules.push({ name: `rule-${i}`, source: `rules.yaml:${i * 10 + 1}`, priority: i % 4 === 0 ? 10 : 0, when, steps, otherwise: { kind: 'queue', queue: campaign } })
  }
  rules.push({ name: 'everyone-else', source: 'rules.yaml:1000', priority: 0, steps: [{ kind: 'skills', skills: [], lineProduct: { minProficiency: 1 }, strategy, ringSeconds: 15 }], otherwise: { kind: 'queue', queue: 'general' } })
  return {
    version: `bench-${strategy}`,
    loadedAt: START,
    calendar: benchCalendar,
    rules,
    lines: new Map(lines.map((l) => [l.number, l])),
    fallback: { kind: 'voicemail', mailbox: null, callbackTask: true }
  }
}

export interface BenchCall {
  interaction: Interaction
  customer: CustomerSummary | null
  line: LineInfo | null
}

/** 70 % known customers (one in ten VIP) with an owner and a recent or old last contact. */
export function buildCalls(rnd: () => number, agents: readonly AgentProfile[], lines: readonly LineInfo[], size: FixtureSize = DEFAULT_SIZE): BenchCall[] {
  return Array.from({ length: size.interactions }, (_, i) => {
    const line = lines[int(rnd, 0, lines.length - 1)]!
    const known = rnd() < 0.7
    const customer: CustomerSummary | null = known
      ? {
          id: `c-${i}`,
          name: `Customer ${i}`,
          ownerAgentId: agents[int(rnd, 0, agents.length - 1)]!.id,
          tier: rnd() < 0.1 ? 'vip' : 'regular',
          segment: 'b2c',
          language: null,
          overdueAmount: 0,
          overdueDays: rnd() < 0.2 ? 45 : 0,
          blocked: false,
          lastAgentId: agents[int(rnd, 0, agents.length - 1)]!.id,
          lastContactAt: START - int(rnd, 0, 60) * DAY,
          openDealStage: null
        }
      : null
    const interaction: Interaction = { id: `i-${i}`, kind: 'call', caller: `+7916${String(i).padStart(7, '0')}`, dialed: line.number, at: START, channel: 'sip' }
    return { interaction, customer, line }
  })
}
