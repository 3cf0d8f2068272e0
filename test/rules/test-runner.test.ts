import t from 'tap'
import type { RuleSet } from '../../src/routing/index.js'
import { createBusinessCalendar } from '../../src/rules/calendar.js'
import { loadRuleSet } from '../../src/rules/load.js'
import { readTestFile } from '../../src/rules/test-cases.js'
import { runTestCase } from '../../src/rules/test-runner.js'
import type { TestResult } from '../../src/rules/test-runner.js'
import type { RuleError } from '../../src/rules/types.js'
import { YamlFile } from '../../src/rules/yaml-reader.js'
import { catalog, validSet } from './fixtures/rule-files.js'

const clock = createBusinessCalendar({ timeZone: 'Europe/Moscow', hours: [], holidays: [] })

async function rulesOf(dir: string): Promise<RuleSet> {
  const result = await loadRuleSet(dir, catalog)
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  return result.ruleSet
}

/** Runs the single case of a test file written as YAML. */
function runCase(ruleSet: RuleSet, yaml: string): TestResult {
  const errors: RuleError[] = []
  const cases = readTestFile(new YamlFile('tests/case.yaml', yaml, errors), clock, errors)
  if (errors.length > 0 || cases.length !== 1) throw new Error(JSON.stringify(errors))
  return runTestCase(cases[0]!, ruleSet)
}

const vipCase = (expect: string, agents = '') => `tests:
  - name: vip
    at: 2025-03-12 11:00
    caller: "+79161234567"
    dialed: "+74951234567"
    customer: { tier: vip, owner: a-clara }
    agents:
      a-clara: { team: sales${agents} }
      a-anna: { team: vip-desk, idle: 1m }
      a-boris: { team: vip-desk, idle: 3m }
    expect: ${expect}
`

t.test('a case passes when the first agents offered are the expected ones, in order', async (t) => {
  const result = runCase(await rulesOf(t.testdir(validSet())), vipCase('{ agents: [a-clara, a-boris, a-anna] }'))
  t.equal(result.passed, true)
})

t.test('a wrong agent is a mismatch naming both', async (t) => {
  const result = runCase(await rulesOf(t.testdir(validSet())), vipCase('{ agent: a-anna }'))
  t.same(result.mismatches, [{ what: 'first agent', expected: 'a-anna', got: 'a-clara' }])
})

t.test('a wrong rule is a mismatch', async (t) => {
  const result = runCase(await rulesOf(t.testdir(validSet())), vipCase('{ rule: everyone else }'))
  t.same(result.mismatches, [{ what: 'rule', expected: 'everyone else', got: 'VIP customers' }])
})

t.test('expecting only a final action means nobody is offered', async (t) => {
  const result = runCase(await rulesOf(t.testdir(validSet())), vipCase('{ queue: vip }'))
  t.same(result.mismatches, [{ what: 'agents', expected: 'nobody offered, then queue vip', got: 'offered a-clara, a-boris, a-anna' }])
})

t.test('the final action applies when every agent is unavailable', async (t) => {
  const yaml = vipCase('{ queue: vip }', ', state: away').replace('idle: 1m', 'state: offline').replace('idle: 3m', 'state: wrap-up')
  const result = runCase(await rulesOf(t.testdir(validSet())), yaml)
  t.equal(result.passed, true, JSON.stringify(result.mismatches))
})

t.test('a reject compares its cause only when the case names one', async (t) => {
  const ruleSet = await rulesOf(t.testdir(validSet({ '00-blocked.yaml': 'rules:\n  - name: blocked\n    when: customer.blocked\n    then: { reject: 603, cause: spam }\n' })))
  const blocked = (expect: string) => `tests:\n  - name: blocked\n    at: 2025-03-12 11:00\n    customer: { blocked: yes }\n    expect: ${expect}\n`
  t.equal(runCase(ruleSet, blocked('{ reject: 603 }')).passed, true)
  t.same(runCase(ruleSet, blocked('{ reject: 603, cause: fraud }')).mismatches, [{ what: 'then', expected: 'reject 603 (fraud)', got: 'reject 603 (spam)' }])
})

t.test('rule none expects the fallback', async (t) => {
  const ruleSet = await rulesOf(t.testdir(validSet({ 'rules.yaml': 'rules:\n  - name: vip only\n    when: customer.tier == "vip"\n    then: { queue: vip }\n' })))
  const result = runCase(ruleSet, 'tests:\n  - name: nobody\n    at: 2025-03-12 11:00\n    expect: { rule: none, voicemail: }\n')
  t.equal(result.passed, true, JSON.stringify(result.mismatches))
})

t.test('a line given in the case stands for a line kept in the database', async (t) => {
  const ruleSet = await rulesOf(t.testdir(validSet({ 'rules.yaml': 'rules:\n  - name: tv\n    when: line.campaign == "tv"\n    then: { queue: tv }\n' })))
  const result = runCase(ruleSet, 'tests:\n  - name: tv line\n    at: 2025-03-12 11:00\n    dialed: "+74990000000"\n    line: { campaign: tv }\n    expect: { rule: tv }\n')
  t.equal(result.passed, true, JSON.stringify(result.mismatches))
})

t.test('a local time in the test is read in the rules\' time zone', async (t) => {
  const errors: RuleError[] = []
  const [c] = readTestFile(new YamlFile('tests/t.yaml', 'tests:\n  - name: x\n    at: 2025-03-12 11:00\n    expect: { rule: none }\n', errors), clock, errors)
  t.equal(c!.at, Date.UTC(2025, 2, 12, 8, 0))
  const [d] = readTestFile(new YamlFile('tests/t.yaml', 'tests:\n  - name: x\n    at: 2025-03-12T11:00:00Z\n    expect: { rule: none }\n', errors), clock, errors)
  t.equal(d!.at, Date.UTC(2025, 2, 12, 11, 0))
})
