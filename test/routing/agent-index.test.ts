import t from 'tap'
import { AgentIndex } from '../../src/routing/agent-index.js'
import { agent, indexOf, MINUTE, T0 } from './fixtures/inputs.js'

t.test('a new agent is offline until they say otherwise', async (t) => {
  const index = new AgentIndex()
  index.upsertAgent(agent('alice'))
  t.equal(index.get('alice')?.state.status, 'offline')
  t.equal(index.reserve('alice', T0), false)
  t.equal(index.skipReason('alice'), 'offline')
})

t.test('an available agent can be reserved once; then they are ringing and at capacity', async (t) => {
  const index = indexOf([agent('alice')])
  t.equal(index.reserve('alice', T0), true)
  t.match(index.get('alice')?.state, { status: 'ringing', since: T0, activeCalls: 1, ringingCalls: 1 })
  t.equal(index.reserve('alice', T0 + 1), false)
  t.equal(index.skipReason('alice'), 'at-capacity')
})

t.test('releasing an unanswered offer makes the agent available again', async (t) => {
  const index = indexOf([agent('alice')])
  index.reserve('alice', T0)
  t.equal(index.release('alice', T0 + 20_000), true)
  t.match(index.get('alice')?.state, { status: 'available', since: T0 + 20_000, activeCalls: 0 })
  t.equal(index.release('alice', T0 + 20_001), false, 'nothing left to release')
})

t.test('answering turns ringing into busy and counts the call', async (t) => {
  const index = indexOf([agent('alice')])
  index.reserve('alice', T0)
  t.equal(index.answered('alice', T0 + 5000), true)
  t.match(index.get('alice')?.state, { status: 'busy', activeCalls: 1, ringingCalls: 0, callsToday: 1 })
  t.equal(index.answered('alice', T0 + 6000), false, 'no second offer to answer')
})

t.test('after a call the agent is in wrap-up, then available once it has run out', async (t) => {
  const index = indexOf([agent('alice')])
  index.reserve('alice', T0)
  index.answered('alice', T0)
  index.ended('alice', T0 + MINUTE, 30)
  t.match(index.get('alice')?.state, { status: 'wrap-up', activeCalls: 0, lastCallEndedAt: T0 + MINUTE, wrapUpUntil: T0 + MINUTE + 30_000 })
  t.equal(index.reserve('alice', T0 + MINUTE + 29_999), false, 'still wrapping up')
  t.equal(index.skipReason('alice'), 'wrap-up')
  index.tick(T0 + MINUTE + 30_000)
  t.match(index.get('alice')?.state, { status: 'available', since: T0 + MINUTE + 30_000, wrapUpUntil: null })
})

t.test('wrap-up ends by itself when the index is next told the time, at the moment it was due', async (t) => {
  const index = indexOf([agent('alice')])
  index.reserve('alice', T0)
  index.answered('alice', T0)
  index.ended('alice', T0 + MINUTE, 30)
  t.equal(index.reserve('alice', T0 + 5 * MINUTE), true)
  t.equal(index.get('alice')?.state.status, 'ringing')
})

t.test('wrap-ups of different lengths each end at their own time', async (t) => {
  const index = indexOf([agent('long'), agent('short'), agent('mid')])
  for (const id of ['long', 'short', 'mid']) {
    index.reserve(id, T0)
    index.answered(id, T0)
  }
  index.ended('long', T0, 300)
  index.ended('short', T0, 10)
  index.ended('mid', T0, 60)
  index.tick(T0 + 60_000)
  t.same(
    index.snapshot().map((v) => [v.profile.id, v.state.status, v.state.since]),
    [
      ['long', 'wrap-up', T0],
      ['short', 'available', T0 + 10_000],
      ['mid', 'available', T0 + 60_000]
    ]
  )
  t.same([...index.allEntries()].filter((e) => e.indexed).sort((a, b) => a.idleSeq - b.idleSeq).map((e) => e.profile.id), ['short', 'mid'], 'idle order follows when each became free')
})

t.test('no wrap-up when it is set to zero seconds', async (t) => {
  const index = indexOf([agent('alice')])
  index.reserve('alice', T0)
  index.answered('alice', T0)
  index.ended('alice', T0 + MINUTE, 0)
  t.equal(index.get('alice')?.state.status, 'available')
})

t.test('an agent who set themselves away during a call stays away after it', async (t) => {
  const index = indexOf([agent('alice')])
  index.reserve('alice', T0)
  index.answered('alice', T0)
  index.setAgentState('alice', 'away', T0 + 1000)
  index.ended('alice', T0 + MINUTE, 30)
  index.tick(T0 + 10 * MINUTE)
  t.equal(index.get('alice')?.state.status, 'away')
})

t.test('choosing available on the page ends a wrap-up early', async (t) => {
  const index = indexOf([agent('alice')])
  index.reserve('alice', T0)
  index.answered('alice', T0)
  index.ended('alice', T0 + MINUTE, 300)
  index.setAgentState('alice', 'available', T0 + 2 * MINUTE)
  t.equal(index.reserve('alice', T0 + 2 * MINUTE), true)
  // The old wrap-up's due time passing must not disturb the new call.
  index.tick(T0 + 10 * MINUTE)
  t.equal(index.get('alice')?.state.status, 'ringing')
})

t.test('a wrap-up chosen by the agent lasts until they end it', async (t) => {
  const index = indexOf([agent('alice')])
  index.setAgentState('alice', 'wrap-up', T0)
  index.tick(T0 + 24 * 60 * MINUTE)
  t.match(index.get('alice')?.state, { status: 'wrap-up', wrapUpUntil: null })
})

t.test('an agent with capacity 3 stays eligible while ringing or busy below capacity', async (t) => {
  const index = indexOf([agent('chat', { capacity: 3 })])
  t.equal(index.reserve('chat', T0), true)
  t.equal(index.get('chat')?.state.status, 'ringing')
  index.answered('chat', T0)
  t.equal(index.get('chat')?.state.status, 'busy')
  t.equal(index.reserve('chat', T0), true)
  t.equal(index.reserve('chat', T0), true)
  t.equal(index.get('chat')?.state.activeCalls, 3)
  t.equal(index.reserve('chat', T0), false, 'fourth would exceed capacity')
})

t.test('with capacity > 1, wrap-up starts only when the last interaction ends', async (t) => {
  const index = indexOf([agent('chat', { capacity: 2 })])
  index.reserve('chat', T0)
  index.answered('chat', T0)
  index.reserve('chat', T0)
  index.answered('chat', T0)
  index.ended('chat', T0 + MINUTE, 30)
  t.equal(index.get('chat')?.state.status, 'busy', 'one chat still in progress; the freed slot is offered at once')
  t.equal(index.reserve('chat', T0 + MINUTE), true)
  index.release('chat', T0 + MINUTE)
  index.ended('chat', T0 + 2 * MINUTE, 30)
  t.equal(index.get('chat')?.state.status, 'wrap-up')
})

t.test('a device busy with a call the router did not place makes the agent ineligible', async (t) => {
  const index = indexOf([agent('alice', { capacity: 2 })])
  index.setAgentState('alice', 'busy', T0)
  t.equal(index.skipReason('alice'), 'at-capacity')
  t.equal(index.reserve('alice', T0), false)
  index.setAgentState('alice', 'available', T0 + MINUTE)
  t.equal(index.reserve('alice', T0 + MINUTE), true)
})

t.test('unknown agents are refused, not an error', async (t) => {
  const index = new AgentIndex()
  t.equal(index.setAgentState('ghost', 'available', T0), false)
  t.equal(index.reserve('ghost', T0), false)
  t.equal(index.release('ghost', T0), false)
  t.equal(index.answered('ghost', T0), false)
  t.equal(index.ended('ghost', T0, 30), false)
  t.equal(index.removeAgent('ghost'), false)
  t.equal(index.get('ghost'), undefined)
  t.equal(index.skipReason('ghost'), 'unknown-agent')
})

t.test('updating a profile keeps the live state and moves the agent to the new team and skills', async (t) => {
  const index = indexOf([agent('alice', { team: 'sales', skills: { tv: 5 } })])
  index.reserve('alice', T0)
  index.answered('alice', T0)
  index.upsertAgent(agent('alice', { team: 'support', skills: { radio: 7 }, capacity: 2 }))
  t.match(index.get('alice')?.state, { status: 'busy', activeCalls: 1, callsToday: 1 })
  t.equal(index.team('sales'), undefined, 'an emptied team is forgotten')
  t.equal(index.skill('tv'), undefined)
  t.equal(index.team('support')?.pool.size, 1, 'eligible again with the higher capacity')
  t.equal(index.skill('radio')?.members.size, 1)
})

t.test('the index keeps its own copy of a profile', async (t) => {
  const skills: Record<string, number> = { tv: 5 }
  const index = indexOf([agent('alice', { skills })])
  skills.radio = 3
  t.same(index.get('alice')?.profile.skills, { tv: 5 })
})

t.test('a removed agent is gone from every pool', async (t) => {
  const index = indexOf([agent('alice', { team: 'sales', skills: { tv: 5 } }), agent('bob', { team: 'sales', skills: { tv: 5 } })])
  t.equal(index.removeAgent('alice'), true)
  t.equal(index.team('sales')?.pool.size, 1)
  t.equal(index.skill('tv')?.members.size, 1)
  t.same(index.snapshot().map((v) => v.profile.id), ['bob'])
})

t.test('bad agent data is refused at load', async (t) => {
  const index = new AgentIndex()
  t.throws(() => index.upsertAgent(agent('a', { capacity: 0 })), RangeError)
  t.throws(() => index.upsertAgent(agent('a', { skills: { tv: 11 } })), RangeError)
  t.throws(() => index.upsertAgent(agent('a', { skills: { tv: 2.5 } })), RangeError)
  t.equal(index.size, 0)
})

t.test('a restored agent starts from the given state', async (t) => {
  const index = new AgentIndex()
  index.upsertAgent(agent('alice'), { status: 'available', since: T0 - MINUTE, callsToday: 7, lastCallEndedAt: T0 - MINUTE })
  t.same(index.get('alice')?.state, {
    status: 'available',
    since: T0 - MINUTE,
    activeCalls: 0,
    ringingCalls: 0,
    callsToday: 7,
    lastCallEndedAt: T0 - MINUTE,
    wrapUpUntil: null
  })
})

t.test('a new day sets calls-today back to zero for everyone', async (t) => {
  const index = indexOf([agent('alice', { team: 'sales' }), agent('bob', { team: 'sales' })])
  index.reserve('alice', T0)
  index.answered('alice', T0)
  index.ended('alice', T0, 0)
  index.resetDailyCounts()
  t.same(
    index.snapshot().map((v) => v.state.callsToday),
    [0, 0]
  )
  t.equal(index.team('sales')?.pool.size, 2)
})

t.test('a snapshot is a copy: changing it changes nothing', async (t) => {
  const index = indexOf([agent('alice')])
  const [view] = index.snapshot()
  view!.state.activeCalls = 5
  t.equal(index.get('alice')?.state.activeCalls, 0)
})
