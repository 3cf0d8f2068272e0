import { AgentIndex } from '../src/routing/agent-index.js'
import { decide } from '../src/routing/decide.js'
import { buildAgents, buildCalls, buildLines, buildRuleSet, loadAgents, seededRandom, START } from './routing-fixture.js'
const strategy = (process.argv[2] ?? 'longest-idle') as any
const agents = buildAgents(seededRandom(1)); const lines = buildLines(seededRandom(2)); const calls = buildCalls(seededRandom(3), agents, lines)
const rules = buildRuleSet(strategy, lines, seededRandom(4))
const index = new AgentIndex(); loadAgents(index, agents, seededRandom(6))
const env = { now: () => START, random: seededRandom(5) }
for (let r = 0; r < 5; r++) {
  const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint()
  let n = 0
  for (let i = 0; i < 100000; i++) { const c = calls[i % calls.length]!; decide({ interaction: c.interaction, customer: c.customer, line: c.line, rules }, index, env); n++ }
  const cu = process.cpuUsage(c0); console.log(strategy, "wall µs", (Number(process.hrtime.bigint() - t0) / n / 1000).toFixed(2), "cpu µs", ((cu.user + cu.system) / n).toFixed(2))
}
