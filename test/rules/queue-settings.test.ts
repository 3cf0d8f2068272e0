import t from 'tap'
import { compileRuleSet } from '../../src/rules/compile.js'
import type { RuleError } from '../../src/rules/types.js'
import { DEFAULT_QUEUE_SETTINGS } from '../../src/routing/waiting/types.js'
import { calendarYaml, catalog } from './fixtures/rule-files.js'

const vipRule = `rules:
  - name: VIP customers
    when: customer.tier == "vip"
    priority: 10
    route:
      - owner:
        ring: 20s
        wait: 30s
      - team: vip-desk
    otherwise:
      queue: vip
`

const queuesYaml = `queues:
  vip:
    longest wait: 3m
    overflow:
      queue: sales
    most waiting: 20
    service level: 20s
    announce every: 30s
    when nobody is logged in: wait
    thresholds:
      waiting: { warn: 2, alert: 5 }
      longest wait: { warn: 45s, alert: 90s }
      service level: { warn: 90, alert: 75 }
  sales:
    overflow: voicemail
`

function compile(files: Record<string, string>) {
  return compileRuleSet(Object.entries({ 'calendar.yaml': calendarYaml, ...files }).map(([file, text]) => ({ file, text })), catalog)
}

function errorsOf(files: Record<string, string>): RuleError[] {
  const result = compile(files)
  if (result.ok) throw new Error('compiled, but mistakes were expected')
  return result.errors
}

t.test('queues.yaml configures each queue, with the defaults for what it leaves out', async (t) => {
  const result = compile({ 'queues.yaml': queuesYaml, 'rules.yaml': vipRule })
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  t.same(result.ruleSet.queues?.get('vip'), {
    name: 'vip',
    source: 'queues.yaml:2',
    maxWaitSeconds: 180,
    overflow: { kind: 'queue', queue: 'sales' },
    maxWaiting: 20,
    serviceLevelSeconds: 20,
    announceEverySeconds: 30,
    whenNobodyLoggedIn: 'wait',
    thresholds: { waiting: { warn: 2, alert: 5 }, longestWaitSeconds: { warn: 45, alert: 90 }, serviceLevelPercent: { warn: 90, alert: 75 } }
  })
  t.same(result.ruleSet.queues?.get('sales'), { ...DEFAULT_QUEUE_SETTINGS, name: 'sales', source: 'queues.yaml:14', overflow: { kind: 'voicemail', mailbox: null, callbackTask: true } })
})

t.test("a step's wait compiles into the step", async (t) => {
  const result = compile({ 'queues.yaml': queuesYaml, 'rules.yaml': vipRule })
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  t.same(result.ruleSet.rules[0]?.steps[0], { kind: 'owner', ringSeconds: 20, waitSeconds: 30 })
})

t.test('the wait may be written as the value of the owner step', async (t) => {
  const result = compile({ 'queues.yaml': queuesYaml, 'rules.yaml': vipRule.replace('      - owner:\n        ring: 20s\n        wait: 30s\n', '      - owner: { wait: 45s }\n') })
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  t.same(result.ruleSet.rules[0]?.steps[0], { kind: 'owner', ringSeconds: 20, waitSeconds: 45 })
})

t.test('a queue named by a rule and not configured is an error at the name', async (t) => {
  const errors = errorsOf({ 'queues.yaml': queuesYaml, 'rules.yaml': vipRule.replace('queue: vip', 'queue: vipp') })
  t.match(errors, [{ file: 'rules.yaml', line: 11, message: /queue 'vipp' named by rule VIP customers is not configured \(configured: vip, sales\); did you mean 'vip'\?/ }])
})

t.test('an overflow into a queue not configured is an error at the overflow', async (t) => {
  const errors = errorsOf({ 'queues.yaml': queuesYaml.replace('queue: sales', 'queue: general'), 'rules.yaml': vipRule })
  t.match(errors, [{ file: 'queues.yaml', line: 5, message: /queue 'general' named by the overflow of queue vip is not configured/ }])
})

t.test('an overflow loop is refused when the rules load', async (t) => {
  const loop = queuesYaml.replace('  sales:\n    overflow: voicemail\n', '  sales:\n    overflow: { queue: vip }\n')
  const errors = errorsOf({ 'queues.yaml': loop, 'rules.yaml': vipRule })
  t.equal(errors.length, 1)
  t.match(errors[0], { file: 'queues.yaml', message: /^overflow loop: sales → vip → sales; a call would wait in these queues forever/ })
})

t.test('a queue overflowing into itself is a loop too', async (t) => {
  const errors = errorsOf({ 'queues.yaml': 'queues:\n  vip:\n    overflow: { queue: vip }\n', 'rules.yaml': vipRule })
  t.match(errors, [{ file: 'queues.yaml', line: 3, message: /overflow loop: vip → vip/ }])
})

t.test('bad durations and numbers are errors with their place', async (t) => {
  const bad = queuesYaml.replace('longest wait: 3m', 'longest wait: 3').replace('most waiting: 20', 'most waiting: lots').replace('service level: 20s', 'service level: soon')
  const errors = errorsOf({ 'queues.yaml': bad, 'rules.yaml': vipRule })
  t.match(errors, [
    { file: 'queues.yaml', line: 3, message: /longest wait '3' has no unit/ },
    { file: 'queues.yaml', line: 6, message: /most waiting must be a whole number/ },
    { file: 'queues.yaml', line: 7, message: /service level: bad duration/ }
  ])
})

t.test('a wallboard threshold whose alert comes before its warning is an error', async (t) => {
  const errors = errorsOf({ 'queues.yaml': queuesYaml.replace('waiting: { warn: 2, alert: 5 }', 'waiting: { warn: 5, alert: 2 }').replace('service level: { warn: 90, alert: 75 }', 'service level: { warn: 75, alert: 90 }'), 'rules.yaml': vipRule })
  t.match(errors, [
    { line: 11, message: /waiting: alert must be at or above warn/ },
    { line: 13, message: /service level: alert must be at or below warn \(lower is worse\)/ }
  ])
})

t.test('an unknown setting or answer is an error with a suggestion', async (t) => {
  const errors = errorsOf({ 'queues.yaml': queuesYaml.replace('most waiting', 'most wating').replace('when nobody is logged in: wait', 'when nobody is logged in: hang up'), 'rules.yaml': vipRule })
  t.match(errors, [{ line: 6, message: /unknown field 'most wating'.*did you mean 'most waiting'\?/ }, { line: 9, message: /write 'overflow'.* or 'wait', got 'hang up'/ }])
})

t.test("a step's wait needs the rule to end in a queue", async (t) => {
  const errors = errorsOf({ 'queues.yaml': queuesYaml, 'rules.yaml': vipRule.replace('    otherwise:\n      queue: vip\n', '    otherwise: voicemail\n') })
  t.match(errors, [{ file: 'rules.yaml', line: 6, message: /a step's wait needs the rule to end in a queue/ }])
})

t.test('a wait on the last step is refused: there is nothing to widen to', async (t) => {
  const errors = errorsOf({ 'queues.yaml': queuesYaml, 'rules.yaml': vipRule.replace('      - team: vip-desk\n', '      - team: vip-desk\n        wait: 1m\n') })
  t.match(errors, [{ file: 'rules.yaml', line: 9, message: /the last step's wait has no next step to widen to/ }])
})

t.test('a bad wait duration is an error at the wait', async (t) => {
  const errors = errorsOf({ 'queues.yaml': queuesYaml, 'rules.yaml': vipRule.replace('wait: 30s', 'wait: 2h') })
  t.match(errors, [{ file: 'rules.yaml', line: 8, message: /wait must be between/ }])
})

t.test('a queue configured twice is an error at the second', async (t) => {
  const errors = errorsOf({ 'queues.yaml': queuesYaml, 'z-more.yaml': 'queues:\n  vip:\n    longest wait: 1m\n', 'rules.yaml': vipRule })
  t.match(errors, [{ file: 'z-more.yaml', line: 2, message: 'queue vip is already configured at queues.yaml:2' }])
})

t.test('a set without any queues section waits in every queue with the defaults', async (t) => {
  const result = compile({ 'rules.yaml': vipRule })
  t.equal(result.ok, true)
  if (result.ok) t.equal(result.ruleSet.queues?.size, 0)
})
