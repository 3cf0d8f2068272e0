import t from 'tap'
import { formatRuleError } from '../../src/rules/errors.js'
import { loadRuleSet } from '../../src/rules/load.js'
import { catalog, validSet } from './fixtures/rule-files.js'

/** The steps of a one-rule set whose route is `route` (indented as under `route:`). */
async function stepsOf(dir: string) {
  const result = await loadRuleSet(dir, catalog)
  if (!result.ok) throw new Error(result.errors.map((e) => formatRuleError(e)).join('\n'))
  return result.ruleSet.rules[0]!.steps
}

async function errorsOf(dir: string): Promise<string[]> {
  const result = await loadRuleSet(dir, catalog)
  if (result.ok) throw new Error('the set compiled')
  return result.errors.map((e) => formatRuleError(e))
}

const withRoute = (route: string) => validSet({ 'rules.yaml': `rules:\n  - name: one\n    route:\n${route}` })

t.test('team next to product limits the product step to the team', async (t) => {
  const steps = await stepsOf(t.testdir(withRoute(`      - product: 7
        team: sales
        ring: 25s
`)))
  t.same(steps, [{ kind: 'skills', skills: [], lineProduct: { minProficiency: 7 }, team: 'sales', strategy: 'best-skill', ringSeconds: 25 }])
})

t.test('team next to skills limits the skills step, in either order, with any strategy', async (t) => {
  const steps = await stepsOf(t.testdir(withRoute(`      - team: vip-desk
        skills: { lang:en: 5, billing: 3 }
        strategy: round-robin
      - skills: { billing: 6 }
        product: 4
        team: support
`)))
  t.same(steps, [
    { kind: 'skills', skills: [{ skill: 'lang:en', minProficiency: 5 }, { skill: 'billing', minProficiency: 3 }], team: 'vip-desk', strategy: 'round-robin', ringSeconds: 20 },
    { kind: 'skills', skills: [{ skill: 'billing', minProficiency: 6 }], lineProduct: { minProficiency: 4 }, team: 'support', strategy: 'best-skill', ringSeconds: 20 },
  ])
})

t.test('team on its own is still a team step, and skills without team are not limited', async (t) => {
  const steps = await stepsOf(t.testdir(withRoute(`      - team: sales
        strategy: fewest-calls
      - product: 5
`)))
  t.same(steps, [
    { kind: 'team', team: 'sales', strategy: 'fewest-calls', ringSeconds: 20 },
    { kind: 'skills', skills: [], lineProduct: { minProficiency: 5 }, strategy: 'best-skill', ringSeconds: 20 },
  ])
  t.notOk('team' in steps[1]!)
})

t.test('an unknown team limiting a skills step is reported at the team name, with a suggestion', async (t) => {
  const errors = await errorsOf(t.testdir(withRoute(`      - product: 7
        team: sles
`)))
  t.same(errors, ["rules.yaml:5:15: unknown team 'sles'; did you mean 'sales'?"])
})

t.test('an unknown team and an unknown skill in one step are both reported', async (t) => {
  const errors = await errorsOf(t.testdir(withRoute(`      - skills: { biling: 6 }
        team: marketing
`)))
  t.same(errors, ["rules.yaml:4:19: unknown skill 'biling'; did you mean 'billing'?", "rules.yaml:5:15: unknown team 'marketing'"])
})

t.test('an empty team is reported', async (t) => {
  const errors = await errorsOf(t.testdir(withRoute(`      - product: 7
        team:
`)))
  t.same(errors, ['rules.yaml:5:14: team is empty'])
})

t.test('team with another kind of target is still two steps written as one', async (t) => {
  t.same(await errorsOf(t.testdir(withRoute(`      - team: sales
        agent: a-anna
`))), ["rules.yaml:4:9: one route step rings one kind of target: 'agent' and 'team' must be separate steps (each starting with \"- \")"])
  t.same(await errorsOf(t.testdir(withRoute(`      - owner:
        team: sales
`))), ["rules.yaml:5:9: one route step rings one kind of target: 'owner' and 'team' must be separate steps (each starting with \"- \")"])
  t.same(await errorsOf(t.testdir(withRoute(`      - agent: a-anna
        team: sales
        product: 5
`))), ["rules.yaml:6:9: one route step rings one kind of target: 'agent' and 'product' must be separate steps (each starting with \"- \")"])
})

t.test('options that do not apply to a skills step are reported when a team limits it', async (t) => {
  const errors = await errorsOf(t.testdir(withRoute(`      - product: 7
        team: sales
        within: 30d
`)))
  t.same(errors, ["rules.yaml:6:9: 'within' does not apply to a product step"])
})
