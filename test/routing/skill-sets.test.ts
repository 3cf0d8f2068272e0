import t from 'tap'
import { AgentIndex } from '../../src/routing/agent-index.js'
import { canonicalSkillSet } from '../../src/routing/skill-sets.js'
import { decide } from '../../src/routing/decide.js'
import type { RouteStep, SkillRequirement } from '../../src/routing/types.js'
import { agent, call, indexOf, MINUTE, rule, rules, T0, testEnv } from './fixtures/inputs.js'

const req = (skill: string, minProficiency: number): SkillRequirement => ({ skill, minProficiency })
const setOf = (index: AgentIndex, reqs: SkillRequirement[]) => {
  const c = canonicalSkillSet(reqs)
  return index.skillSet(c.key, c.reqs)
}
const ids = (index: AgentIndex, reqs: SkillRequirement[]) => [...(setOf(index, reqs)?.pool.idle ?? [])].map((e) => e.profile.id)

t.test('the same requirements in another order, or listed twice, are one skill set', async (t) => {
  const a = canonicalSkillSet([req('tv', 3), req('ru', 2), req('en', 4)])
  const b = canonicalSkillSet([req('tv', 1), req('en', 4), req('ru', 2), req('tv', 3)])
  t.equal(a.key, b.key)
  t.same(a.reqs, [req('tv', 3), req('en', 4), req('ru', 2)], 'the first stays first, the rest by name')
  t.not(canonicalSkillSet([req('en', 4), req('tv', 3)]).key, a.key, 'best-skill ranks by the first, so it belongs to the key')
})

t.test('a skill set built late holds the eligible agents who qualify, in idle order', async (t) => {
  const index = indexOf(
    [agent('a', { skills: { tv: 5, en: 5 } }), agent('b', { skills: { tv: 2, en: 5 } }), agent('c', { skills: { tv: 7, en: 3 } }), agent('d', { skills: { tv: 9, en: 9 } })],
    'offline'
  )
  for (const [i, id] of ['d', 'c', 'a'].entries()) index.setAgentState(id, 'available', T0 + i * MINUTE)
  t.same(ids(index, [req('tv', 3), req('en', 3)]), ['d', 'c', 'a'])
})

t.test('agents enter and leave a skill set as they become eligible or not', async (t) => {
  const index = indexOf([agent('a', { skills: { tv: 5 } }), agent('b', { skills: { tv: 5 } })])
  t.same(ids(index, [req('tv', 1)]), ['a', 'b'])
  index.reserve('a', T0)
  t.same(ids(index, [req('tv', 1)]), ['b'])
  index.release('a', T0 + MINUTE)
  t.same(ids(index, [req('tv', 1)]), ['b', 'a'])
})

t.test('a new agent, or one given new skills, joins the skill sets they now qualify for', async (t) => {
  const index = indexOf([agent('a', { skills: { tv: 5 } })])
  t.same(ids(index, [req('tv', 4)]), ['a'])
  index.upsertAgent(agent('b', { skills: { tv: 8 } }))
  index.setAgentState('b', 'available', T0)
  index.upsertAgent(agent('a', { skills: { tv: 3 } }))
  t.same(ids(index, [req('tv', 4)]), ['b'])
  t.same(index.entry('a')?.skillSets, [])
})

t.test('a removed agent leaves every skill set', async (t) => {
  const index = indexOf([agent('a', { skills: { tv: 5 } }), agent('b', { skills: { tv: 5 } })])
  t.same(ids(index, [req('tv', 1)]), ['a', 'b'])
  index.removeAgent('a')
  t.same(ids(index, [req('tv', 1)]), ['b'])
})

t.test('there is no skill set for a skill nobody has', async (t) => {
  const index = indexOf([agent('a', { skills: { tv: 5 } })])
  t.equal(setOf(index, [req('tv', 1), req('radio', 1)]), undefined)
  index.removeAgent('a')
  t.equal(setOf(index, [req('tv', 1)]), undefined, 'nor once its last agent is gone')
})

t.test('past the limit the least recently used skill set is dropped, and built again when asked for', async (t) => {
  const index = new AgentIndex({ maxSkillSets: 2 })
  for (const id of ['a', 'b']) {
    index.upsertAgent(agent(id, { skills: { tv: 5, en: 5, ru: 5 } }))
    index.setAgentState(id, 'available', T0)
  }
  const tv = setOf(index, [req('tv', 1)])
  setOf(index, [req('en', 1)])
  setOf(index, [req('tv', 1)])
  setOf(index, [req('ru', 1)])
  t.same(
    index.entry('a')?.skillSets.map((s) => s.key),
    [tv?.key, canonicalSkillSet([req('ru', 1)]).key],
    'en, used least recently, was dropped'
  )
  t.same(ids(index, [req('en', 1)]), ['a', 'b'])
})

t.test('decisions are the same whether the skill set existed before or is built for them', async (t) => {
  const step: RouteStep = { kind: 'skills', skills: [req('tv', 4), req('en', 2)], strategy: 'fewest-calls', ringSeconds: 15 }
  const set = rules([rule('r', { steps: [step] })])
  const build = () => {
    const index = new AgentIndex()
    for (let i = 0; i < 20; i++) index.upsertAgent(agent(`a${i}`, { skills: { tv: 1 + (i % 10), en: 1 + ((i * 7) % 10) } }), { status: 'available', callsToday: i % 4 })
    return index
  }
  const early = build()
  decide({ interaction: call(), customer: null, line: null, rules: set }, early, testEnv())
  const late = build()
  for (const index of [early, late]) {
    index.reserve('a3', T0)
    index.answered('a3', T0)
    index.ended('a3', T0, 0)
  }
  const pick = (index: AgentIndex) => decide({ interaction: call(), customer: null, line: null, rules: set, maxTargets: 10 }, index, testEnv()).targets.map((x) => x.agentId)
  t.same(pick(late), pick(early))
})
