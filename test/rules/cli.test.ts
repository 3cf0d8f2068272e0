import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { childEnv } from '../helpers/child-env.js'
import { catalogYaml, validSet } from './fixtures/rule-files.js'
import type { Files } from './fixtures/rule-files.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CLI = fileURLToPath(new URL('../../src/cli/rules.ts', import.meta.url))
const BIN = fileURLToPath(new URL('../../bin/rules.js', import.meta.url))

interface Run { code: number; stdout: string; lines: string[] }

/** Runs the CLI the way the npm scripts do: node --import tsx src/cli/rules.ts … */
function rules(args: string[], cwd: string, entry: string[] = ['--import', 'tsx', CLI]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...entry, ...args], { cwd, env: childEnv() }, (err, stdout) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ code, stdout, lines: stdout.trimEnd().split('\n') })
    })
  })
}

/** A rules folder `rules/` in a fresh directory, with the catalog. */
function project(t: { testdir: (files: Files) => string }, files: Files): string {
  return t.testdir({ rules: { 'catalog.yaml': catalogYaml, ...files } })
}

const casesYaml = `agents:
  a-anna: { team: vip-desk }
  a-boris: { team: vip-desk }
  a-clara: { team: sales, skills: { product:crm: 8 } }
tests:
  - name: a VIP caller reaches their owner
    at: 2025-03-12 11:00
    caller: "+79161234567"
    dialed: "+74951234567"
    customer: { tier: vip, owner: a-clara }
    expect: { rule: VIP customers, agent: a-clara }
  - name: a new caller on the CRM line reaches the CRM seller
    at: 2025-03-12 11:00
    caller: "+79035550101"
    dialed: "+74951234567"
    expect: { rule: everyone else, agent: a-clara }
`

t.test('check exits 0 with a one-line summary when the rules are fine', async (t) => {
  const cwd = project(t, validSet())
  const run = await rules(['check', 'rules'], cwd)
  t.equal(run.code, 0)
  t.match(run.lines, [/^rules: ok — 3 files, 2 rules, 1 line, calendar Europe\/Moscow, version [0-9a-f]{12}$/])
  t.equal(run.lines.length, 1)
})

t.test('check exits 1 and lists every error, then a count', async (t) => {
  const cwd = project(t, validSet({
    'rules.yaml': 'rules:\n  - name: one\n    when: customer.tierr == "vip"\n    route:\n      - team: sales\n        strategy: fastest\n',
  }))
  const run = await rules(['check', 'rules'], cwd)
  t.equal(run.code, 1)
  t.same(run.lines, [
    "rules/rules.yaml:3:20: unknown field 'tierr' of customer (known: id, tier, segment, language, overdueAmount, overdueDays, blocked, hasOwner, openDealStage); did you mean 'tier'?",
    "rules/rules.yaml:6:19: unknown strategy 'fastest' (known: longest-idle, fewest-calls, best-skill, round-robin, random)",
    '2 errors',
  ])
})

t.test('check names an agent missing from the catalog as an error', async (t) => {
  const cwd = project(t, validSet({ 'rules.yaml': 'rules:\n  - name: one\n    route:\n      - agent: a-dmitri\n' }))
  const run = await rules(['check', 'rules'], cwd)
  t.equal(run.code, 1)
  t.same(run.lines, ["rules/rules.yaml:4:16: unknown agent 'a-dmitri'", '1 error'])
})

t.test('check takes the catalog from --catalog', async (t) => {
  const cwd = t.testdir({
    rules: validSet({ 'rules.yaml': 'rules:\n  - name: one\n    route:\n      - agent: a-dmitri\n' }),
    'names.yaml': 'agents: [a-dmitri]\nteams: []\nskills: [product:crm]\n',
  })
  const run = await rules(['check', 'rules', '--catalog', 'names.yaml'], cwd)
  if (!t.equal(run.code, 0, 'exits 0')) t.comment(run.stdout)
})

t.test('check without a catalog says so', async (t) => {
  const cwd = t.testdir({ rules: validSet() })
  const run = await rules(['check', 'rules'], cwd)
  t.equal(run.code, 1)
  t.match(run.lines[0], /^rules\/catalog\.yaml: cannot read the catalog: ENOENT/)
})

t.test('a wrong command prints the usage and exits 2', async (t) => {
  const run = await rules(['chek'], t.testdir({}))
  t.equal(run.code, 2)
  t.same(run.lines, ["unknown command 'chek'", 'usage: rules check|test [dir] [--catalog file]   (dir defaults to routing-rules, catalog to dir/catalog.yaml)'])
})

t.test('test exits 0 when every case passes', async (t) => {
  const cwd = project(t, validSet({ tests: { 'cases.yaml': casesYaml } }))
  const run = await rules(['test', 'rules'], cwd)
  if (!t.equal(run.code, 0, 'exits 0')) t.comment(run.stdout)
  t.same(run.lines, [
    'pass rules/tests/cases.yaml:6 a VIP caller reaches their owner',
    'pass rules/tests/cases.yaml:12 a new caller on the CRM line reaches the CRM seller',
    '2 passed, 0 failed',
  ])
})

t.test('test exits 1 and shows expected, got, the matched rule and the trace for a failure', async (t) => {
  const failing = casesYaml.replace('expect: { rule: VIP customers, agent: a-clara }', 'expect: { rule: VIP customers, agent: a-boris }')
    .replace('    customer: { tier: vip, owner: a-clara }\n', '    customer: { tier: vip, owner: a-clara }\n    agents: { a-clara: away }\n')
  const cwd = project(t, validSet({ tests: { 'cases.yaml': failing } }))
  const run = await rules(['test', 'rules'], cwd)
  t.equal(run.code, 1)
  t.same(run.lines, [
    'FAIL rules/tests/cases.yaml:6 a VIP caller reaches their owner',
    '  first agent:',
    '    expected: a-boris',
    '    got:      a-anna',
    '  rule matched: VIP customers (rules.yaml:2)',
    '  rules tried:',
    '    yes VIP customers (rules.yaml:2)',
    '  steps:',
    '    owner: considered 1, chose nobody; skipped a-clara away',
    '    team vip-desk (longest-idle): considered 2, chose a-anna, a-boris',
    '  offered: a-anna 30s, a-boris 30s; then queue vip',
    'pass rules/tests/cases.yaml:13 a new caller on the CRM line reaches the CRM seller',
    '1 passed, 1 failed',
  ])
})

t.test('test reports mistakes in test files as file:line:col and exits 1', async (t) => {
  const broken = casesYaml.replace('at: 2025-03-12 11:00', 'at: next tuesday').replace('a-anna: { team: vip-desk }', 'a-anna: { team: vip-desk, mood: happy }')
  const cwd = project(t, validSet({ tests: { 'cases.yaml': broken } }))
  const run = await rules(['test', 'rules'], cwd)
  t.equal(run.code, 1)
  t.same(run.lines, [
    "rules/tests/cases.yaml:2:29: unknown field 'mood' in agent a-anna (known: name, team, skills, state, idle, capacity, calls today)",
    "rules/tests/cases.yaml:7:9: bad time 'next tuesday'; write it like 2025-03-12 11:00 (local time of Europe/Moscow)",
    '2 errors',
  ])
})

t.test('test without any case exits 1', async (t) => {
  const cwd = project(t, validSet())
  const run = await rules(['test', 'rules'], cwd)
  t.equal(run.code, 1)
  t.same(run.lines, ["rules/tests: no test cases found (*.yaml with a 'tests' list)"])
})

t.test('test refuses to run when the rules do not compile', async (t) => {
  const cwd = project(t, validSet({ 'rules.yaml': 'rules:\n  - name: one\n    then: { reject: 404 }\n', tests: { 'cases.yaml': casesYaml } }))
  const run = await rules(['test', 'rules'], cwd)
  t.equal(run.code, 1)
  t.match(run.lines, [/^rules\/rules\.yaml:3:21: reject needs a SIP status/, '1 error'])
})

t.test('the shipped example rules pass check and their own tests', async (t) => {
  const check = await rules(['check'], ROOT)
  if (!t.equal(check.code, 0, 'exits 0')) t.comment(check.stdout)
  t.match(check.lines, [/^routing-rules: ok — /])
  const run = await rules(['test'], ROOT)
  if (!t.equal(run.code, 0, 'exits 0')) t.comment(run.stdout)
  t.match(run.lines.at(-1), /^\d+ passed, 0 failed$/)
})

t.test('the bin launcher runs the same command', async (t) => {
  const run = await rules(['check'], ROOT, [BIN])
  if (!t.equal(run.code, 0, 'exits 0')) t.comment(run.stdout)
  t.match(run.lines, [/^routing-rules: ok — /])
})
