import t from 'tap'
import { request } from '../helpers/test-app.js'
import { ORDINARY, queueApp, route, VIP } from './queue-fixture.js'

t.test('peak hour over HTTP: with the only agent busy, callers wait (202) and the VIP is served first when the agent frees up', async (t) => {
  const { url } = await queueApp(t, ['a1'])
  const first = await route(url, 'busy-1', ORDINARY[0]!)
  t.equal(first.status, 200)
  t.equal(first.body.decision.targets[0].agentId, 'a1')
  t.equal((await request(`${url}/v1/interactions/busy-1/answered`, { method: 'POST', body: { agentId: 'a1' } })).status, 200)

  const early = await route(url, 'early', ORDINARY[1]!)
  t.equal(early.status, 202, 'nobody free: the call waits')
  t.same(early.body.queued, { ...early.body.queued, queue: 'floor', position: 1 })
  t.type(early.body.queued.estimatedWaitSeconds, 'number')
  const later = await route(url, 'later', ORDINARY[2]!)
  t.equal(later.status, 202)
  t.equal(later.body.queued.position, 2, 'an ordinary caller waits behind the earlier one')
  const vip = await route(url, 'vip', VIP)
  t.equal(vip.status, 202)
  t.equal(vip.body.queued.position, 1, 'the VIP goes ahead of both')

  const polled = request(`${url}/v1/interactions/vip/wait?timeoutSeconds=20`, { method: 'POST' })
  t.equal((await request(`${url}/v1/interactions/busy-1/ended`, { method: 'POST' })).body.ended, true)
  const answer = await polled
  t.equal(answer.status, 200)
  t.equal(answer.body.status, 'offered', 'the long poll answers when the agent is chosen')
  t.equal(answer.body.decision.targets[0].agentId, 'a1')
  t.equal((await request(`${url}/v1/agents/a1/state`)).body.status, 'ringing')

  const queues = await request(`${url}/v1/queues`)
  t.equal(queues.status, 200)
  const floor = queues.body.queues.find((q: { name: string }) => q.name === 'floor')
  t.equal(floor.waiting, 2)
  t.same(floor.calls.map((c: { callId: string; position: number }) => [c.callId, c.position]), [['early', 1], ['later', 2]])
})

t.test('a long poll answers still queued at its timeout, with the place', async (t) => {
  const { url } = await queueApp(t, ['a1'])
  await route(url, 'busy-1', ORDINARY[0]!)
  await route(url, 'waiting', ORDINARY[1]!)
  const answer = await request(`${url}/v1/interactions/waiting/wait?timeoutSeconds=1`, { method: 'POST' })
  t.equal(answer.status, 200)
  t.equal(answer.body.status, 'queued')
  t.equal(answer.body.queued.position, 1)
  t.equal(answer.body.queued.queue, 'floor')
})

t.test('a long poll on an unknown interaction answers a coded 404, on a finished one a coded 409', async (t) => {
  const { url } = await queueApp(t, ['a1'])
  const unknown = await request(`${url}/v1/interactions/nobody/wait?timeoutSeconds=1`, { method: 'POST' })
  t.equal(unknown.status, 404)
  t.equal(unknown.body.error, 'CTI_ERR_INTERACTION_NOT_FOUND')
  await route(url, 'over', ORDINARY[0]!)
  await request(`${url}/v1/interactions/over/ended`, { method: 'POST' })
  const finished = await request(`${url}/v1/interactions/over/wait?timeoutSeconds=1`, { method: 'POST' })
  t.equal(finished.status, 409)
  t.equal(finished.body.error, 'CTI_ERR_INTERACTION_FINISHED')
})

t.test('a caller who hangs up while waiting is recorded as abandoned, with the wait', async (t) => {
  const { url, app } = await queueApp(t, ['a1'])
  await route(url, 'busy-1', ORDINARY[0]!)
  t.equal((await route(url, 'gone', ORDINARY[1]!)).status, 202)
  const finished = new Promise<{ outcome: string | null; steps: { kind: string; data: Record<string, unknown> | null }[]; offeredAt: number; endedAt: number | null }>((resolve) => {
    app.calls.onFinished((record) => {
      if (record.id === 'gone') resolve(record as never)
    })
  })
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal((await request(`${url}/v1/interactions/gone/ended`, { method: 'POST' })).body.ended, true)
  const record = await finished
  t.equal(record.outcome, 'abandoned')
  t.ok(record.endedAt! - record.offeredAt >= 50, 'the wait runs from arrival to the hang-up')
  const dequeued = record.steps.find((s) => s.kind === 'dequeued')
  t.equal(dequeued?.data?.why, 'abandoned')
  t.ok(record.steps.some((s) => s.kind === 'queued'), 'the wait is a step of the record')
  const queues = await request(`${url}/v1/queues`)
  t.equal(queues.body.queues.find((q: { name: string }) => q.name === 'floor')?.waiting ?? 0, 0, 'nobody waits any more')
})

t.test('asking for a call-back without a telephony side that places calls is refused, and the caller keeps waiting', async (t) => {
  const { url } = await queueApp(t, ['a1'])
  await route(url, 'busy-1', ORDINARY[0]!)
  await route(url, 'cb', ORDINARY[1]!)
  const res = await request(`${url}/v1/interactions/cb/callback`, { method: 'POST' })
  t.equal(res.status, 422)
  t.equal(res.body.error, 'CTI_ERR_CALLBACK_IMPOSSIBLE')
  const unknown = await request(`${url}/v1/interactions/nobody/callback`, { method: 'POST' })
  t.equal(unknown.status, 404)
  const notWaiting = await request(`${url}/v1/interactions/busy-1/callback`, { method: 'POST' })
  t.equal(notWaiting.status, 409)
  t.equal(notWaiting.body.error, 'CTI_ERR_NOT_QUEUED')
})

t.test("at the queue's longest wait the long poll answers the overflow, and the call leaves the queue", async (t) => {
  const queues = 'queues:\n  floor:\n    longest wait: 1s\n    overflow:\n      voicemail: floor\n      call-back: yes\n'
  const { url } = await queueApp(t, ['a1'], { queues })
  await route(url, 'busy-1', ORDINARY[0]!)
  t.equal((await route(url, 'too-long', ORDINARY[1]!)).status, 202)
  const answer = await request(`${url}/v1/interactions/too-long/wait?timeoutSeconds=10`, { method: 'POST' })
  t.equal(answer.status, 200)
  t.equal(answer.body.status, 'final')
  t.match(answer.body.decision.final, { kind: 'voicemail', mailbox: 'floor' })
  const floor = (await request(`${url}/v1/queues`)).body.queues.find((q: { name: string }) => q.name === 'floor')
  t.equal(floor?.waiting ?? 0, 0)
})
