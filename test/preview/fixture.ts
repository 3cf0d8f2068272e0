/**
 * A small call center for the preview tests: rules files, agents, and a day of real calls routed
 * by the real CallRouter while the availability observer logs every change, with the facts each
 * decision read, written to a test database as the server writes them.
 */
import type { Kysely } from 'kysely'
import pino from 'pino'
import type { Database } from '../../src/crm/schema.js'
import { AvailabilityObserver } from '../../src/presence/availability-log.js'
import { insertAvailabilityRows } from '../../src/presence/availability-log-writer.js'
import { insertCallFacts } from '../../src/preview/facts-recorder.js'
import { summarize, type AvailabilityRow, type CallFacts } from '../../src/preview/types.js'
import { AgentIndex, CallRouter, type AgentProfile, type CustomerSummary, type RuleSet } from '../../src/routing/index.js'
import { compileRuleSet, createCatalog } from '../../src/rules/index.js'

export const catalogYaml = `agents: [a-anna, a-boris, a-clara, a-dmitri]
teams: [vip-desk, support]
skills: [billing]
`
export const calendarYaml = `calendar:
  timezone: UTC
  hours:
    mon-fri: 00:00-24:00
    sat: 00:00-24:00
    sun: 00:00-24:00
`
export const rulesYaml = `rules:
  - name: VIP customers
    when: customer.tier == "vip"
    route:
      - team: vip-desk
        strategy: longest-idle
    otherwise: voicemail
  - name: everyone else
    route:
      - team: support
        strategy: longest-idle
    otherwise: voicemail
`
/** The VIP rule removed: VIP callers go to support like everyone else. */
export const withoutVipYaml = `rules:
  - name: everyone else
    route:
      - team: support
        strategy: longest-idle
    otherwise: voicemail
`

export const files = { 'catalog.yaml': catalogYaml, 'calendar.yaml': calendarYaml, 'rules.yaml': rulesYaml }

export const AGENTS: AgentProfile[] = [
  { id: 'a-anna', name: 'Anna', team: 'vip-desk', address: 'sip:anna@pbx', capacity: 1, skills: {} },
  { id: 'a-boris', name: 'Boris', team: 'vip-desk', address: 'sip:boris@pbx', capacity: 1, skills: {} },
  { id: 'a-clara', name: 'Clara', team: 'support', address: 'sip:clara@pbx', capacity: 1, skills: {} },
  { id: 'a-dmitri', name: 'Dmitri', team: 'support', address: 'sip:dmitri@pbx', capacity: 1, skills: { billing: 5 } }
]

/** Tuesday 24 Nov 2026, 10:00 UTC: the day the calls happened. */
export const DAY = Date.parse('2026-11-24T10:00:00Z')

export function compiled(rules: string): RuleSet {
  const result = compileRuleSet([{ file: 'calendar.yaml', text: calendarYaml }, { file: 'rules.yaml', text: rules }],
    createCatalog({ agents: AGENTS.map((a) => a.id), teams: ['vip-desk', 'support'], skills: ['billing'] }))
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  return result.ruleSet
}

export function customer(id: string, tier: string | null): CustomerSummary {
  return { id, name: `Customer ${id}`, ownerAgentId: null, tier, segment: null, language: null, overdueAmount: 0, overdueDays: 0, blocked: false, lastAgentId: null, lastContactAt: null, openDealStage: null }
}

/**
 * Routes `count` calls a minute apart, every third a VIP, each answered at once and ended after
 * 90 s with 30 s of wrap-up; agents sign in at DAY - 1 h. Returns the log rows and facts.
 */
export function simulateDay(count: number): { rows: AvailabilityRow[]; facts: CallFacts[]; rules: RuleSet } {
  const rules = compiled(rulesYaml)
  const index = new AgentIndex()
  const rows: AvailabilityRow[] = []
  let now = DAY - 3_600_000
  new AvailabilityObserver(index, (r) => rows.push(r), pino({ level: 'silent' }), () => now)
  const router = new CallRouter({ index, env: { now: () => now, random: () => 0.5 }, wrapUpSeconds: 30 })
  for (const agent of AGENTS) index.upsertAgent(agent, { since: now })
  for (const agent of AGENTS) index.setAgentState(agent.id, 'available', (now += 1000))
  const facts: CallFacts[] = []
  const ends: { at: number; id: string }[] = []
  for (let i = 0; i < count; i++) {
    const at = DAY + i * 60_000
    for (const end of ends.filter((e) => e.at <= at)) {
      now = end.at
      router.ended(end.id)
    }
    ends.splice(0, ends.length, ...ends.filter((e) => e.at > at))
    now = at
    const c = customer(String(i), i % 3 === 0 ? 'vip' : null)
    const interaction = { id: `call-${i}`, kind: 'call' as const, caller: `+7916000${String(i).padStart(4, '0')}`, dialed: '+74951234567', at, channel: 'http' as const }
    const decision = router.route({ interaction, customer: c, line: null, rules })
    facts.push({ callId: interaction.id, at, version: rules.version, kind: 'call', channel: 'http', caller: interaction.caller, dialed: interaction.dialed, product: null, customer: c, line: null, lineFromRules: false, named: false, decided: summarize(decision) })
    const agent = decision.targets[0]?.agentId
    if (agent !== undefined) {
      now = at + 5000
      router.answered(interaction.id, agent)
      ends.push({ at: at + 95_000, id: interaction.id })
    } else {
      router.ended(interaction.id)
    }
  }
  return { rows, facts, rules }
}

export async function store(db: Kysely<Database>, day: { rows: AvailabilityRow[]; facts: CallFacts[] }): Promise<void> {
  for (let i = 0; i < day.rows.length; i += 500) await insertAvailabilityRows(db, day.rows.slice(i, i + 500))
  for (let i = 0; i < day.facts.length; i += 500) await insertCallFacts(db, day.facts.slice(i, i + 500))
}
