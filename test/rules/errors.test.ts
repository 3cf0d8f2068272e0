import t from 'tap'
import { formatRuleError } from '../../src/rules/errors.js'
import { loadRuleSet } from '../../src/rules/load.js'
import { catalog, validSet } from './fixtures/rule-files.js'
import type { Files } from './fixtures/rule-files.js'

/** Loads a set that must not compile; returns its errors as `file:line:col: message`. */
async function errorsOf(dir: string): Promise<string[]> {
  const result = await loadRuleSet(dir, catalog)
  if (result.ok) throw new Error('the set compiled')
  return result.errors.map((e) => formatRuleError(e))
}

/** A set whose rules file is `rules`. */
function withRules(rules: string): Files {
  return validSet({ 'rules.yaml': rules })
}

t.test('an unknown field in a rule is reported at the field, with a suggestion', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    wen: customer.blocked
    then: voicemail
`)))
  t.same(errors, ["rules.yaml:3:5: unknown field 'wen' in rule (known: name, when, priority, route, otherwise, then); did you mean 'when'?"])
})

t.test('an unknown top-level section is reported', async (t) => {
  const errors = await errorsOf(t.testdir(validSet({ 'extra.yaml': 'rulez: []\n' })))
  t.match(errors, [/^extra\.yaml:1:1: unknown field 'rulez' in file extra\.yaml .*did you mean 'rules'\?$/])
})

t.test('a duration without a unit is reported at the value', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    route:
      - owner:
        ring: 20
`)))
  t.same(errors, ["rules.yaml:5:15: ring '20' has no unit; write it like 20s, 2m, 1h, 30d or 1m30s"])
})

t.test('a malformed duration is reported at the value', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    route:
      - last agent:
        within: thirty days
`)))
  t.same(errors, ["rules.yaml:5:17: within: bad duration 'thirty days'; write it like 20s, 2m, 1h, 30d or 1m30s"])
})

t.test('an unknown strategy is reported with the known ones', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    route:
      - team: sales
        strategy: longest idel
`)))
  t.same(errors, ["rules.yaml:5:19: unknown strategy 'longest idel' (known: longest-idle, fewest-calls, best-skill, round-robin, random); did you mean 'longest-idle'?"])
})

t.test('an unknown skill is reported at the skill name', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    route:
      - skills: { biling: 6 }
`)))
  t.same(errors, ["rules.yaml:4:19: unknown skill 'biling'; did you mean 'billing'?"])
})

t.test('a proficiency outside 1 to 10 is reported', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    route:
      - skills:
          billing: 11
`)))
  t.same(errors, ['rules.yaml:5:20: proficiency for billing must be between 1 and 10, got 11'])
})

t.test('an unknown agent is reported at the agent name', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    route:
      - agent: a-ana
`)))
  t.same(errors, ["rules.yaml:4:16: unknown agent 'a-ana'; did you mean 'a-anna'?"])
})

t.test('an unknown team is reported at the team name', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    route:
      - team: marketing
`)))
  t.same(errors, ["rules.yaml:4:15: unknown team 'marketing'"])
})

t.test('a condition that does not parse is reported where it breaks', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    when: customer.blocked &&
    then: voicemail
`)))
  t.same(errors, ['rules.yaml:3:30: condition does not parse: Unexpected token: EOF'])
})

t.test('a condition naming an unknown variable is reported at the name', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    when: caller.known && custmer.blocked
    then: voicemail
`)))
  t.same(errors, ["rules.yaml:3:27: unknown name 'custmer' in condition (a condition can read caller, customer, line, interaction, time); did you mean 'customer'?"])
})

t.test('a condition naming an unknown field is reported at the field', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    when: customer.teir == "vip"
    then: voicemail
`)))
  t.match(errors, [/^rules\.yaml:3:20: unknown field 'teir' of customer \(known: id, tier, .*\); did you mean 'tier'\?$/])
})

t.test('a condition comparing text with a number is a type error', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    when: customer.tier > 3
    then: voicemail
`)))
  t.same(errors, ['rules.yaml:3:11: wrong type in condition: cannot apply string > int'])
})

t.test('a condition that is not true or false is a type error', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    when: customer.overdueDays + 1
    then: voicemail
`)))
  t.same(errors, ['rules.yaml:3:11: condition must be true or false, but it gives int'])
})

t.test('an error in a multi-line condition points into the right line', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    when: |
      customer.overdueDays > 30 &&
        customer.blockd
    then: voicemail
`)))
  t.match(errors, [/^rules\.yaml:5:18: unknown field 'blockd' of customer/])
})

t.test('an error in a quoted condition accounts for the quote', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    when: "!caller.knwn"
    then: voicemail
`)))
  t.match(errors, [/^rules\.yaml:3:20: unknown field 'knwn' of caller/])
})

t.test('a bare condition starting with ! is explained', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    when: !caller.known
    then: voicemail
`)))
  t.same(errors, [`rules.yaml:3:11: a value starting with '!' must be in quotes, like "!caller.known" (YAML reads a bare ! as a tag)`])
})

t.test('a value of the wrong type is reported', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    priority: high
    then: voicemail
`)))
  t.same(errors, ["rules.yaml:3:15: priority must be a whole number, got 'high'"])
})

t.test('a reject status other than 403, 480, 486 or 603 is reported', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    then:
      reject: 404
`)))
  t.same(errors, ['rules.yaml:4:15: reject needs a SIP status: 403 (forbidden), 480 (unavailable), 486 (busy) or 603 (declined), got 404'])
})

t.test('a rule with both route and then is reported', async (t) => {
  const errors = await errorsOf(t.testdir(withRules(`rules:
  - name: one
    route: [owner]
    then: voicemail
`)))
  t.same(errors, ["rules.yaml:4:5: a rule has either 'route' (whom to ring) or 'then' (what to do at once), not both"])
})

t.test('the same rule name twice is reported, across files', async (t) => {
  const errors = await errorsOf(t.testdir(validSet({ 'zz-more.yaml': 'rules:\n  - name: VIP customers\n    then: voicemail\n' })))
  t.same(errors, ["zz-more.yaml:2:11: rule name 'VIP customers' is already used at rules.yaml:2; names must differ so traces and tests can tell rules apart"])
})

t.test('a second calendar is reported', async (t) => {
  const errors = await errorsOf(t.testdir(validSet({ 'z.yaml': 'calendar:\n  timezone: UTC\n  hours: { mon: 09:00-17:00 }\n' })))
  t.same(errors, ['z.yaml:1:1: calendar is already defined at calendar.yaml:1; a set has one calendar'])
})

t.test('a set without a calendar is reported', async (t) => {
  const set = validSet()
  delete set['calendar.yaml']
  const errors = await errorsOf(t.testdir(set))
  t.same(errors, ['lines.yaml:1:1: no calendar: one file of the set needs a calendar section with timezone and hours'])
})

t.test('an unknown time zone is reported', async (t) => {
  const errors = await errorsOf(t.testdir(validSet({ 'calendar.yaml': 'calendar:\n  timezone: Europe/Moskow\n  hours: { mon-fri: 09:00-19:00 }\n' })))
  t.same(errors, ["calendar.yaml:2:13: unknown time zone 'Europe/Moskow'; use an IANA name such as Europe/Moscow"])
})

t.test('bad business hours and a bad holiday are reported', async (t) => {
  const errors = await errorsOf(t.testdir(validSet({
    'calendar.yaml': 'calendar:\n  timezone: Europe/Moscow\n  hours:\n    mon-fri: 9-19\n    sun: 18:00-10:00\n  holidays:\n    - 2025-02-30\n',
  })))
  t.same(errors, [
    "calendar.yaml:4:14: bad hours '9-19'; write them like 09:00-19:00, several separated by commas, or 'closed'",
    "calendar.yaml:5:10: hours '18:00-10:00' end before they start; split overnight hours over two days (…-24:00 and 00:00-…)",
    "calendar.yaml:7:7: bad holiday '2025-02-30'; write a date like 2025-01-01, or 01-07 for every year",
  ])
})

t.test('a line number not in E.164 form and an unknown product are reported', async (t) => {
  const errors = await errorsOf(t.testdir(validSet({
    'lines.yaml': 'lines:\n  "84951234567":\n    source: x\n  "+74951234568":\n    product: product:crn\n',
  })))
  t.same(errors, [
    `lines.yaml:2:3: line number '84951234567' is not in E.164 form; write it like "+74951234567"`,
    "lines.yaml:5:14: unknown skill 'product:crn' as the line's product; did you mean 'product:crm'?",
  ])
})

t.test('a YAML syntax error is reported with its place', async (t) => {
  const errors = await errorsOf(t.testdir(withRules('rules:\n  - name: one\n   then: voicemail\n')))
  t.equal(errors.length, 1)
  t.match(errors[0], /^rules\.yaml:3:\d+: YAML: /)
})

t.test('every mistake in every file is listed, in file and line order', async (t) => {
  const errors = await errorsOf(t.testdir(validSet({
    'rules.yaml': `rules:
  - name: one
    when: customer.tierr == "x"
    route:
      - team: sales
        strategy: fastest
        ring: 5 seconds
      - agent: a-nobody
  - name: two
    colour: red
    then: voicemail
`,
    'calendar.yaml': 'calendar:\n  timezone: Mars/Olympus\n  hours: { mon-fri: 09:00-19:00 }\n',
  })))
  t.same(errors.map((e) => e.split(': ')[0]), [
    'calendar.yaml:2:13',
    'rules.yaml:3:20',
    'rules.yaml:6:19',
    'rules.yaml:7:15',
    'rules.yaml:8:16',
    'rules.yaml:10:5',
  ])
})

t.test('an unreadable directory is one error without a place', async (t) => {
  const result = await loadRuleSet(`${t.testdir({})}/missing`, catalog)
  t.equal(result.ok, false)
  if (!result.ok) t.match(formatRuleError(result.errors[0]!), /^\.: cannot read the rules directory: ENOENT/)
})
