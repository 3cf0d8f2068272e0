import t from 'tap'
import type { InteractionEvent } from '../../src/interactions/interaction-router.js'
import { request } from '../helpers/test-app.js'
import { ORDINARY, queueApp, route } from '../api/queue-fixture.js'

t.test('a waiting call is told when it moves up, once per change', async (t) => {
  const { url, app } = await queueApp(t, ['a1'])
  const events: InteractionEvent[] = []
  app.interactions.onEvent((event) => void events.push(event))
  await route(url, 'busy-1', ORDINARY[0]!)
  await route(url, 'first', ORDINARY[1]!)
  t.match((await route(url, 'second', ORDINARY[2]!)).body.queued, { position: 2 })
  t.match(events.find((e) => e.type === 'queued' && e.callId === 'second'), { queue: 'floor', position: 2 })

  await request(`${url}/v1/interactions/busy-1/ended`, { method: 'POST' })
  const deadline = Date.now() + 5000
  const moved = () => events.filter((e): e is Extract<InteractionEvent, { type: 'queue-moved' }> => e.type === 'queue-moved' && e.callId === 'second')
  while (!moved().some((e) => e.position === 1) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  t.match(moved().at(-1), { queue: 'floor', position: 1 }, 'the caller behind moved to first place')
  t.match(events.find((e) => e.type === 'dequeued' && e.callId === 'first'), { queue: 'floor', why: 'served' })
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal(moved().filter((e) => e.position === 1).length, 1, 'told once, not at every tick')
})
