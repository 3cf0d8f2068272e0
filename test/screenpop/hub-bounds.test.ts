import t from 'tap'
import { ScreenPopHub } from '../../src/screenpop/screen-pop-hub.js'

type Event = { type: 'card'; callId: string; notes: string }

function hub(options: { maxBytesPerAgent?: number; maxBytes?: number; now?: () => number }) {
  return new ScreenPopHub<Event>({ retentionMs: 3600_000, maxBacklogBytes: 1 << 20, now: options.now ?? (() => 0), sweepEveryMs: 0, ...options })
}

const card = (i: number, size = 1000): Event => ({ type: 'card', callId: `c${i}`, notes: 'x'.repeat(size) })

t.test('an agent keeps no more bytes of events than its limit, the oldest going first', async (t) => {
  const h = hub({ maxBytesPerAgent: 10_000 })
  for (let i = 0; i < 100; i++) h.publish('a1', card(i))
  t.ok(h.keptBytes('a1') <= 10_000, `${h.keptBytes('a1')} characters kept`)
  t.ok(h.kept('a1') >= 8, `${h.kept('a1')} events kept`)
  const replayed: any[] = []
  h.subscribe('a1', 0, { send: (f) => void replayed.push(JSON.parse(f)), backlog: () => 0, resync: () => undefined })
  t.equal(replayed.at(-1).callId, 'c99', 'the newest is kept')
  t.equal(replayed[0].lost, 100 - h.kept('a1'), 'the page is told how many it lost')
})

t.test('all agents together keep no more bytes than the total limit, the oldest events of any agent going first', async (t) => {
  let clock = 0
  const h = hub({ maxBytes: 50_000, now: () => clock })
  for (let i = 0; i < 1000; i++) {
    clock++
    h.publish(`a${i % 20}`, card(i))
  }
  t.ok(h.keptBytes() <= 50_000, `${h.keptBytes()} characters kept`)
  let sum = 0
  for (let a = 0; a < 20; a++) sum += h.keptBytes(`a${a}`)
  t.equal(sum, h.keptBytes(), 'the total is the sum of the agents')
  for (let a = 0; a < 20; a++) t.ok(h.kept(`a${a}`) >= 1, `agent a${a} keeps its newest`)
})

t.test('an event larger than the per-agent limit is still kept alone, for the page to replay', async (t) => {
  const h = hub({ maxBytesPerAgent: 500 })
  h.publish('a1', card(1, 100))
  h.publish('a1', card(2, 2000))
  t.equal(h.kept('a1'), 1)
})

t.test('events restored from the shared store count against the limits', async (t) => {
  const h = hub({ maxBytesPerAgent: 5000 })
  const frames = Array.from({ length: 50 }, (_, i) => ({ seq: i + 1, at: 0, frame: JSON.stringify({ ...card(i), seq: i + 1 }) }))
  h.restore('a1', 50, frames)
  t.ok(h.keptBytes('a1') <= 5000)
  t.equal(h.head('a1'), 50)
  h.restore('a1', 50, [])
  t.equal(h.keptBytes('a1'), 0, 'a restore replaces what was kept')
  t.equal(h.keptBytes(), 0)
})

t.test('the count of open pages follows subscriptions, unsubscriptions and pages dropped for falling behind', async (t) => {
  const h = hub({})
  const page = (backlog: () => number) => ({ send: () => undefined, backlog, resync: () => undefined })
  const a = h.subscribe('a1', null, page(() => 0))
  h.subscribe('a2', null, page(() => 0))
  let slow = 0
  h.subscribe('a2', null, page(() => slow))
  t.equal(h.connected, 3)
  a.unsubscribe()
  a.unsubscribe()
  t.equal(h.connected, 2, 'unsubscribing twice counts once')
  slow = 2 << 20
  h.publish('a2', card(1))
  t.equal(h.connected, 1, 'the page that fell behind is no longer counted')
})
