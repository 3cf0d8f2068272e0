import t from 'tap'
import { agentToken, request } from '../helpers/test-app.js'
import { openPage } from '../screenpop/fixtures/page-client.js'
import { addAgents, clusterSetup, eventually, startServer } from './cluster.js'

t.test('screen-pops across processes sharing Redis', async (t) => {
  const setup = await clusterSetup(t)
  const routing = await startServer(t, setup)
  const serving = await startServer(t, setup)
  await addAgents(routing.url, [{ id: 'agent-b', capacity: 1 }])
  await eventually(async () => (await request(`${serving.url}/v1/agents/agent-b/state`)).body.status === 'available', 10_000, 'the second process sees the agent')
  const token = await agentToken(routing.url, 'agent-b')
  let head = 0

  t.test('a card routed by one process reaches the agent whose page is connected to another', async (t) => {
    const page = await openPage(serving.url, { token })
    t.teardown(() => page.socket.close())
    await page.next((m) => m.type === 'hello')
    const routed = await request(`${routing.url}/v1/route`, { method: 'POST', body: { caller: '+79161112233', dialed: null, callId: 'pop-1' } })
    t.equal(routed.body.decision.targets[0]?.agentId, 'agent-b')
    const card = await page.next((m) => m.type === 'card')
    t.match(card, { type: 'card', callId: 'pop-1', seq: 1 })
  })

  t.test('a page reconnecting to a process started later gets exactly what it missed', async (t) => {
    await request(`${routing.url}/v1/interactions/pop-1/answered`, { method: 'POST', body: { agentId: 'agent-b' } })
    await request(`${routing.url}/v1/interactions/pop-1/ended`, { method: 'POST' })
    const late = await startServer(t, setup)
    const back = await openPage(late.url, { token, lastSeq: 1 })
    t.teardown(() => back.socket.close())
    const hello = await back.next((m) => m.type === 'hello')
    t.match(hello, { lost: 0, reset: false })
    t.equal(hello.replaying, hello.head - 1, 'everything after seq 1 is replayed')
    await back.next((m) => m.type === 'ended')
    const replayed = back.events()
    t.same(replayed.map((m) => m.seq), Array.from({ length: hello.head - 1 }, (_, i) => i + 2), 'in order, without a gap')
    t.same(replayed.filter((m) => m.callId === 'pop-1' && (m.type === 'answered' || m.type === 'ended')).map((m) => m.type), ['answered', 'ended'])
    head = hello.head
  })

  t.test('the next card continues the same seq whichever process publishes it', async (t) => {
    const page = await openPage(routing.url, { token, lastSeq: head })
    t.teardown(() => page.socket.close())
    await page.next((m) => m.type === 'hello')
    await eventually(async () => (await request(`${serving.url}/v1/agents/agent-b/state`)).body.status === 'available', 10_000, 'the agent is free again everywhere')
    await request(`${serving.url}/v1/route`, { method: 'POST', body: { caller: '+79161112244', dialed: null, callId: 'pop-2' } })
    const card = await page.next((m) => m.type === 'card')
    t.match(card, { callId: 'pop-2', seq: head + 1 })
  })
})
