import t, { type Test } from 'tap'
import WebSocket from 'ws'
import { messageMatching } from '../helpers/socket-messages.js'
import { request, testApp, testDemoApp } from '../helpers/test-app.js'

const NEW_CALLER = '+79990001122'
const SPRING_LINE = '+74951234567'

/** Waits for the next message that satisfies `match` (within 3 s: a delta is due within 250 ms). */
function nextMatching(messages: any[], socket: WebSocket, match: (m: any) => boolean): Promise<any> {
  return messageMatching(messages, socket, match, 3000)
}

/** Opens the board with a token; resolves with the socket, every message received, and the snapshot. */
async function openBoard(t: Test, url: string, token: string) {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/v1/wallboard/socket?token=${encodeURIComponent(token)}`)
  t.teardown(() => socket.close())
  const messages: any[] = []
  socket.on('message', (data) => messages.push(JSON.parse(String(data))))
  const snapshot = await nextMatching(messages, socket, (m) => m.type === 'snapshot')
  return { socket, messages, snapshot }
}

async function supervisorToken(url: string, id: string, teams: string[]): Promise<string> {
  await request(`${url}/v1/supervisors`, { method: 'POST', body: { id, name: `Lead ${id}`, teams } })
  const issued = await request(`${url}/v1/supervisors/${id}/token`, { method: 'POST' })
  return issued.body.token
}

t.test('a wrong token closes the wallboard socket with 4401', async (t) => {
  const { url } = await testDemoApp(t)
  await supervisorToken(url, 'lead-sales', ['sales'])
  const socket = new WebSocket(`${url.replace('http', 'ws')}/v1/wallboard/socket?token=not-a-token`)
  const [code] = await new Promise<[number, string]>((resolve) => socket.on('close', (c, reason) => resolve([c, String(reason)])))
  t.equal(code, 4401)
})

t.test("the snapshot holds only the supervisor's teams' agents", async (t) => {
  const { url } = await testDemoApp(t)
  const { snapshot } = await openBoard(t, url, await supervisorToken(url, 'lead-sales', ['sales']))
  t.same(snapshot.agents.map((a: { id: string }) => a.id).sort(), ['a-boris', 'a-dmitri'])
  t.same(snapshot.viewer, { kind: 'supervisor', name: 'Lead lead-sales', teams: ['sales'] })
  t.ok(snapshot.queues.some((q: { name: string }) => q.name === 'sales'), 'the queues of the rules are listed')
})

t.test("a call to a sales agent reaches the sales board, never the VIP desk's, and counts when it ends", async (t) => {
  const { url } = await testDemoApp(t)
  const sales = await openBoard(t, url, await supervisorToken(url, 'lead-sales', ['sales']))
  const vip = await openBoard(t, url, await supervisorToken(url, 'lead-vip', ['vip-desk']))
  const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: NEW_CALLER, dialed: SPRING_LINE, callId: 'call-1' } })
  const agentId = routed.body.decision?.targets?.[0]?.agentId ?? routed.body.targets?.[0]?.agentId
  t.ok(['a-boris', 'a-dmitri'].includes(agentId), 'a sales agent is offered the call')
  const ringing = await nextMatching(sales.messages, sales.socket, (m) => m.type === 'delta' && m.calls.some((c: { id: string; phase: string }) => c.id === 'call-1' && c.phase === 'ringing'))
  t.equal(ringing.calls.find((c: { id: string }) => c.id === 'call-1').caller, NEW_CALLER)
  await request(`${url}/v1/interactions/call-1/answered`, { method: 'POST', body: { agentId } })
  await nextMatching(sales.messages, sales.socket, (m) => m.type === 'delta' && m.calls.some((c: { id: string; phase: string }) => c.id === 'call-1' && c.phase === 'talking'))
  await request(`${url}/v1/interactions/call-1/ended`, { method: 'POST', body: {} })
  const ended = await nextMatching(sales.messages, sales.socket, (m) => m.type === 'delta' && m.endedCalls.includes('call-1'))
  const queue = ended.queues.find((q: { name: string }) => q.name === 'sales') ?? (await nextMatching(sales.messages, sales.socket, (m) => m.type === 'delta' && m.queues.some((q: { name: string }) => q.name === 'sales'))).queues.find((q: { name: string }) => q.name === 'sales')
  t.equal(queue.today.answered, 1, "today's answered count of the queue")
  t.equal(queue.serviceLevel, 1, 'answered at once: within the threshold')
  const vipSawIt = vip.messages.some((m) => m.type === 'delta' && (m.calls.some((c: { id: string }) => c.id === 'call-1') || m.agents.some((a: { id: string }) => a.id === agentId)))
  t.notOk(vipSawIt, 'the VIP desk board never heard of the call or the sales agent')
})

t.test('an agent set away from the board reaches it with who set them', async (t) => {
  const { url } = await testDemoApp(t)
  const token = await supervisorToken(url, 'lead-sales', ['sales'])
  const board = await openBoard(t, url, token)
  const set = await request(`${url}/v1/supervisor/agents/a-boris/state`, { method: 'POST', body: { state: 'away' }, headers: { authorization: `Bearer ${token}` } })
  t.equal(set.status, 200)
  const delta = await nextMatching(board.messages, board.socket, (m) => m.type === 'delta' && m.agents.some((a: { id: string; status: string }) => a.id === 'a-boris' && a.status === 'away'))
  t.equal(delta.agents.find((a: { id: string }) => a.id === 'a-boris').setBy, 'Lead lead-sales')
})

t.test('a token that expires while the board is open closes its socket with 4401', async (t) => {
  let clock = Date.parse('2026-11-23T09:00:00+03:00')
  const { url } = await testApp(t, { SCREENPOP_HEARTBEAT_SECONDS: '1' }, { now: () => clock })
  await request(`${url}/v1/supervisors`, { method: 'POST', body: { id: 'lead-night', name: 'Night Lead', teams: ['night'] } })
  const token = (await request(`${url}/v1/supervisors/lead-night/token?validHours=1`, { method: 'POST' })).body.token
  const { socket } = await openBoard(t, url, token)
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
  clock += 3_600_001
  t.equal(await closed, 4401)
})
