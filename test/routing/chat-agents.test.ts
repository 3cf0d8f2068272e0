import t from 'tap'
import { AgentIndex } from '../../src/routing/agent-index.js'
import { ChatAgents } from '../../src/routing/chat-agents.js'
import { DEFAULT_CHAT_CAPACITY } from '../../src/routing/chat-settings.js'
import type { AgentProfile } from '../../src/routing/types.js'
import { agent, indexOf, MINUTE, T0 } from './fixtures/inputs.js'

/** A calls' index holding the agents, all available, and the chat agents made from it. */
function floor(agents: AgentProfile[]) {
  const calls = indexOf(agents)
  const chatAgents = new ChatAgents(calls, new AgentIndex())
  chatAgents.sync(T0)
  const chat = (id: string) => chatAgents.chats.get(id)
  return { calls, chats: chatAgents.chats, chatAgents, chat }
}

t.test("an agent's chats are counted on their chat capacity, not their call capacity", async (t) => {
  const f = floor([agent('anna', { capacity: 1, chatCapacity: 2 })])
  t.equal(f.chat('anna')?.profile.capacity, 2)
  t.equal(f.calls.get('anna')?.profile.capacity, 1, 'the calls keep their own capacity')
  t.ok(f.chats.reserve('anna', T0))
  t.ok(f.chats.reserve('anna', T0))
  t.notOk(f.chats.reserve('anna', T0), 'two chats fill the chat capacity')
  t.equal(f.calls.get('anna')?.state.activeCalls, 0, 'chats take nothing of the call capacity')
  t.ok(f.calls.reserve('anna', T0), 'the agent can still take a call')
})

t.test('an agent whose profile says nothing of chats takes the default number', async (t) => {
  const f = floor([agent('anna')])
  t.equal(f.chat('anna')?.profile.capacity, DEFAULT_CHAT_CAPACITY)
  t.equal(f.chat('anna')?.state.status, 'available')
})

t.test('an agent whose phone rings for a routed call is still available for chats', async (t) => {
  const f = floor([agent('anna')])
  f.calls.reserve('anna', T0)
  f.chatAgents.sync(T0)
  t.equal(f.calls.get('anna')?.state.status, 'ringing')
  t.equal(f.chat('anna')?.state.status, 'available')
})

t.test('an agent talking on a call is still available for chats', async (t) => {
  const f = floor([agent('anna')])
  f.calls.reserve('anna', T0)
  f.calls.answered('anna', T0)
  f.chatAgents.sync(T0)
  t.equal(f.calls.get('anna')?.state.status, 'busy')
  t.equal(f.chat('anna')?.state.status, 'available')
  t.equal(f.chat('anna')?.state.activeCalls, 0)
})

t.test("an agent whose device reports a call the router did not place is still available for chats", async (t) => {
  const f = floor([agent('anna'), agent('boris')])
  f.calls.setAgentState('anna', 'ringing', T0)
  f.calls.setAgentState('boris', 'busy', T0)
  f.chatAgents.sync(T0)
  t.equal(f.chat('anna')?.state.status, 'available')
  t.equal(f.chat('boris')?.state.status, 'available')
})

t.test('the wrap-up that follows a call does not keep an agent from chats', async (t) => {
  const f = floor([agent('anna')])
  f.calls.reserve('anna', T0)
  f.calls.answered('anna', T0)
  f.calls.ended('anna', T0 + MINUTE, 30)
  f.chatAgents.sync(T0 + MINUTE)
  t.match(f.calls.get('anna')?.state, { status: 'wrap-up', wrapUpUntil: T0 + MINUTE + 30_000 })
  t.equal(f.chat('anna')?.state.status, 'available')
})

t.test('a wrap-up the agent chose keeps them from chats until they set available', async (t) => {
  const f = floor([agent('anna')])
  f.calls.setAgentState('anna', 'wrap-up', T0)
  f.chatAgents.sync(T0)
  t.equal(f.chat('anna')?.state.status, 'wrap-up')
  f.calls.setAgentState('anna', 'available', T0 + MINUTE)
  f.chatAgents.sync(T0 + MINUTE)
  t.equal(f.chat('anna')?.state.status, 'available')
})

t.test('away and offline are mirrored into the chats', async (t) => {
  const f = floor([agent('anna'), agent('boris')])
  f.calls.setAgentState('anna', 'away', T0)
  f.calls.setAgentState('boris', 'offline', T0)
  f.chatAgents.sync(T0)
  t.equal(f.chat('anna')?.state.status, 'away')
  t.equal(f.chat('boris')?.state.status, 'offline')
})

t.test('presence mirrored keeps the time it was synced at', async (t) => {
  const f = floor([agent('anna')])
  f.calls.setAgentState('anna', 'away', T0 + MINUTE)
  f.chatAgents.sync(T0 + 2 * MINUTE)
  t.equal(f.chat('anna')?.state.since, T0 + 2 * MINUTE)
})

t.test('an agent with chat capacity 0 is offline for chats while available for calls', async (t) => {
  const f = floor([agent('anna', { chatCapacity: 0 })])
  t.equal(f.calls.get('anna')?.state.status, 'available')
  t.equal(f.chat('anna')?.state.status, 'offline')
  t.notOk(f.chats.reserve('anna', T0), 'nobody can give them a chat')
})

t.test('an agent removed from the calls leaves the chats', async (t) => {
  const f = floor([agent('anna'), agent('boris')])
  f.calls.removeAgent('anna')
  f.chatAgents.sync(T0)
  t.equal(f.chat('anna'), undefined)
  t.same(f.chats.snapshot().map((v) => v.profile.id), ['boris'])
})

t.test('an agent added to the calls joins the chats at the next sync', async (t) => {
  const f = floor([agent('anna')])
  f.calls.upsertAgent(agent('boris', { chatCapacity: 1 }))
  f.calls.setAgentState('boris', 'available', T0)
  f.chatAgents.sync(T0)
  t.match(f.chat('boris'), { profile: { capacity: 1 }, state: { status: 'available' } })
})

t.test('a changed profile is registered again in the chats, keeping the chats held', async (t) => {
  const f = floor([agent('anna', { chatCapacity: 1, skills: { 'product:crm': 5 } })])
  f.chats.reserve('anna', T0)
  f.calls.upsertAgent(agent('anna', { chatCapacity: 2, skills: { 'product:crm': 9 } }))
  f.chatAgents.sync(T0)
  t.match(f.chat('anna'), { profile: { capacity: 2, skills: { 'product:crm': 9 } }, state: { activeCalls: 1, status: 'ringing' } })
  t.ok(f.chats.reserve('anna', T0), 'the raised capacity gives room for a second chat')
})

t.test('a chat capacity lowered to 0 takes the agent offline for chats', async (t) => {
  const f = floor([agent('anna', { chatCapacity: 2 })])
  f.calls.upsertAgent(agent('anna', { chatCapacity: 0 }))
  f.chatAgents.sync(T0)
  t.equal(f.chat('anna')?.state.status, 'offline')
})

t.test('a sync with nothing changed leaves the chat agents as they were', async (t) => {
  const f = floor([agent('anna'), agent('boris')])
  const before = f.chats.snapshot()
  f.chatAgents.sync(T0 + MINUTE)
  t.same(f.chats.snapshot(), before)
})
