import t from 'tap'
import { loadRuleSet } from '../../src/rules/load.js'
import { calendarYaml, catalog, linesYaml, rulesYaml, validSet } from './fixtures/rule-files.js'

t.test('a valid set of three files compiles into one rule set', async (t) => {
  const dir = t.testdir(validSet())
  const result = await loadRuleSet(dir, catalog, { now: () => 1234 })
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  t.same(result.files, ['calendar.yaml', 'lines.yaml', 'rules.yaml'])
  t.match(result.hash, /^[0-9a-f]{12}$/)
  t.equal(result.ruleSet.version, result.hash)
  t.equal(result.ruleSet.loadedAt, 1234)
  t.equal(result.ruleSet.calendar.timeZone, 'Europe/Moscow')
  t.same(result.ruleSet.rules.map((r) => [r.name, r.source, r.priority]), [
    ['VIP customers', 'rules.yaml:2', 10],
    ['everyone else', 'rules.yaml:13', 0],
  ])
})

t.test('route steps compile with their ring times, strategies and defaults', async (t) => {
  const result = await loadRuleSet(t.testdir(validSet()), catalog)
  if (!result.ok) throw new Error('does not compile')
  const [vip, rest] = result.ruleSet.rules
  t.same(vip!.steps, [
    { kind: 'owner', ringSeconds: 20 },
    { kind: 'team', team: 'vip-desk', strategy: 'longest-idle', ringSeconds: 30 },
  ])
  t.same(vip!.otherwise, { kind: 'queue', queue: 'vip' })
  t.same(rest!.steps, [
    { kind: 'skills', skills: [], lineProduct: { minProficiency: 5 }, strategy: 'best-skill', ringSeconds: 20 },
    { kind: 'team', team: 'sales', strategy: 'longest-idle', ringSeconds: 20 },
  ])
  t.equal(rest!.when, undefined, 'a rule without when always applies')
})

t.test('a rule without otherwise takes the fallback, which defaults to voicemail with a call-back task', async (t) => {
  const result = await loadRuleSet(t.testdir(validSet()), catalog)
  if (!result.ok) throw new Error('does not compile')
  const expected = { kind: 'voicemail', mailbox: null, callbackTask: true }
  t.same(result.ruleSet.fallback, expected)
  t.same(result.ruleSet.rules[1]!.otherwise, expected)
})

t.test('lines come from the files, keyed by dialed number', async (t) => {
  const result = await loadRuleSet(t.testdir(validSet()), catalog)
  if (!result.ok) throw new Error('does not compile')
  t.same(result.ruleSet.lines.get('+74951234567'), {
    number: '+74951234567', name: null, source: 'yandex-direct', campaign: 'spring-crm', product: 'product:crm', costPerLead: 1200,
  })
})

t.test('files are concatenated in order of their names', async (t) => {
  const dir = t.testdir(validSet({
    '05-first.yaml': 'rules:\n  - name: blocked\n    when: customer.blocked\n    then: { reject: 603 }\n',
  }))
  const result = await loadRuleSet(dir, catalog)
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  t.same(result.ruleSet.rules.map((r) => r.name), ['blocked', 'VIP customers', 'everyone else'])
  t.same(result.ruleSet.rules[0]!.otherwise, { kind: 'reject', sipStatus: 603, cause: 'declined' })
})

t.test('a single file may hold every section', async (t) => {
  const dir = t.testdir({ 'all.yaml': [calendarYaml, linesYaml, rulesYaml, 'fallback: { queue: general }\n'].join('') })
  const result = await loadRuleSet(dir, catalog)
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  t.same(result.files, ['all.yaml'])
  t.same(result.ruleSet.fallback, { kind: 'queue', queue: 'general' })
})

t.test('the catalog, test cases, hidden files and other files are not part of the set', async (t) => {
  const dir = t.testdir(validSet({
    'catalog.yaml': 'agents: []\n',
    '.rules.yaml.swp': 'garbage: [',
    'notes.txt': 'not yaml',
    tests: { 'case.yaml': 'tests: []\n' },
  }))
  const result = await loadRuleSet(dir, catalog)
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  t.same(result.files, ['calendar.yaml', 'lines.yaml', 'rules.yaml'])
})

t.test('the version changes with the content and only with it', async (t) => {
  const a = await loadRuleSet(t.testdir(validSet()), catalog)
  const b = await loadRuleSet(t.testdir(validSet()), catalog)
  const c = await loadRuleSet(t.testdir(validSet({ 'rules.yaml': rulesYaml.replace('30s', '40s') })), catalog)
  if (!a.ok || !b.ok || !c.ok) throw new Error('does not compile')
  t.equal(a.hash, b.hash)
  t.not(a.hash, c.hash)
})

t.test('a compiled set is frozen', async (t) => {
  const result = await loadRuleSet(t.testdir(validSet()), catalog)
  if (!result.ok) throw new Error('does not compile')
  t.ok(Object.isFrozen(result.ruleSet))
  t.ok(Object.isFrozen(result.ruleSet.rules))
  t.ok(Object.isFrozen(result.ruleSet.rules[0]))
})
