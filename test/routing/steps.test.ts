import t from 'tap'
import { decide, type DecideInput } from '../../src/routing/decide.js'
import type { AgentIndex } from '../../src/routing/agent-index.js'
import type { CompiledRule, CustomerSummary, Interaction, LineInfo, RouteStep } from '../../src/routing/types.js'
import { agent, call, customer, DAY, indexOf, line, rule, rules, T0, testEnv } from './fixtures/inputs.js'

interface Case {
  steps: RouteStep[]
  customer?: CustomerSummary | null
  line?: LineInfo | null
  interaction?: Interaction
  exclude?: string[]
  maxTargets?: number
  otherwise?: CompiledRule['otherwise']
}

function route(index: AgentIndex, c: Case) {
  const input: DecideInput = {
    interaction: c.interaction ?? call(),
    customer: c.customer ?? null,
    line: c.line ?? null,
    rules: rules([rule('main', { steps: c.steps, ...(c.otherwise ? { otherwise: c.otherwise } : {}) })]),
    ...(c.exclude ? { exclude: new Set(c.exclude) } : {}),
    ...(c.maxTargets !== undefined ? { maxTargets: c.maxTargets } : {})
  }
  return decide(input, index, testEnv())
}

const owner: RouteStep = { kind: 'owner', ringSeconds: 25 }
const lastAgent: RouteStep = { kind: 'last-agent', withinDays: 30, ringSeconds: 20 }
const tv = (min: number, extra: Partial<Extract<RouteStep, { kind: 'skills' }>> = {}): RouteStep => ({
  kind: 'skills',
  skills: [{ skill: 'tv', minProficiency: min }],
  strategy: 'best-skill',
  ringSeconds: 15,
  ...extra
})

t.test('a known customer goes to their owner, who rings for the step’s time', async (t) => {
  const index = indexOf([agent('olga'), agent('ivan')])
  const d = route(index, { steps: [owner], customer: customer({ ownerAgentId: 'olga' }) })
  t.same(d.targets, [{ agentId: 'olga', address: 'sip:olga@pbx', ringSeconds: 25, step: 'owner', reason: 'your customer' }])
  t.equal(d.reason, 'your customer')
  t.match(d.trace.steps[0], { rule: 'main', step: 'owner', considered: 1, skipped: [], chosen: ['olga'] })
})

t.test('the owner step finds nobody for an unknown caller or a customer without owner', async (t) => {
  const index = indexOf([agent('olga')])
  t.equal(route(index, { steps: [owner] }).trace.steps[0]?.note, 'caller is not a known customer')
  t.equal(route(index, { steps: [owner], customer: customer() }).trace.steps[0]?.note, 'customer has no owner')
})

for (const [status, reason] of [
  ['offline', 'offline'],
  ['away', 'away'],
  ['wrap-up', 'wrap-up'],
  ['busy', 'at-capacity']
] as const) {
  t.test(`an owner who is ${status} is skipped as ${reason} and the rule's otherwise applies`, async (t) => {
    const index = indexOf([agent('olga')], status)
    const d = route(index, { steps: [owner], customer: customer({ ownerAgentId: 'olga' }), otherwise: { kind: 'voicemail', mailbox: 'olga', callbackTask: true } })
    t.same(d.targets, [])
    t.same(d.trace.steps[0]?.skipped, [{ agentId: 'olga', reason }])
    t.same(d.final, { kind: 'voicemail', mailbox: 'olga', callbackTask: true })
    t.equal(d.reason, 'no agent free: voicemail olga and a call-back task')
  })
}

t.test('an owner already ringing for another call is at capacity', async (t) => {
  const index = indexOf([agent('olga')])
  index.reserve('olga', T0)
  const d = route(index, { steps: [owner], customer: customer({ ownerAgentId: 'olga' }) })
  t.same(d.trace.steps[0]?.skipped, [{ agentId: 'olga', reason: 'at-capacity' }])
})

t.test('an owner the index does not know is skipped as unknown', async (t) => {
  const d = route(indexOf([]), { steps: [owner], customer: customer({ ownerAgentId: 'gone' }) })
  t.same(d.trace.steps[0]?.skipped, [{ agentId: 'gone', reason: 'unknown-agent' }])
})

t.test('the last agent is offered when the last contact is recent, with the date in the reason', async (t) => {
  const index = indexOf([agent('ivan')])
  const d = route(index, { steps: [lastAgent], customer: customer({ lastAgentId: 'ivan', lastContactAt: T0 - 10 * DAY }) })
  t.equal(d.targets[0]?.agentId, 'ivan')
  t.equal(d.targets[0]?.step, 'last-agent')
  t.equal(d.reason, 'you last spoke with them on 2 Nov')
})

t.test('the last agent is skipped when the last contact is older than the step allows', async (t) => {
  const index = indexOf([agent('ivan')])
  const d = route(index, { steps: [lastAgent], customer: customer({ lastAgentId: 'ivan', lastContactAt: T0 - 31 * DAY }) })
  t.same(d.targets, [])
  t.same(d.trace.steps[0]?.skipped, [{ agentId: 'ivan', reason: 'last-contact-too-old' }])
})

t.test('the last-agent step finds nobody when no one has spoken with the customer', async (t) => {
  const d = route(indexOf([agent('ivan')]), { steps: [lastAgent], customer: customer() })
  t.equal(d.trace.steps[0]?.note, 'nobody has spoken with them yet')
})

t.test('a named agent is offered by the agent step', async (t) => {
  const d = route(indexOf([agent('boss')]), { steps: [{ kind: 'agent', agentId: 'boss', ringSeconds: 30 }] })
  t.match(d.targets, [{ agentId: 'boss', step: 'agent', reason: 'assigned to you by rule main' }])
})

t.test('a team step offers members of that team only', async (t) => {
  const index = indexOf([agent('a', { team: 'sales' }), agent('b', { team: 'vip-desk' }), agent('c', { team: 'vip-desk' })])
  const d = route(index, { steps: [{ kind: 'team', team: 'vip-desk', strategy: 'longest-idle', ringSeconds: 20 }] })
  t.same(d.targets.map((x) => x.agentId), ['b', 'c'])
  t.equal(d.reason, 'team vip-desk')
  t.equal(d.trace.steps[0]?.step, 'team vip-desk (longest-idle)')
})

t.test('a team nobody belongs to finds nobody, with a note', async (t) => {
  const d = route(indexOf([agent('a', { team: 'sales' })]), { steps: [{ kind: 'team', team: 'night', strategy: 'longest-idle', ringSeconds: 20 }] })
  t.same(d.targets, [])
  t.equal(d.trace.steps[0]?.note, 'no agent is in team night')
})

t.test('a skills step requires every skill at or above its minimum', async (t) => {
  const index = indexOf([
    agent('both', { skills: { tv: 6, en: 4 } }),
    agent('weak-en', { skills: { tv: 8, en: 2 } }),
    agent('no-en', { skills: { tv: 9 } }),
    agent('low-tv', { skills: { tv: 2, en: 9 } })
  ])
  const d = route(index, {
    steps: [{ kind: 'skills', skills: [{ skill: 'tv', minProficiency: 5 }, { skill: 'en', minProficiency: 3 }], strategy: 'best-skill', ringSeconds: 15 }]
  })
  t.same(d.targets.map((x) => x.agentId), ['both'])
  t.same(d.trace.steps[0], { rule: 'main', step: 'skills tv>=5, en>=3 (best-skill)', considered: 1, skipped: [], chosen: ['both'] })
  t.equal(d.reason, 'best match for tv')
})

t.test('the full trace says which agents lack a skill or its level', async (t) => {
  const index = indexOf([
    agent('both', { skills: { tv: 6, en: 4 } }),
    agent('weak-en', { skills: { tv: 8, en: 2 } }),
    agent('no-en', { skills: { tv: 9 } }),
    agent('away', { skills: { tv: 9, en: 9 } })
  ])
  index.setAgentState('away', 'away', T0)
  const step: RouteStep = { kind: 'skills', skills: [{ skill: 'tv', minProficiency: 5 }, { skill: 'en', minProficiency: 3 }], strategy: 'best-skill', ringSeconds: 15 }
  const d = decide({ interaction: call(), customer: null, line: null, rules: rules([rule('main', { steps: [step] })]), fullTrace: true }, index, testEnv())
  t.same(d.trace.steps[0]?.skipped, [
    { agentId: 'weak-en', reason: 'below-proficiency' },
    { agentId: 'no-en', reason: 'lacks-skill' },
    { agentId: 'away', reason: 'away' }
  ])
  t.equal(d.trace.steps[0]?.considered, 4)
})

t.test('a skills step names the skills in its reason when not ranking by proficiency', async (t) => {
  const d = route(indexOf([agent('a', { skills: { tv: 6 } })]), { steps: [tv(1, { strategy: 'longest-idle' })] })
  t.equal(d.reason, 'skilled in tv')
})

t.test('a skill nobody has finds nobody, with a note', async (t) => {
  const d = route(indexOf([agent('a', { skills: { tv: 6 } })]), {
    steps: [{ kind: 'skills', skills: [{ skill: 'radio', minProficiency: 1 }], strategy: 'best-skill', ringSeconds: 15 }]
  })
  t.same(d.targets, [])
  t.equal(d.trace.steps[0]?.note, 'no agent has skill radio')
})

t.test('lineProduct adds the dialed line’s product as a required skill', async (t) => {
  const index = indexOf([agent('tv-only', { skills: { en: 9, tv: 9 } }), agent('fridge', { skills: { en: 5, fridges: 7 } })])
  const d = route(index, {
    line: line({ product: 'fridges' }),
    steps: [{ kind: 'skills', skills: [{ skill: 'en', minProficiency: 3 }], lineProduct: { minProficiency: 5 }, strategy: 'best-skill', ringSeconds: 15 }]
  })
  t.same(d.targets.map((x) => x.agentId), ['fridge'])
  t.equal(d.trace.steps[0]?.step, 'skills fridges>=5, en>=3 (best-skill)', 'the product comes first')
})

t.test('lineProduct uses the product of a web visit when there is no line', async (t) => {
  const index = indexOf([agent('a', { skills: { tv: 4 } }), agent('b', { skills: { fridges: 4 } })])
  const d = route(index, {
    interaction: call({ kind: 'web-visit', channel: 'web', caller: null, dialed: null, product: 'fridges' }),
    steps: [{ kind: 'skills', skills: [], lineProduct: { minProficiency: 1 }, strategy: 'best-skill', ringSeconds: 15 }]
  })
  t.same(d.targets.map((x) => x.agentId), ['b'])
  t.equal(d.reason, 'best match for fridges')
})

t.test('lineProduct takes the higher minimum when the product is already a listed skill', async (t) => {
  const index = indexOf([agent('a', { skills: { tv: 4 } }), agent('b', { skills: { tv: 8 } })])
  const d = route(index, { line: line({ product: 'tv' }), steps: [tv(2, { lineProduct: { minProficiency: 6 } })] })
  t.same(d.targets.map((x) => x.agentId), ['b'])
})

t.test('lineProduct without a known product routes by the other skills and says so', async (t) => {
  const index = indexOf([agent('a', { skills: { tv: 4 } })])
  const d = route(index, { steps: [tv(1, { lineProduct: { minProficiency: 6 } })] })
  t.same(d.targets.map((x) => x.agentId), ['a'])
  t.equal(d.trace.steps[0]?.note, 'no product known for this interaction')
})

t.test('targets from successive steps are offered in step order, each agent once', async (t) => {
  const index = indexOf([
    agent('olga', { skills: { tv: 3 } }),
    agent('ivan', { skills: { tv: 9 } }),
    agent('anna', { skills: { tv: 7 } }),
    agent('petr', { skills: { tv: 5 } })
  ])
  const d = route(index, {
    customer: customer({ ownerAgentId: 'olga', lastAgentId: 'olga', lastContactAt: T0 - DAY }),
    steps: [owner, lastAgent, tv(1)]
  })
  t.same(
    d.targets.map((x) => [x.agentId, x.step, x.ringSeconds]),
    [
      ['olga', 'owner', 25],
      ['ivan', 'skills', 15],
      ['anna', 'skills', 15]
    ]
  )
  t.same(d.trace.steps[1]?.skipped, [{ agentId: 'olga', reason: 'already-chosen' }])
})

t.test('targets stop at maxTargets and later steps are not run', async (t) => {
  const index = indexOf([agent('olga', { team: 'sales' }), agent('ivan', { team: 'sales' })])
  const d = route(index, {
    customer: customer({ ownerAgentId: 'olga' }),
    steps: [owner, { kind: 'team', team: 'sales', strategy: 'longest-idle', ringSeconds: 20 }],
    maxTargets: 1
  })
  t.same(d.targets.map((x) => x.agentId), ['olga'])
  t.equal(d.trace.steps.length, 1)
})

t.test('agents who already failed this interaction are skipped as excluded', async (t) => {
  const index = indexOf([agent('olga', { team: 'sales' }), agent('ivan', { team: 'sales' })])
  const d = route(index, {
    customer: customer({ ownerAgentId: 'olga' }),
    steps: [owner, { kind: 'team', team: 'sales', strategy: 'longest-idle', ringSeconds: 20 }],
    exclude: ['olga']
  })
  t.same(d.targets.map((x) => x.agentId), ['ivan'])
  t.same(d.trace.steps[0]?.skipped, [{ agentId: 'olga', reason: 'excluded' }])
  t.same(d.trace.steps[1]?.skipped, [{ agentId: 'olga', reason: 'excluded' }])
})

t.test('nobody eligible anywhere gives the rule’s final action, not an error', async (t) => {
  const index = indexOf([agent('a', { team: 'sales', skills: { tv: 5 } })], 'away')
  const d = route(index, {
    customer: customer({ ownerAgentId: 'a', lastAgentId: 'a', lastContactAt: T0 }),
    steps: [owner, lastAgent, { kind: 'team', team: 'sales', strategy: 'round-robin', ringSeconds: 20 }, tv(1)],
    otherwise: { kind: 'queue', queue: 'sales' }
  })
  t.same(d.targets, [])
  t.same(d.final, { kind: 'queue', queue: 'sales' })
  t.equal(d.reason, 'no agent free: waiting in queue sales')
  t.equal(d.trace.steps.length, 4)
})

t.test('with lineProduct, best-skill ranks by the product the caller asks about', async (t) => {
  const index = indexOf([agent('fluent', { skills: { en: 10, tv: 4 } }), agent('expert', { skills: { en: 5, tv: 9 } })])
  const d = route(index, {
    line: line({ product: 'tv' }),
    steps: [{ kind: 'skills', skills: [{ skill: 'en', minProficiency: 3 }], lineProduct: { minProficiency: 1 }, strategy: 'best-skill', ringSeconds: 15 }]
  })
  t.same(d.targets.map((x) => x.agentId), ['expert', 'fluent'])
  t.equal(d.reason, 'best match for tv')
})

t.test('best-skill over a common and a rare skill orders by the first among those who have both', async (t) => {
  // Forty English speakers, three of whom also know radios: the order is still by English level.
  const agents = Array.from({ length: 40 }, (_, i) => agent(`en${i}`, { skills: { en: 1 + (i % 10) } }))
  agents.push(agent('r-low', { skills: { en: 3, radio: 5 } }), agent('r-high', { skills: { en: 9, radio: 2 } }), agent('r-mid', { skills: { en: 6, radio: 7 } }))
  const index = indexOf(agents)
  const step: RouteStep = { kind: 'skills', skills: [{ skill: 'en', minProficiency: 1 }, { skill: 'radio', minProficiency: 1 }], strategy: 'best-skill', ringSeconds: 15 }
  const d = route(index, { steps: [step] })
  t.same(d.targets.map((x) => x.agentId), ['r-high', 'r-mid', 'r-low'])
  t.equal(d.trace.steps[0]?.considered, 3, 'only agents with both skills were examined')
})

t.test('round-robin over two skills continues after the last agent offered', async (t) => {
  const agents = Array.from({ length: 40 }, (_, i) => agent(`en${i}`, { skills: { en: 5 } }))
  agents.push(agent('r1', { skills: { en: 5, radio: 5 } }), agent('r2', { skills: { en: 5, radio: 5 } }), agent('r3', { skills: { en: 5, radio: 5 } }))
  const index = indexOf(agents)
  index.reserve('r2', T0)
  index.release('r2', T0)
  const step: RouteStep = { kind: 'skills', skills: [{ skill: 'en', minProficiency: 1 }, { skill: 'radio', minProficiency: 1 }], strategy: 'round-robin', ringSeconds: 15 }
  t.same(route(index, { steps: [step] }).targets.map((x) => x.agentId), ['r3', 'r1', 'r2'])
})

t.test('a long run of skipped candidates is counted, and only the first twenty are listed', async (t) => {
  const agents = Array.from({ length: 30 }, (_, i) => agent(`a${i}`, { team: 'sales' }))
  const index = indexOf(agents)
  const d = route(index, { steps: [{ kind: 'team', team: 'sales', strategy: 'longest-idle', ringSeconds: 20 }], exclude: agents.slice(0, 25).map((a) => a.id) })
  t.same(d.targets.map((x) => x.agentId), ['a25', 'a26', 'a27'])
  t.equal(d.trace.steps[0]?.considered, 28)
  t.equal(d.trace.steps[0]?.skipped.length, 20)
  t.equal(d.trace.steps[0]?.moreSkipped, 5)
})
