import t from 'tap'
import type { AgentIndex } from '../../src/routing/agent-index.js'
import { decide } from '../../src/routing/decide.js'
import { canonicalSkillSet } from '../../src/routing/skill-sets.js'
import type { AgentProfile, Interaction, LineInfo, RouteStep, SkillRequirement, Strategy } from '../../src/routing/types.js'
import { agent, call, indexOf, line, MINUTE, rule, rules, T0, testEnv } from './fixtures/inputs.js'

type SkillsStep = Extract<RouteStep, { kind: 'skills' }>

const req = (skill: string, minProficiency: number): SkillRequirement => ({ skill, minProficiency })
const crm = (min: number, over: Partial<SkillsStep> = {}): SkillsStep => ({ kind: 'skills', skills: [req('crm', min)], strategy: 'best-skill', ringSeconds: 15, ...over })

function route(index: AgentIndex, steps: RouteStep[], over: { line?: LineInfo; interaction?: Interaction; maxTargets?: number; fullTrace?: boolean } = {}) {
  return decide(
    {
      interaction: over.interaction ?? call(),
      customer: null,
      line: over.line ?? null,
      rules: rules([rule('main', { steps })]),
      maxTargets: over.maxTargets ?? 10,
      fullTrace: over.fullTrace ?? false
    },
    index,
    testEnv()
  )
}

const ids = (d: ReturnType<typeof decide>) => d.targets.map((x) => x.agentId)
/** Eligible members of the index's skill set for these requirements and team, in idle order. */
const pool = (index: AgentIndex, reqs: SkillRequirement[], team: string | null) => {
  const c = canonicalSkillSet(reqs, team)
  return [...(index.skillSet(c.key, c.reqs, c.team)?.pool.idle ?? [])].map((e) => e.profile.id)
}

/** Sellers and VIP-desk agents who all know CRM; the VIP desk knows it best. */
function floor(): AgentProfile[] {
  return [
    agent('vip-10', { team: 'vip-desk', skills: { crm: 10, en: 9 } }),
    agent('sales-7', { team: 'sales', skills: { crm: 7, en: 3 } }),
    agent('vip-9', { team: 'vip-desk', skills: { crm: 9 } }),
    agent('sales-9', { team: 'sales', skills: { crm: 9 } }),
    agent('sales-3', { team: 'sales', skills: { crm: 3 } }),
    agent('nobody-10', { skills: { crm: 10 } }),
    agent('sales-8', { team: 'sales', skills: { crm: 8, en: 8 } })
  ]
}

const SALES_QUALIFIED = ['sales-7', 'sales-9', 'sales-8']

for (const strategy of ['longest-idle', 'fewest-calls', 'best-skill', 'round-robin', 'random'] satisfies Strategy[]) {
  t.test(`a team-limited skills step (${strategy}) offers qualified agents of that team only, and meets no one else`, async (t) => {
    const d = route(indexOf(floor()), [crm(5, { team: 'sales', strategy })])
    t.same([...ids(d)].sort(), [...SALES_QUALIFIED].sort())
    t.equal(d.trace.steps[0]?.considered, 3, 'the walk examined the team’s qualified agents and nobody else')
    t.same(d.trace.steps[0]?.skipped, [])
  })
}

t.test('best-skill ranks by proficiency within the team, longest idle first within a level', async (t) => {
  const agents = [...floor(), agent('sales-9b', { team: 'sales', skills: { crm: 9 } })]
  const index = indexOf(agents)
  index.setAgentState('sales-9', 'away', T0 - 2 * MINUTE)
  index.setAgentState('sales-9', 'available', T0 - MINUTE)
  const d = route(index, [crm(5, { team: 'sales' })])
  t.same(ids(d), ['sales-9b', 'sales-9', 'sales-8', 'sales-7'])
  t.same(ids(route(index, [crm(5)])), ['vip-10', 'nobody-10', 'vip-9', 'sales-9b', 'sales-9', 'sales-8', 'sales-7'], 'without the team, everyone')
})

t.test('the trace names the team and the reason mentions it', async (t) => {
  const index = indexOf(floor())
  const d = route(index, [crm(7, { team: 'sales' })], { maxTargets: 1 })
  t.same(d.trace.steps[0], { rule: 'main', step: 'skills crm>=7 in team sales (best-skill)', considered: 1, skipped: [], chosen: ['sales-9'] })
  t.equal(d.reason, 'best match for crm in team sales')
  t.equal(route(index, [crm(7, { team: 'sales', strategy: 'longest-idle' })]).reason, 'team sales, skilled in crm')
})

t.test('the product shortcut limited to a team picks the best of the team in the line’s product', async (t) => {
  const index = indexOf(floor())
  const step: SkillsStep = { kind: 'skills', skills: [], lineProduct: { minProficiency: 7 }, team: 'sales', strategy: 'best-skill', ringSeconds: 25 }
  const d = route(index, [step], { line: line({ product: 'crm' }) })
  t.same(ids(d), ['sales-9', 'sales-8', 'sales-7'])
  t.equal(d.trace.steps[0]?.step, 'skills crm>=7 in team sales (best-skill)')
  t.equal(d.reason, 'best match for crm in team sales')
  const visit = route(index, [step], { interaction: call({ kind: 'web-visit', channel: 'web', caller: null, dialed: null, product: 'en' }) })
  t.same(ids(visit), ['sales-8'], 'the web page’s product, within the team')
})

t.test('the same skills within a team and across all teams are separate skill sets', async (t) => {
  const all = canonicalSkillSet([req('crm', 5)])
  const sales = canonicalSkillSet([req('crm', 5)], 'sales')
  t.not(all.key, sales.key)
  t.not(sales.key, canonicalSkillSet([req('crm', 5)], 'vip-desk').key)
  t.equal(canonicalSkillSet([req('en', 1), req('crm', 5)], 'sales').key, canonicalSkillSet([req('en', 1), req('crm', 2), req('crm', 5)], 'sales').key)
  t.equal(sales.team, 'sales')
  t.equal(all.team, null)

  const index = indexOf(floor())
  t.same(pool(index, [req('crm', 5)], 'sales'), SALES_QUALIFIED)
  t.same(pool(index, [req('crm', 5)], 'vip-desk'), ['vip-10', 'vip-9'])
  t.same(pool(index, [req('crm', 5)], null), ['vip-10', 'sales-7', 'vip-9', 'sales-9', 'nobody-10', 'sales-8'])
})

t.test('an agent whose team changes leaves the old team’s skill sets and joins the new one’s', async (t) => {
  const index = indexOf(floor())
  t.same(pool(index, [req('crm', 5)], 'sales'), SALES_QUALIFIED)
  t.same(pool(index, [req('crm', 5)], 'vip-desk'), ['vip-10', 'vip-9'])
  t.same(pool(index, [req('crm', 5)], null), ['vip-10', 'sales-7', 'vip-9', 'sales-9', 'nobody-10', 'sales-8'])

  index.upsertAgent(agent('vip-10', { team: 'sales', skills: { crm: 10, en: 9 } }))
  t.same(pool(index, [req('crm', 5)], 'sales'), [...SALES_QUALIFIED, 'vip-10'], 'joins the new team’s set at the back of the idle order')
  t.same(pool(index, [req('crm', 5)], 'vip-desk'), ['vip-9'])
  t.same(pool(index, [req('crm', 5)], null), ['sales-7', 'vip-9', 'sales-9', 'nobody-10', 'sales-8', 'vip-10'], 'stays in the set of all teams')
  t.same(ids(route(index, [crm(5, { team: 'sales' })])), ['vip-10', 'sales-9', 'sales-8', 'sales-7'])
  t.same(ids(route(index, [crm(5, { team: 'vip-desk' })])), ['vip-9'])

  index.upsertAgent(agent('vip-10', { team: null, skills: { crm: 10, en: 9 } }))
  t.same(pool(index, [req('crm', 5)], 'sales'), SALES_QUALIFIED, 'leaving every team leaves every team’s sets')
  t.same(index.entry('vip-10')?.skillSets.map((s) => s.team), [null])
})

t.test('an agent who changes team while away joins the new team’s set when they come back', async (t) => {
  const index = indexOf(floor())
  t.same(pool(index, [req('crm', 5)], 'sales'), SALES_QUALIFIED)
  index.setAgentState('vip-9', 'away', T0)
  index.upsertAgent(agent('vip-9', { team: 'sales', skills: { crm: 9 } }))
  t.same(pool(index, [req('crm', 5)], 'sales'), SALES_QUALIFIED, 'not while away')
  index.setAgentState('vip-9', 'available', T0 + MINUTE)
  t.same(pool(index, [req('crm', 5)], 'sales'), [...SALES_QUALIFIED, 'vip-9'])
  t.same(pool(index, [req('crm', 5)], 'vip-desk'), ['vip-10'])
})

t.test('a team-limited set follows its team even after the team had no one left', async (t) => {
  const index = indexOf([agent('a', { team: 'night', skills: { crm: 5 } }), agent('b', { team: 'day', skills: { crm: 5 } })])
  t.same(ids(route(index, [crm(1, { team: 'night' })])), ['a'])
  index.upsertAgent(agent('a', { team: 'day', skills: { crm: 5 } }))
  const empty = route(index, [crm(1, { team: 'night' })])
  t.same(ids(empty), [])
  t.notOk(empty.trace.steps[0]?.note, 'the set still exists, with nobody in it')
  index.upsertAgent(agent('b', { team: 'night', skills: { crm: 5 } }))
  t.same(ids(route(index, [crm(1, { team: 'night' })])), ['b'])
})

t.test('a team nobody is in, or a skill nobody has, finds nobody, with a note', async (t) => {
  const index = indexOf(floor())
  t.equal(route(index, [crm(1, { team: 'night' })]).trace.steps[0]?.note, 'no agent is in team night')
  const radio: SkillsStep = { kind: 'skills', skills: [req('radio', 1)], team: 'night', strategy: 'best-skill', ringSeconds: 15 }
  t.equal(route(index, [radio]).trace.steps[0]?.note, 'no agent has skill radio')
})

t.test('the full trace says which skilled agents are in another team', async (t) => {
  const index = indexOf(floor())
  index.setAgentState('sales-8', 'away', T0)
  const d = route(index, [crm(5, { team: 'sales' })], { fullTrace: true })
  t.same(ids(d), ['sales-9', 'sales-7'])
  t.same(d.trace.steps[0]?.skipped, [
    { agentId: 'vip-10', reason: 'other-team' },
    { agentId: 'vip-9', reason: 'other-team' },
    { agentId: 'sales-3', reason: 'below-proficiency' },
    { agentId: 'nobody-10', reason: 'other-team' },
    { agentId: 'sales-8', reason: 'away' }
  ])
  t.equal(d.trace.steps[0]?.considered, 7)
  t.same(route(index, [crm(5, { team: 'sales' })]).trace.steps[0]?.skipped, [], 'without the full trace nobody outside the pool is examined')
})

t.test('round-robin within a team continues after the team member offered last, whatever else was offered', async (t) => {
  const index = indexOf(floor())
  const rr = crm(1, { team: 'sales', strategy: 'round-robin' })
  index.reserve('sales-9', T0)
  index.release('sales-9', T0)
  index.reserve('vip-10', T0 + 1)
  index.release('vip-10', T0 + 1)
  t.same(ids(route(index, [rr])), ['sales-3', 'sales-8', 'sales-7', 'sales-9'])
})
