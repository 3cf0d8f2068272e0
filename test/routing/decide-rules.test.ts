import t from 'tap'
import { decide } from '../../src/routing/decide.js'
import { buildRuleContext } from '../../src/routing/rule-context.js'
import type { RuleContext, RuleSet } from '../../src/routing/types.js'
import { agent, calendar, call, customer, indexOf, line, rule, rules, T0, testEnv } from './fixtures/inputs.js'

const vipDesk = { kind: 'team', team: 'vip-desk', strategy: 'longest-idle', ringSeconds: 20 } as const
const index = () => indexOf([agent('v', { team: 'vip-desk' }), agent('s', { team: 'sales' })])
const run = (set: RuleSet, over: Partial<Parameters<typeof decide>[0]> = {}) =>
  decide({ interaction: call(), customer: null, line: null, rules: set, ...over }, index(), testEnv())

t.test('the first rule whose condition holds applies, and carries its priority', async (t) => {
  const set = rules([
    rule('blocked', { source: 'rules.yaml:3', when: (c) => c.customer.blocked, otherwise: { kind: 'reject', cause: 'blocked', sipStatus: 403 } }),
    rule('vip', { source: 'rules.yaml:9', when: (c) => c.customer.tier === 'vip', priority: 10, steps: [vipDesk] }),
    rule('everyone', { steps: [{ ...vipDesk, team: 'sales' }] })
  ])
  const d = run(set, { customer: customer({ tier: 'vip' }) })
  t.equal(d.rule, 'vip')
  t.equal(d.priority, 10)
  t.same(d.targets.map((x) => x.agentId), ['v'])
  t.same(d.trace.rulesTried, [
    { rule: 'blocked', source: 'rules.yaml:3', matched: false },
    { rule: 'vip', source: 'rules.yaml:9', matched: true }
  ])
})

t.test('a rule without a condition always applies', async (t) => {
  const d = run(rules([rule('everyone', { steps: [vipDesk] })]))
  t.equal(d.rule, 'everyone')
  t.same(d.trace.rulesTried, [{ rule: 'everyone', source: 'rules.yaml:1', matched: true }])
})

t.test('a condition that throws counts as no match, and the error is in the trace', async (t) => {
  const set = rules([
    rule('broken', {
      source: 'vip.yaml:4',
      when: () => {
        throw new Error('no such field: customer.vipLevel')
      },
      steps: [vipDesk]
    }),
    rule('everyone', { steps: [{ ...vipDesk, team: 'sales' }] })
  ])
  const d = run(set)
  t.equal(d.rule, 'everyone')
  t.same(d.trace.rulesTried[0], { rule: 'broken', source: 'vip.yaml:4', matched: false, error: 'no such field: customer.vipLevel' })
})

t.test('a condition that gives something other than true or false counts as no match, with an error', async (t) => {
  const set = rules([rule('sloppy', { when: (() => 'yes') as unknown as (c: RuleContext) => boolean }), rule('everyone')])
  const d = run(set)
  t.equal(d.rule, 'everyone')
  t.equal(d.trace.rulesTried[0]?.error, 'condition gave the text "yes", not true or false')
})

t.test('when no rule matches, the rule set’s fallback applies with priority 0', async (t) => {
  const d = run(rules([rule('vip', { when: () => false, priority: 10 })], { fallback: { kind: 'voicemail', mailbox: null, callbackTask: true } }))
  t.equal(d.rule, null)
  t.equal(d.priority, 0)
  t.same(d.targets, [])
  t.same(d.final, { kind: 'voicemail', mailbox: null, callbackTask: true })
  t.equal(d.reason, 'no rule matched: voicemail and a call-back task')
})

t.test('a rule without steps decides its final action at once', async (t) => {
  const set = rules([rule('blocked', { when: (c) => c.customer.blocked, otherwise: { kind: 'reject', cause: 'blocked number', sipStatus: 403 } })])
  const d = run(set, { customer: customer({ blocked: true }) })
  t.same(d.targets, [])
  t.same(d.final, { kind: 'reject', cause: 'blocked number', sipStatus: 403 })
  t.equal(d.reason, 'rule blocked: rejected (blocked number)')
  t.same(d.trace.steps, [])
})

t.test('conditions can read the time of the call against business hours', async (t) => {
  const set = rules([rule('after-hours', { when: (c) => !c.time.businessHours, otherwise: { kind: 'voicemail', mailbox: null, callbackTask: true } }), rule('day')])
  t.equal(run(set, { interaction: call({ at: T0 }) }).rule, 'day')
  t.equal(run(set, { interaction: call({ at: Date.UTC(2024, 10, 12, 22, 0) }) }).rule, 'after-hours')
  t.equal(run(set, { interaction: call({ at: Date.UTC(2024, 11, 25, 11, 0) }) }).rule, 'after-hours', 'holiday')
})

t.test('the rules files’ lines are used when the CRM knows no line for the dialed number', async (t) => {
  const set = rules([rule('tv-campaign', { when: (c) => c.line.campaign === 'autumn' }), rule('other')], {
    lines: new Map([['+74951234567', line()]])
  })
  t.equal(run(set).rule, 'tv-campaign')
  t.equal(run(set, { line: line({ campaign: 'spring' }) }).rule, 'other', 'the CRM’s line wins')
})

t.test('the rule context describes a known caller', async (t) => {
  const ctx = buildRuleContext(
    call({ at: Date.UTC(2024, 10, 16, 19, 30) }),
    customer({ tier: 'vip', segment: 'b2b', language: 'ru', overdueAmount: 1200, overdueDays: 40, ownerAgentId: 'olga', openDealStage: 'proposal' }),
    line({ product: 'tv' }),
    calendar
  )
  t.same(ctx, {
    caller: { number: '+79161234567', known: true, anonymous: false },
    customer: { id: 'c-1', tier: 'vip', segment: 'b2b', language: 'ru', overdueAmount: 1200, overdueDays: 40, blocked: false, hasOwner: true, openDealStage: 'proposal' },
    line: { number: '+74951234567', source: 'tv', campaign: 'autumn', product: 'tv' },
    interaction: { kind: 'call', channel: 'sip' },
    time: { hour: 19, minute: 30, weekday: 6, holiday: false, businessHours: false }
  })
})

t.test('the rule context of an anonymous web visitor has empty values, not missing ones', async (t) => {
  const ctx = buildRuleContext(call({ caller: null, dialed: null, kind: 'web-visit', channel: 'web', product: 'fridges' }), null, null, calendar)
  t.same(ctx.caller, { number: null, known: false, anonymous: true })
  t.same(ctx.customer, { id: null, tier: null, segment: null, language: null, overdueAmount: 0, overdueDays: 0, blocked: false, hasOwner: false, openDealStage: null })
  t.same(ctx.line, { number: null, source: null, campaign: null, product: 'fridges' })
})
