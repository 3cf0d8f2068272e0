import t from 'tap'
import { ChatRouting, type ChatToRoute } from '../../src/chat/chat-routing.js'
import type { AgentIndex } from '../../src/routing/agent-index.js'
import type { RuleSet } from '../../src/routing/types.js'
import { compileRuleSet, createCatalog } from '../../src/rules/index.js'
import { agent, customer, indexOf, MINUTE, T0, testEnv } from '../routing/fixtures/inputs.js'

const calendarYaml = `calendar:
  timezone: UTC
  hours:
    mon-sun: 00:00-24:00
`

const queuesYaml = `queues:
  chats:
    longest wait: 2m
    overflow: voicemail
    when nobody is logged in: wait
  calls:
    overflow: voicemail
`

// The calls' rules, with one that would take every interaction: chats never try them.
const rulesYaml = `rules:
  - name: calls
    route:
      - team: support
    otherwise:
      queue: calls
`

// The chat's rules are the ones written beside its section.
const chatYaml = `chat:
  sites:
    demo: { origins: ["https://www.example.com"] }
rules:
  - name: chats from customers
    when: interaction.kind == "chat" && caller.known
    route:
      - owner:
      - product: 5
    otherwise:
      queue: chats
  - name: first chats
    when: interaction.kind == "chat"
    route:
      - product: 5
      - team: sales
    otherwise:
      queue: chats
`

function chatRules(): RuleSet {
  const compiled = compileRuleSet(
    [
      { file: 'calendar.yaml', text: calendarYaml },
      { file: 'queues.yaml', text: queuesYaml },
      { file: 'rules.yaml', text: rulesYaml },
      { file: 'chat.yaml', text: chatYaml }
    ],
    createCatalog({ teams: ['sales', 'support'], skills: ['product:crm'] })
  )
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors))
  return compiled.ruleSet
}

const ruleSet = chatRules()

/** Anna knows the CRM well, Boris a little, Clara not at all; all of team sales and available. */
function floor(chatCapacity = 1) {
  const env = testEnv(T0)
  const calls: AgentIndex = indexOf([
    agent('anna', { name: 'Anna', team: 'sales', chatCapacity, skills: { 'product:crm': 8 } }),
    agent('boris', { name: 'Boris', team: 'sales', chatCapacity, skills: { 'product:crm': 3 } }),
    agent('clara', { name: 'Clara', team: 'support', chatCapacity, skills: {} })
  ])
  const routing = new ChatRouting(calls, { now: env.now, random: env.random, rules: () => ruleSet })
  const chat = (id: string, over: Partial<ChatToRoute> = {}): ChatToRoute => ({ id, product: 'product:crm', at: env.now(), customer: null, ...over })
  return { env, calls, routing, chat }
}

t.test('a chat about a product goes to the free agent who knows it best', async (t) => {
  const f = floor()
  const { placement, served } = f.routing.route(f.chat('chat-1'))
  t.match(placement, { kind: 'agent', agentId: 'anna', agentName: 'Anna' })
  t.equal(placement.decision.rule, 'first chats')
  t.same(served, [])
  t.equal(f.routing.heldBy('anna'), 1)
})

t.test('a chat about no product goes to its team', async (t) => {
  const f = floor()
  f.calls.setAgentState('anna', 'away', T0)
  const { placement } = f.routing.route(f.chat('chat-1', { product: null }))
  t.match(placement, { kind: 'agent', agentId: 'boris' })
})

t.test("a customer's chat goes to their owner before the best expert", async (t) => {
  const f = floor()
  const { placement } = f.routing.route(f.chat('chat-1', { customer: customer({ ownerAgentId: 'boris' }) }))
  t.match(placement, { kind: 'agent', agentId: 'boris' })
  t.equal(placement.decision.rule, 'chats from customers')
})

t.test('an agent talking on a call still takes a chat', async (t) => {
  const f = floor()
  f.calls.reserve('anna', T0)
  f.calls.answered('anna', T0)
  const { placement } = f.routing.route(f.chat('chat-1'))
  t.match(placement, { kind: 'agent', agentId: 'anna' })
  t.equal(f.calls.get('anna')?.state.activeCalls, 1, 'the chat took nothing of the call capacity')
})

t.test('an agent takes chats up to their chat capacity', async (t) => {
  const f = floor(2)
  f.calls.setAgentState('boris', 'away', T0)
  t.match(f.routing.route(f.chat('chat-1')).placement, { kind: 'agent', agentId: 'anna' })
  t.match(f.routing.route(f.chat('chat-2')).placement, { kind: 'agent', agentId: 'anna' })
  t.equal(f.routing.heldBy('anna'), 2)
  t.match(f.routing.route(f.chat('chat-3')).placement, { kind: 'waiting', queue: 'chats' })
})

t.test("a chat whose fitting agents are all full waits in the chats queue with an estimate", async (t) => {
  const f = floor()
  f.routing.route(f.chat('chat-1'))
  f.routing.route(f.chat('chat-2'))
  const { placement } = f.routing.route(f.chat('chat-3'))
  t.match(placement, { kind: 'waiting', queue: 'chats' })
  if (placement.kind !== 'waiting') return
  t.ok(placement.estimatedWaitSeconds > 0, `estimated ${placement.estimatedWaitSeconds} s`)
  t.equal(f.routing.waiting('chat-3'), placement.estimatedWaitSeconds)
  t.equal(f.routing.heldBy('clara'), 0, 'an agent outside the rule is not given it')
})

t.test('a chat that ends frees its slot, and the waiting chat takes it', async (t) => {
  const f = floor()
  f.calls.setAgentState('boris', 'away', T0)
  f.routing.route(f.chat('chat-1'))
  f.routing.route(f.chat('chat-2'))
  f.env.advance(MINUTE)
  const served = f.routing.ended('chat-1')
  t.match(served, [{ interactionId: 'chat-2', queue: 'chats', waitedMs: MINUTE }])
  t.equal(served[0]?.decision.targets[0]?.agentId, 'anna')
  t.equal(f.routing.heldBy('anna'), 1, 'the waiting chat is hers at once')
  t.equal(f.routing.waiting('chat-2'), null)
})

t.test('a chat waiting for an agent away is served when they set available', async (t) => {
  const f = floor()
  for (const id of ['anna', 'boris']) f.calls.setAgentState(id, 'away', T0)
  t.match(f.routing.route(f.chat('chat-1')).placement, { kind: 'waiting' })
  f.calls.setAgentState('boris', 'available', T0 + MINUTE)
  t.match(f.routing.serveWaiting(), [{ interactionId: 'chat-1' }])
  t.equal(f.routing.heldBy('boris'), 1)
})

t.test('a new chat never takes the agent a waiting chat is owed', async (t) => {
  const f = floor()
  f.calls.setAgentState('boris', 'away', T0)
  f.routing.route(f.chat('chat-1'))
  f.routing.route(f.chat('older'))
  f.calls.setAgentState('boris', 'available', T0)
  const { placement, served } = f.routing.route(f.chat('newer'))
  t.match(served, [{ interactionId: 'older' }])
  t.match(placement, { kind: 'waiting', queue: 'chats' })
})

t.test('the preview names who would take the chat and reserves nobody', async (t) => {
  const f = floor()
  t.same(f.routing.preview(f.chat('view-1')), { agentName: 'Anna', estimatedWaitSeconds: 0 })
  t.equal(f.routing.heldBy('anna'), 0)
  t.match(f.routing.route(f.chat('chat-1')).placement, { kind: 'agent', agentId: 'anna' }, 'the chat itself still goes to her')
})

t.test('the preview with every fitting agent full names nobody and estimates the wait', async (t) => {
  const f = floor()
  f.routing.route(f.chat('chat-1'))
  f.routing.route(f.chat('chat-2'))
  const preview = f.routing.preview(f.chat('view-1'))
  t.equal(preview.agentName, null)
  t.ok(preview.estimatedWaitSeconds > 0)
  t.equal(f.routing.waiting('view-1'), null, 'the preview did not queue anything')
})

t.test("a waiting chat overflows once the queue's longest wait is over", async (t) => {
  const f = floor()
  f.routing.route(f.chat('chat-1'))
  f.routing.route(f.chat('chat-2'))
  f.routing.route(f.chat('chat-3'))
  t.equal(f.routing.nextDueAt(), T0 + 2 * MINUTE)
  f.env.advance(2 * MINUTE - 1)
  t.same(f.routing.due().overflowed, [], 'not a millisecond early')
  f.env.advance(1)
  const { overflowed } = f.routing.due()
  t.same(overflowed, [{ chatId: 'chat-3', final: { kind: 'voicemail', mailbox: null, callbackTask: true }, waitedMs: 2 * MINUTE }])
  t.equal(f.routing.waiting('chat-3'), null)
  t.equal(f.routing.nextDueAt(), null)
})

t.test("an agent's name is their profile's, or their id when unknown", async (t) => {
  const f = floor()
  f.routing.agents.sync(T0)
  t.equal(f.routing.agentName('anna'), 'Anna')
  t.equal(f.routing.agentName('nobody'), 'nobody')
})
