/**
 * The preview's answer: the counts at the top, then by rule, by agent (load moved from whom to
 * whom), the final actions (queues: the waits that would result), examples, and what is approximated.
 */
import type { ChangedCall, PreviewTally } from './tally.js'
import { describeOutcome, type DecisionSummary } from './types.js'

export const APPROXIMATIONS = [
  'Agents are as the availability log recorded them at each call: who would have been free after a different choice earlier in the period is not re-simulated (a call moved to another agent does not keep that agent busy in the replay).',
  'Queues: a call that would go to a queue is counted by queue; how long it would have waited there is not simulated.',
  "Steps with the 'random' strategy draw again, so they may pick someone else even with unchanged rules.",
  'The product of a web visit or call-back request is not recorded; such interactions are replayed by their line.'
]

export interface PreviewReport {
  from: string
  to: string
  candidateVersion: string
  replayed: number
  changed: number
  unchanged: number
  changedPercent: number
  /** Calls not replayed, and why: never guessed. */
  countedApart: { unknownVersion: number; missingFacts: number; namedAgent: number; withoutFacts: number }
  noCalls: boolean
  byRule: { rule: string; before: number; after: number; changed: number }[]
  byAgent: { agent: string; before: number; after: number; moved: number }[]
  moves: { from: string; to: string; calls: number }[]
  outcomes: { outcome: string; before: number; after: number }[]
  sample: { callId: string; at: string; before: DecisionSummary & { trace: unknown }; after: DecisionSummary & { trace: unknown } }[]
  availability: { rowsApplied: number; rowsForUnknownAgents: number }
  approximations: string[]
}

const TOP = 20

export function buildReport(t: PreviewTally, o: { from: number; to: number; version: string }): PreviewReport {
  const byRule = [...t.rules].map(([rule, c]) => ({ rule, ...c })).sort((a, b) => b.changed - a.changed || b.before - a.before)
  const byAgent = [...t.agents].map(([agent, c]) => ({ agent, before: c.before, after: c.after, moved: c.after - c.before }))
    .sort((a, b) => Math.abs(b.moved) - Math.abs(a.moved) || a.agent.localeCompare(b.agent)).slice(0, 50)
  const moves = [...t.moves].map(([key, calls]) => {
    const [from, to] = key.split('\u0000') as [string, string]
    return { from, to, calls }
  }).sort((a, b) => b.calls - a.calls).slice(0, 50)
  const outcomes = [...t.outcomes].map(([outcome, c]) => ({ outcome, ...c })).sort((a, b) => b.before - a.before)
  return {
    from: new Date(o.from).toISOString(),
    to: new Date(o.to).toISOString(),
    candidateVersion: o.version,
    replayed: t.replayed,
    changed: t.changed,
    unchanged: t.unchanged,
    changedPercent: t.replayed === 0 ? 0 : Math.round((t.changed / t.replayed) * 10_000) / 100,
    countedApart: { unknownVersion: t.apart.unknownVersion, missingFacts: t.apart.missingFacts, namedAgent: t.apart.named, withoutFacts: t.apart.withoutFacts },
    noCalls: t.replayed + t.apart.unknownVersion + t.apart.missingFacts + t.apart.named + t.apart.withoutFacts === 0,
    byRule,
    byAgent,
    moves,
    outcomes,
    sample: [...t.sample].sort((a, b) => a.at - b.at).map(sampleEntry),
    availability: { rowsApplied: t.availabilityRows, rowsForUnknownAgents: t.unknownAgentRows },
    approximations: APPROXIMATIONS
  }
}

function sampleEntry(c: ChangedCall): PreviewReport['sample'][number] {
  return { callId: c.callId, at: new Date(c.at).toISOString(), before: { ...c.before, trace: c.beforeTrace ?? null }, after: { ...c.after, trace: c.afterTrace } }
}

/** The report as the command prints it. */
export function formatReport(r: PreviewReport): string[] {
  const out: string[] = []
  out.push(`period ${r.from} .. ${r.to}, candidate version ${r.candidateVersion}`)
  if (r.noCalls) {
    out.push('no calls in this period: nothing to replay')
    return out
  }
  out.push(`changed ${r.changed} (${r.changedPercent} %)   replayed ${r.replayed}   unchanged ${r.unchanged}`)
  const a = r.countedApart
  out.push(`counted apart (not replayed): ${a.unknownVersion} under an unknown rules version, ${a.missingFacts} with missing facts, ` +
    `${a.withoutFacts} recorded before facts were kept, ${a.namedAgent} placed for a named agent`)
  out.push('', 'by rule                          then    now  changed')
  for (const x of r.byRule.slice(0, TOP)) out.push(`${pad(x.rule, 30)} ${num(x.before)} ${num(x.after)} ${num(x.changed, 8)}`)
  if (r.moves.length > 0) {
    out.push('', 'moved                                                      calls')
    for (const m of r.moves.slice(0, TOP)) out.push(`${pad(`${m.from} -> ${m.to}`, 56)} ${num(m.calls, 7)}`)
  }
  out.push('', 'by agent                         then    now   moved')
  for (const x of r.byAgent.filter((g) => g.moved !== 0).slice(0, TOP)) out.push(`${pad(x.agent, 30)} ${num(x.before)} ${num(x.after)} ${num(x.moved, 7, true)}`)
  out.push('', 'ends in                          then    now')
  for (const x of r.outcomes) out.push(`${pad(x.outcome, 30)} ${num(x.before)} ${num(x.after)}`)
  if (r.sample.length > 0) out.push('', `examples (${r.sample.length} of ${r.changed} changed)`)
  for (const s of r.sample) {
    out.push(`  ${s.callId} at ${s.at}`)
    out.push(`    then: ${side(s.before)}`)
    out.push(`    now:  ${side(s.after)}`)
    for (const line of traceLines(s.before.trace, s.after.trace)) out.push(`      ${line}`)
  }
  out.push('', 'approximated:')
  for (const x of r.approximations) out.push(`  - ${x}`)
  return out
}

function side(d: DecisionSummary): string {
  return `rule ${d.rule ?? '(none)'} -> ${describeOutcome(d)}`
}

/** Both traces' steps side by side: "then | now". */
function traceLines(before: unknown, after: unknown): string[] {
  const b = stepsOf(before)
  const a = stepsOf(after)
  const lines: string[] = []
  for (let i = 0; i < Math.max(a.length, b.length); i++) lines.push(`${pad(b[i] ?? '', 44)} | ${a[i] ?? ''}`)
  return lines
}

function stepsOf(trace: unknown): string[] {
  const steps = (trace as { steps?: { rule: string; step: string; chosen: string[]; skipped: { agentId: string; reason: string }[] }[] } | null)?.steps
  if (!Array.isArray(steps)) return trace === null || trace === undefined ? ['(no trace recorded)'] : []
  return steps.map((s) => {
    const skipped = s.skipped.slice(0, 3).map((k) => `${k.agentId} ${k.reason}`).join(', ')
    return `${s.step}: ${s.chosen.length > 0 ? s.chosen.join(', ') : 'nobody'}${skipped ? ` (skipped ${skipped})` : ''}`
  })
}

function pad(s: string, n: number): string {
  return s.length >= n ? `${s.slice(0, n - 1)}…` : s.padEnd(n)
}

function num(n: number, width = 6, signed = false): string {
  return (signed && n > 0 ? `+${n}` : String(n)).padStart(width)
}
