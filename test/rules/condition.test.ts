import t from 'tap'
import { buildRuleContext } from '../../src/routing/index.js'
import type { CustomerSummary, Interaction, LineInfo, RuleContext } from '../../src/routing/index.js'
import { createBusinessCalendar } from '../../src/rules/calendar.js'
import { compileCondition } from '../../src/rules/condition.js'

const calendar = createBusinessCalendar({
  timeZone: 'Europe/Moscow',
  hours: [[[540, 1140]], [[540, 1140]], [[540, 1140]], [[540, 1140]], [[540, 1140]], [], []],
  holidays: [],
})
// Wednesday 2025-03-12 11:00 in Moscow.
const WEDNESDAY_11 = Date.UTC(2025, 2, 12, 8, 0)

const customer: CustomerSummary = {
  id: 'c-1', name: 'Ivan Petrov', ownerAgentId: 'a-anna', tier: 'vip', segment: 'enterprise', language: 'ru',
  overdueAmount: 15000.5, overdueDays: 45, blocked: false, lastAgentId: 'a-boris', lastContactAt: null, openDealStage: 'proposal',
}
const line: LineInfo = { number: '+74951234567', name: null, source: 'yandex-direct', campaign: 'spring-crm', product: 'product:crm', costPerLead: 1200 }

function call(overrides: Partial<Interaction> = {}): Interaction {
  return { id: 'i-1', kind: 'call', caller: '+79161234567', dialed: '+74951234567', at: WEDNESDAY_11, channel: 'sip', ...overrides }
}

function knownCaller(): RuleContext {
  return buildRuleContext(call(), customer, line, calendar)
}

function unknownCaller(): RuleContext {
  return buildRuleContext(call({ caller: null, dialed: null }), null, null, calendar)
}

function condition(expression: string): (ctx: RuleContext) => boolean {
  const compiled = compileCondition(expression)
  if (!compiled.ok) throw new Error(compiled.message)
  return compiled.test
}

t.test('a text field compares with a string', async (t) => {
  t.equal(condition('customer.tier == "vip"')(knownCaller()), true)
  t.equal(condition('customer.tier == "gold"')(knownCaller()), false)
})

t.test('whole-number fields compare with numbers', async (t) => {
  t.equal(condition('customer.overdueDays > 30')(knownCaller()), true)
  t.equal(condition('customer.overdueDays > 45')(knownCaller()), false)
})

t.test('money compares with whole and fractional numbers', async (t) => {
  t.equal(condition('customer.overdueAmount >= 15000')(knownCaller()), true)
  t.equal(condition('customer.overdueAmount > 15000.5')(knownCaller()), false)
})

t.test('missing text reads as empty, so conditions on an unknown caller are false instead of failing', async (t) => {
  const ctx = unknownCaller()
  t.equal(condition('customer.tier == "vip"')(ctx), false)
  t.equal(condition('customer.tier != "vip"')(ctx), true)
  t.equal(condition('customer.tier == ""')(ctx), true)
  t.equal(condition('line.product.startsWith("product:")')(ctx), false)
})

t.test('flags of the caller are readable', async (t) => {
  t.equal(condition('caller.known && !caller.anonymous')(knownCaller()), true)
  t.equal(condition('caller.anonymous && caller.known == false')(unknownCaller()), true)
})

t.test('membership in a list of values', async (t) => {
  t.equal(condition('customer.tier in ["vip", "gold"]')(knownCaller()), true)
  t.equal(condition('caller.number in ["+74950000000"]')(knownCaller()), false)
})

t.test('string functions work on the caller number', async (t) => {
  t.equal(condition('caller.number.startsWith("+7916")')(knownCaller()), true)
})

t.test('line attributes are readable', async (t) => {
  t.equal(condition('line.source == "yandex-direct" && line.campaign == "spring-crm" && line.product == "product:crm"')(knownCaller()), true)
})

t.test('time facts come from the calendar in its time zone', async (t) => {
  t.equal(condition('time.hour == 11 && time.minute == 0 && time.weekday == 3')(knownCaller()), true)
  t.equal(condition('time.businessHours && !time.holiday')(knownCaller()), true)
})

t.test('interaction kind and channel are readable', async (t) => {
  const visit = buildRuleContext(call({ kind: 'web-visit', channel: 'web', product: 'product:crm' }), null, null, calendar)
  t.equal(condition('interaction.kind == "web-visit" && interaction.channel == "web" && line.product == "product:crm"')(visit), true)
})

t.test('a condition that fails at call time throws, which the core counts as no match', async (t) => {
  t.throws(() => condition('customer.overdueDays / 0 > 1')(knownCaller()), /division by zero/)
})

t.test('one condition gives the same answer for many contexts in turn', async (t) => {
  const isVip = condition('customer.tier == "vip"')
  t.same([knownCaller(), unknownCaller(), knownCaller()].map(isVip), [true, false, true])
})
