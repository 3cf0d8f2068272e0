/**
 * Rule evaluation and the business calendar, the two per-decision costs of the rules layer.
 *
 * - 100 rules compiled from YAML (CEL conditions of three shapes), matched in order by the core's
 *   matchRule against a fresh context per decision: matching at rule 5 (typical), at rule 100
 *   (worst), and at none. The same lists as plain JS predicates show what CEL costs on top.
 * - BusinessCalendar.at(): the cached-offset calendar against asking Intl on every call.
 *
 * Run: node --import tsx bench/rules.bench.ts
 */
import { cpus } from 'node:os'
import { matchRule } from '../src/routing/match-rule.js'
import { buildRuleContext } from '../src/routing/rule-context.js'
import type { CustomerSummary, Interaction, LineInfo, RuleContext, RuleSet } from '../src/routing/types.js'
import { createBusinessCalendar } from '../src/rules/calendar.js'
import { createCatalog } from '../src/rules/catalog.js'
import { compileRuleSet } from '../src/rules/compile.js'
import { formatBytes, summarize } from './stats.js'

const RULES = 100
const WARM_UP = 20_000
const SAMPLES = 200_000

const catalog = createCatalog({ teams: ['sales'], skills: ['product:crm'] })
const calendarYaml = `calendar:
  timezone: Europe/Moscow
  hours: { mon-fri: 09:00-19:00 }
  holidays: [01-01, 01-07, 05-09, 2025-05-02]
`

/** Rule i matches exactly the customers of tier `t<i>`; the shapes vary as real rules do. */
function condition(i: number): string {
  switch (i % 3) {
    case 0: return `customer.tier == "t${i}" && time.hour >= 0`
    case 1: return `customer.tier in ["t${i}", "x${i}"] && (customer.overdueDays > 100000 || caller.known)`
    default: return `line.campaign != "none-${i}" && customer.tier == "t${i}" && !customer.blocked`
  }
}

function rulesYaml(): string {
  const rules = Array.from({ length: RULES }, (_, i) =>
    `  - name: rule ${i + 1}\n    when: '${condition(i)}'\n    route:\n      - owner\n      - team: sales\n`)
  return `rules:\n${rules.join('')}`
}

/** The same conditions as JS closures, as a floor for what evaluating 100 conditions can cost. */
function nativeRuleSet(cel: RuleSet): RuleSet {
  const predicates: ((c: RuleContext) => boolean)[] = Array.from({ length: RULES }, (_, i) => {
    const tier = `t${i}`
    switch (i % 3) {
      case 0: return (c) => c.customer.tier === tier && c.time.hour >= 0
      case 1: return (c) => (c.customer.tier === tier || c.customer.tier === `x${i}`) && (c.customer.overdueDays > 100000 || c.caller.known)
      default: return (c) => c.line.campaign !== `none-${i}` && c.customer.tier === tier && !c.customer.blocked
    }
  })
  return { ...cel, rules: cel.rules.map((r, i) => ({ ...r, when: predicates[i] })) }
}

const START = Date.UTC(2025, 2, 12, 8, 0)
const line: LineInfo = { number: '+74951234567', name: null, source: 'yandex-direct', campaign: 'spring-crm', product: 'product:crm', costPerLead: 1200 }

function customerOfTier(tier: string): CustomerSummary {
  return {
    id: 'c-1', name: 'Ivan', ownerAgentId: 'a-1', tier, segment: null, language: 'ru', overdueAmount: 0, overdueDays: 0,
    blocked: false, lastAgentId: null, lastContactAt: null, openDealStage: null,
  }
}

/** A fresh context each time, as every decision builds its own (the CEL view is cached per context). */
function contexts(ruleSet: RuleSet, tier: string): () => RuleContext {
  const customer = customerOfTier(tier)
  let n = 0
  return () => {
    const interaction: Interaction = { id: `i-${n}`, kind: 'call', caller: '+79161234567', dialed: line.number, at: START + (n++ % 86_400) * 1000, channel: 'sip' }
    return buildRuleContext(interaction, customer, line, ruleSet.calendar)
  }
}

function measureMatch(name: string, ruleSet: RuleSet, tier: string, expected: string | null): number {
  const next = contexts(ruleSet, tier)
  const first = matchRule(ruleSet, next())
  if ((first.rule?.name ?? null) !== expected) throw new Error(`${name}: matched ${first.rule?.name ?? 'none'}, expected ${expected}`)
  for (let i = 0; i < WARM_UP; i++) matchRule(ruleSet, next())
  const samples = new Array<number>(SAMPLES)
  for (let i = 0; i < SAMPLES; i++) {
    const ctx = next()
    const t0 = process.hrtime.bigint()
    matchRule(ruleSet, ctx)
    samples[i] = Number(process.hrtime.bigint() - t0)
  }
  const s = summarize(name, samples)
  return 1e6 / s.mean
}

function throughput(ruleSet: RuleSet, tier: string): number {
  const next = contexts(ruleSet, tier)
  const batch = Array.from({ length: 10_000 }, next)
  const t0 = process.hrtime.bigint()
  let n = 0
  while (Number(process.hrtime.bigint() - t0) < 1e9) {
    for (const ctx of batch) matchRule(ruleSet, { ...ctx })
    n += batch.length
  }
  return n / (Number(process.hrtime.bigint() - t0) / 1e9)
}

function measureCalendar(): void {
  const cal = createBusinessCalendar({
    timeZone: 'Europe/Moscow',
    hours: [[[540, 1140]], [[540, 1140]], [[540, 1140]], [[540, 1140]], [[540, 1140]], [], []],
    holidays: ['01-01', '2025-05-02'],
  })
  const intl = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Moscow', hourCycle: 'h23', weekday: 'short', hour: 'numeric', minute: 'numeric' })
  const naiveAt = (ms: number) => {
    const parts: Record<string, string> = {}
    for (const p of intl.formatToParts(ms)) parts[p.type] = p.value
    return parts
  }
  // Calls a few seconds apart over a day: the realistic pattern; and instants spread over ten years.
  const steady = (i: number) => START + i * 3_000
  const scattered = (i: number) => START + ((i * 2_654_435_761) % (3650 * 86_400)) * 1000
  for (const [name, instant, fn] of [
    ['calendar at() — calls 3 s apart', steady, (ms: number) => cal.at(ms)],
    ['calendar at() — spread over 10 years', scattered, (ms: number) => cal.at(ms)],
    ['Intl formatToParts per call (naive)', steady, naiveAt],
  ] as const) {
    for (let i = 0; i < WARM_UP; i++) fn(instant(i))
    const samples = new Array<number>(SAMPLES)
    for (let i = 0; i < SAMPLES; i++) {
      const ms = instant(i)
      const t0 = process.hrtime.bigint()
      fn(ms)
      samples[i] = Number(process.hrtime.bigint() - t0)
    }
    summarize(name, samples)
  }
}

function main(): void {
  console.log(`rules layer: ${RULES} CEL rules; node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}\n`)
  const heapBefore = process.memoryUsage().heapUsed
  const t0 = process.hrtime.bigint()
  const compiled = compileRuleSet([{ file: 'calendar.yaml', text: calendarYaml }, { file: 'rules.yaml', text: rulesYaml() }], catalog)
  const compileMs = Number(process.hrtime.bigint() - t0) / 1e6
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors.slice(0, 3)))
  const ruleSet = compiled.ruleSet
  console.log(`compile ${RULES} rules from YAML: ${compileMs.toFixed(1)} ms, heap +${formatBytes(process.memoryUsage().heapUsed - heapBefore)}\n`)

  const native = nativeRuleSet(ruleSet)
  const rows: [string, number, number][] = []
  for (const [label, tier, expected] of [
    ['typical: matches rule 5', 't4', 'rule 5'],
    ['worst: matches rule 100', 't99', 'rule 100'],
    ['none of 100 match', 'nobody', null],
  ] as const) {
    const cel = measureMatch(`CEL    ${label}`, ruleSet, tier, expected)
    const js = measureMatch(`JS fn  ${label}`, native, tier, expected)
    rows.push([label, cel, js])
  }
  console.log('\nmean evaluations/s (one core)      CEL           JS fn')
  for (const [label, cel, js] of rows) {
    console.log(`${label.padEnd(30)} ${Math.round(cel).toLocaleString('en-US').padStart(11)}   ${Math.round(js).toLocaleString('en-US').padStart(11)}`)
  }
  console.log(`\nsustained, typical (rule 5), CEL: ${Math.round(throughput(ruleSet, 't4')).toLocaleString('en-US')} evaluations/s`)
  console.log(`sustained, worst (rule 100), CEL: ${Math.round(throughput(ruleSet, 't99')).toLocaleString('en-US')} evaluations/s\n`)
  measureCalendar()
}

main()
