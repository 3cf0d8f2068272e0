/**
 * Running admins' test cases through the real routing core: each case gets a
 * fresh agent index with its agents, and `decide` answers as it would in
 * production. A failure is described as expected vs got, with the rule that
 * matched and the decision's trace.
 */
import { AgentIndex, decide, rulesForKind } from '../routing/index.js'
import type { FinalAction, RouteDecision, RuleSet } from '../routing/types.js'
import type { TestCase } from './test-cases.js'

export interface TestResult {
  test: TestCase
  passed: boolean
  /** One line per unmet expectation: what was expected and what happened. */
  mismatches: { what: string; expected: string; got: string }[]
  decision: RouteDecision
}

export function runTestCase(test: TestCase, ruleSet: RuleSet): TestResult {
  const index = new AgentIndex()
  // Registered longest idle first: the index orders idle agents by when they became free.
  const agents = [...test.agents].sort((a, b) => b.idleSeconds - a.idleSeconds)
  for (const a of agents) {
    index.upsertAgent(
      { id: a.id, name: a.name, team: a.team, address: `sip:${a.id}@test`, capacity: a.capacity, skills: a.skills },
      { status: a.status, since: test.at - a.idleSeconds * 1000, callsToday: a.callsToday },
    )
  }
  let seed = 1
  const decision = decide({
    interaction: {
      id: `test:${test.where}`,
      kind: test.kind,
      caller: test.caller,
      dialed: test.dialed,
      at: test.at,
      channel: test.channel,
      product: test.product,
    },
    customer: test.customer,
    line: test.line,
    rules: rulesForKind(ruleSet, test.kind),
    fullTrace: true,
  }, index, {
    now: () => test.at,
    // A fixed sequence, so that `random` strategies give the same answer on every run.
    random: () => ((seed = (seed * 16_807) % 2_147_483_647) - 1) / 2_147_483_646,
  })
  const mismatches: TestResult['mismatches'] = []
  const { expect } = test
  if (expect.rule !== undefined && expect.rule !== decision.rule) {
    mismatches.push({ what: 'rule', expected: ruleName(expect.rule), got: ruleName(decision.rule) })
  }
  const offered = decision.targets.map((t) => t.agentId)
  if (expect.agents !== undefined) {
    const got = offered.slice(0, expect.agents.length)
    if (got.join() !== expect.agents.join()) {
      mismatches.push({
        what: expect.agents.length === 1 ? 'first agent' : `first ${expect.agents.length} agents`,
        expected: expect.agents.join(', '),
        got: got.length === 0 ? 'nobody offered' : got.join(', '),
      })
    }
  }
  if (expect.final !== undefined) {
    if (expect.agents === undefined && offered.length > 0) {
      mismatches.push({ what: 'agents', expected: `nobody offered, then ${describeAction(expect.final)}`, got: `offered ${offered.join(', ')}` })
    }
    if (!sameAction(expect.final, decision.final, expect.compareCause)) {
      mismatches.push({ what: 'then', expected: describeAction(expect.final), got: describeAction(decision.final) })
    }
  }
  return { test, passed: mismatches.length === 0, mismatches, decision }
}

function ruleName(rule: string | null): string {
  return rule === null ? 'none (fallback)' : rule
}

function sameAction(expected: FinalAction, got: FinalAction, compareCause: boolean): boolean {
  if (expected.kind !== got.kind) return false
  switch (expected.kind) {
    case 'queue': return got.kind === 'queue' && got.queue === expected.queue
    case 'voicemail': return got.kind === 'voicemail' && got.mailbox === expected.mailbox && got.callbackTask === expected.callbackTask
    case 'reject': return got.kind === 'reject' && got.sipStatus === expected.sipStatus && (!compareCause || got.cause === expected.cause)
  }
}

export function describeAction(action: FinalAction): string {
  switch (action.kind) {
    case 'queue': return `queue ${action.queue}`
    case 'voicemail': return `voicemail${action.mailbox === null ? '' : ` ${action.mailbox}`}${action.callbackTask ? ' with a call-back task' : ' (no call-back task)'}`
    case 'reject': return `reject ${action.sipStatus} (${action.cause})`
  }
}

/** A failed case in words: expected vs got, the rule that matched, and the trace. */
export function describeFailure(result: TestResult, fileName: (file: string) => string = (f) => f): string[] {
  const { test, decision } = result
  const [file, line] = splitWhere(test.where)
  const out = [`FAIL ${fileName(file)}:${line} ${test.name}`]
  for (const m of result.mismatches) {
    out.push(`  ${m.what}:`, `    expected: ${m.expected}`, `    got:      ${m.got}`)
  }
  const matched = decision.trace.rulesTried.find((r) => r.matched)
  out.push(`  rule matched: ${matched ? `${matched.rule} (${matched.source})` : 'none, fallback applied'}`)
  out.push('  rules tried:')
  for (const r of decision.trace.rulesTried) {
    out.push(`    ${r.matched ? 'yes' : 'no '} ${r.rule} (${r.source})${r.error ? ` — error: ${r.error}` : ''}`)
  }
  if (decision.trace.steps.length > 0) out.push('  steps:')
  for (const s of decision.trace.steps) {
    const skipped = s.skipped.map((k) => `${k.agentId} ${k.reason}`).join(', ')
    out.push(`    ${s.step}: considered ${s.considered}, chose ${s.chosen.length ? s.chosen.join(', ') : 'nobody'}` +
      `${skipped ? `; skipped ${skipped}` : ''}${s.note ? ` (${s.note})` : ''}`)
  }
  const offered = decision.targets.map((t) => `${t.agentId} ${t.ringSeconds}s`).join(', ')
  out.push(`  offered: ${offered || 'nobody'}; then ${describeAction(decision.final)}`)
  return out
}

function splitWhere(where: string): [string, string] {
  const i = where.lastIndexOf(':')
  return [where.slice(0, i), where.slice(i + 1)]
}
