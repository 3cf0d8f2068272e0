import t from 'tap'
import { ScreenPopHub, type HubSubscriber } from '../../src/screenpop/screen-pop-hub.js'

type Event = { type: 'card' | 'ended'; callId: string }

function hub(options: { now?: () => number; retentionMs?: number; maxEventsPerAgent?: number; maxBacklogBytes?: number } = {}) {
  let id = 0
  return new ScreenPopHub<Event>({
    retentionMs: options.retentionMs ?? 60_000,
    maxEventsPerAgent: options.maxEventsPerAgent,
    maxBacklogBytes: options.maxBacklogBytes ?? 1000,
    now: options.now ?? (() => 0),
    sweepEveryMs: 0,
    newId: () => `e${++id}`
  })
}

/** A page that records what it receives; its backlog is whatever the test sets. */
function page() {
  const received: any[] = []
  const state = { backlog: 0, resyncs: [] as string[] }
  const subscriber: HubSubscriber = {
    send: (frame) => void received.push(JSON.parse(frame)),
    backlog: () => state.backlog,
    resync: (reason) => void state.resyncs.push(reason)
  }
  return { received, state, subscriber, events: () => received.filter((m) => m.type !== 'hello') }
}

t.test('events get per-agent sequence numbers and ids', async (t) => {
  const h = hub({ now: () => 5 })
  t.match(h.publish('a', { type: 'card', callId: 'c1' }), { type: 'card', callId: 'c1', seq: 1, id: 'e1', at: 5 })
  t.match(h.publish('a', { type: 'ended', callId: 'c1' }), { seq: 2 })
  t.match(h.publish('b', { type: 'card', callId: 'c2' }), { seq: 1 }, 'each agent has their own sequence')
  t.equal(h.head('a'), 2)
  t.equal(h.head('nobody'), 0)
})

t.test('a new page without lastSeq starts live; with lastSeq it gets what it missed first', async (t) => {
  const h = hub()
  h.publish('a', { type: 'card', callId: 'c1' })
  h.publish('a', { type: 'card', callId: 'c2' })
  h.publish('a', { type: 'card', callId: 'c3' })

  const fresh = page()
  const sub = h.subscribe('a', null, fresh.subscriber)
  t.same(fresh.received, [{ type: 'hello', agentId: 'a', head: 3, replaying: 0, lost: 0, reset: false }])
  t.same(sub.hello.replaying, 0)

  const back = page()
  h.subscribe('a', 1, back.subscriber)
  t.same(back.received[0], { type: 'hello', agentId: 'a', head: 3, replaying: 2, lost: 0, reset: false })
  t.same(back.events().map((e) => [e.seq, e.callId]), [[2, 'c2'], [3, 'c3']], 'only what came after seq 1, in order')

  h.publish('a', { type: 'ended', callId: 'c3' })
  t.same(back.events().map((e) => e.seq), [2, 3, 4], 'then live')
  t.same(fresh.events().map((e) => e.seq), [4])

  const all = page()
  h.subscribe('a', 0, all.subscriber)
  t.same(all.events().map((e) => e.seq), [1, 2, 3, 4], 'lastSeq 0: everything kept')
  const current = page()
  h.subscribe('a', 4, current.subscriber)
  t.same(current.events(), [], 'nothing missed')
})

t.test('a page whose lastSeq is ahead of the stream (server restarted) gets everything kept and is told to reset', async (t) => {
  const h = hub()
  h.publish('a', { type: 'card', callId: 'c1' })
  const p = page()
  h.subscribe('a', 57, p.subscriber)
  t.match(p.received[0], { type: 'hello', reset: true, replaying: 1, lost: 0 })
  t.same(p.events().map((e) => e.seq), [1])
})

t.test('events expire after the retention time; what expired is reported as lost', async (t) => {
  let now = 0
  const h = hub({ now: () => now, retentionMs: 1000 })
  h.publish('a', { type: 'card', callId: 'old' })
  now = 600
  h.publish('a', { type: 'card', callId: 'newer' })
  now = 1200
  t.equal(h.kept('a'), 2, 'expiry is lazy')
  h.sweep()
  t.equal(h.kept('a'), 1, 'the first event is past its 1 s')
  const p = page()
  h.subscribe('a', 0, p.subscriber)
  t.match(p.received[0], { replaying: 1, lost: 1 })
  t.same(p.events().map((e) => e.callId), ['newer'])

  now = 5000
  const late = page()
  h.subscribe('a', 1, late.subscriber)
  t.match(late.received[0], { head: 2, replaying: 0, lost: 1, reset: false }, 'expired on subscribe too, even without a sweep')
  t.equal(h.publish('a', { type: 'card', callId: 'next' }).seq, 3, 'the sequence goes on after everything expired')
})

t.test('the count per agent is bounded too', async (t) => {
  const h = hub({ maxEventsPerAgent: 3 })
  for (let i = 1; i <= 5; i++) h.publish('a', { type: 'card', callId: `c${i}` })
  t.equal(h.kept('a'), 3)
  const p = page()
  h.subscribe('a', 0, p.subscriber)
  t.match(p.received[0], { replaying: 3, lost: 2 })
  t.same(p.events().map((e) => e.seq), [3, 4, 5])
})

t.test('two pages of one agent both get every event; other agents get none of them', async (t) => {
  const h = hub()
  const tab1 = page()
  const tab2 = page()
  const other = page()
  h.subscribe('a', null, tab1.subscriber)
  h.subscribe('a', null, tab2.subscriber)
  h.subscribe('b', null, other.subscriber)
  t.equal(h.subscribers('a'), 2)
  h.publish('a', { type: 'card', callId: 'c1' })
  t.same(tab1.events().map((e) => e.callId), ['c1'])
  t.same(tab2.events().map((e) => e.callId), ['c1'])
  t.same(other.events(), [])
})

t.test('unsubscribing stops delivery and is idempotent', async (t) => {
  const h = hub()
  const p = page()
  const sub = h.subscribe('a', null, p.subscriber)
  sub.unsubscribe()
  sub.unsubscribe()
  h.publish('a', { type: 'card', callId: 'c1' })
  t.same(p.events(), [])
  t.equal(h.subscribers('a'), 0)
})

t.test('a slow page is told to resync and dropped; the other page of the agent is not affected', async (t) => {
  const h = hub({ maxBacklogBytes: 1000 })
  const slow = page()
  const fast = page()
  h.subscribe('a', null, slow.subscriber)
  h.subscribe('a', null, fast.subscriber)
  h.publish('a', { type: 'card', callId: 'c1' })
  slow.state.backlog = 5000
  h.publish('a', { type: 'card', callId: 'c2' })
  h.publish('a', { type: 'card', callId: 'c3' })
  t.same(slow.events().map((e) => e.callId), ['c1'], 'nothing more is queued for the slow page')
  t.same(slow.state.resyncs, ['more than 1000 bytes unsent'], 'told once')
  t.same(fast.events().map((e) => e.callId), ['c1', 'c2', 'c3'])
  t.equal(h.subscribers('a'), 1)

  // Coming back with the last seq it saw, it catches up.
  const back = page()
  h.subscribe('a', 1, back.subscriber)
  t.same(back.events().map((e) => e.callId), ['c2', 'c3'])
})

t.test('a page that falls behind during its replay is dropped at that point', async (t) => {
  const h = hub({ maxBacklogBytes: 100 })
  for (let i = 1; i <= 10; i++) h.publish('a', { type: 'card', callId: `c${i}` })
  const p = page()
  let sent = 0
  const subscriber: HubSubscriber = { ...p.subscriber, send: (frame) => { sent += frame.length; p.subscriber.send(frame) }, backlog: () => sent }
  h.subscribe('a', 0, subscriber)
  t.ok(p.events().length < 10, `stopped after ${p.events().length} events`)
  t.equal(p.state.resyncs.length, 1)
  t.equal(h.subscribers('a'), 0)
})

t.test('the sweep timer runs by itself and stops on close', async (t) => {
  let now = 0
  const h = new ScreenPopHub<Event>({ retentionMs: 10, maxBacklogBytes: 1000, now: () => now, sweepEveryMs: 5 })
  t.teardown(() => h.close())
  h.publish('a', { type: 'card', callId: 'c1' })
  now = 100
  await new Promise((resolve) => setTimeout(resolve, 30))
  t.equal(h.kept('a'), 0)
  h.close()
})
