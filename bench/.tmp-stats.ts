import { AgentIndex } from '../src/routing/agent-index.js'
import { decide } from '../src/routing/decide.js'
import { buildAgents, buildCalls, buildLines, buildRuleSet, loadAgents, seededRandom, START } from './routing-fixture.js'
const strategy = (process.argv[2] ?? 'longest-idle') as any
const agents = buildAgents(seededRandom(1)); const lines = buildLines(seededRandom(2)); const calls = buildCalls(seededRandom(3), agents, lines)
const rules = buildRuleSet(strategy, lines, seededRandom(4))
const index = new AgentIndex(); loadAgents(index, agents, seededRandom(6))
const env = { now: () => START, random: seededRandom(5) }
let tried = 0, considered = 0, steps = 0, targets = 0, skipped = 0
const N = 10000
for (let i = 0; i < N; i++) { const c = calls[i % calls.length]!; const d = decide({ interaction: c.interaction, customer: c.customer, line: c.line, rules }, index, env); tried += d.trace.rulesTried.length; steps += d.trace.steps.length; targets += d.targets.length; for (const s of d.trace.steps) { considered += s.considered; skipped += s.skipped.length + (s.moreSkipped ?? 0) } }
console.log(strategy, { tried: tried / N, steps: steps / N, considered: considered / N, skipped: skipped / N, targets: targets / N })
