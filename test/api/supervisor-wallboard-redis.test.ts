import t from 'tap'
import WebSocket from 'ws'
import { messageMatching } from '../helpers/socket-messages.js'
import { request } from '../helpers/test-app.js'
import { addAgents, clusterSetup, QUEUE_RULES, startServer } from '../presence/cluster.js'

/** The first message (already received or to come) that satisfies `match`, within 5 s. */
function waitFor(messages: any[], socket: WebSocket, match: (m: any) => boolean): Promise<any> {
  return messageMatching(messages, socket, match, 5000)
}

t.test("a call routed by one process is on the board connected to another, and counted there when it ends", async (t) => {
  // The figures are a queue's: the floor's rule ends in queue "floor".
  const setup = await clusterSetup(t, undefined, QUEUE_RULES)
  const front = await startServer(t, setup)
  const back = await startServer(t, setup)
  await addAgents(front.url, [{ id: 'agent-a', capacity: 1 }])
  await request(`${front.url}/v1/supervisors`, { method: 'POST', body: { id: 'lead-floor', name: 'Floor Lead', teams: ['floor'] } })
  const token = (await request(`${front.url}/v1/supervisors/lead-floor/token`, { method: 'POST' })).body.token

  const socket = new WebSocket(`${back.url.replace('http', 'ws')}/v1/wallboard/socket?token=${token}`)
  t.teardown(() => socket.close())
  const messages: any[] = []
  socket.on('message', (data) => messages.push(JSON.parse(String(data))))
  const snapshot = await waitFor(messages, socket, (m) => m.type === 'snapshot')
  t.same(snapshot.agents.map((a: { id: string }) => a.id), ['agent-a'])

  const hasCall = (phase: string) => (m: any) => m.type === 'delta' && m.calls.some((c: { id: string; phase: string }) => c.id === 'far-1' && c.phase === phase)
  await request(`${front.url}/v1/route`, { method: 'POST', body: { caller: '+79161112233', dialed: null, callId: 'far-1' } })
  await waitFor(messages, socket, hasCall('ringing'))
  await waitFor(messages, socket, (m) => m.type === 'delta' && m.agents.some((a: { id: string; status: string }) => a.id === 'agent-a' && a.status === 'ringing'))
  await request(`${front.url}/v1/interactions/far-1/answered`, { method: 'POST', body: { agentId: 'agent-a' } })
  await waitFor(messages, socket, hasCall('talking'))
  await request(`${front.url}/v1/interactions/far-1/ended`, { method: 'POST' })
  await waitFor(messages, socket, (m) => m.type === 'delta' && m.endedCalls.includes('far-1'))
  const counted = await waitFor(messages, socket, (m) => m.type === 'delta' && m.queues.some((q: { name: string; today: { answered: number } }) => q.name === 'floor' && q.today.answered === 1))
  t.ok(counted, "the other process's call is in this board's figures")
})
