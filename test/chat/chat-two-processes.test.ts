import t from 'tap'
import { request } from '../helpers/test-app.js'
import { messageMatching } from '../helpers/socket-messages.js'
import { agentSocket, chatPair, openSocket, visitorPost, visitPages } from './chat-fixture.js'

// Two server processes sharing PostgreSQL and Redis: the visitor on one, the agent on the other.

const CRM_PAGES = ['/demo/site', '/demo/site/crm', '/demo/site/crm/features']
const ws = (url: string) => url.replace(/^http/, 'ws')

t.test('a visitor on one process and the agent on the other talk both ways, and a reconnect replays what was missed', async (t) => {
  const { a, b } = await chatPair(t)
  const anna = await agentSocket(t, b.url, 'a-anna')
  const { visitorId } = await visitPages(a.url, CRM_PAGES)
  const chat = await visitorPost(a.url, '/v1/chat/requests', { site: 'demo', visitorId })
  t.match(chat.body, { state: 'talking', agent: { name: 'Anna Volkova' } })
  const chatId = chat.body.chatId
  const given = await messageMatching(anna.messages, anna.socket, (m) => m.type === 'chat', 5000)
  t.equal(given.chat.id, chatId, 'the chat reached her socket on the other process')

  const address = `${ws(a.url)}/v1/chat/socket?site=demo&visitorId=${visitorId}&chatId=${chatId}`
  const visitor = await openSocket(t, `${address}&since=0`, { origin: 'http://127.0.0.1:3000' })
  await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'hello', 5000)
  visitor.socket.send(JSON.stringify({ type: 'message', clientId: 'v1', text: 'Hi from process A' }))
  t.match(await messageMatching(anna.messages, anna.socket, (m) => m.type === 'message', 5000), { chatId, seq: 1, from: 'visitor', text: 'Hi from process A' })
  anna.socket.send(JSON.stringify({ type: 'message', chatId, clientId: 'a1', text: 'Hello from process B' }))
  t.match(await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'message' && m.from === 'agent', 5000), { seq: 2, text: 'Hello from process B' })

  visitor.socket.close()
  anna.socket.send(JSON.stringify({ type: 'message', chatId, clientId: 'a2', text: 'Are you still there?' }))
  await messageMatching(anna.messages, anna.socket, (m) => m.type === 'ack' && m.clientId === 'a2', 5000)
  // The visitor comes back on the other process, having seen up to seq 2.
  const back = await openSocket(t, `${ws(b.url)}/v1/chat/socket?site=demo&visitorId=${visitorId}&chatId=${chatId}&since=2`, { origin: 'http://127.0.0.1:3000' })
  const hello = await messageMatching(back.messages, back.socket, (m) => m.type === 'hello', 5000)
  t.same(hello.messages.map((m: any) => [m.seq, m.text]), [[3, 'Are you still there?']])
})

t.test("an agent's chat capacity holds across processes", async (t) => {
  const { a, b } = await chatPair(t)
  const { name, team, skills, extension } = (await request(`${a.url}/v1/agents/a-anna`)).body
  const changed = await request(`${a.url}/v1/agents/a-anna`, { method: 'PUT', body: { name, team, skills, extension, chatCapacity: 1 } })
  t.equal(changed.status, 200, 'her chat capacity is now 1')
  // Every other CRM expert is away, so Anna is the only one who can take CRM chats.
  for (const id of ['a-boris', 'a-dmitri', 'a-galina', 'a-igor', 'a-clara', 'a-elena', 'a-fedor']) await request(`${a.url}/v1/agents/${id}/state`, { method: 'PUT', body: { state: 'away' } })
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(b.app.agents.get('a-anna')?.profile.chatCapacity, 1, 'process B knows her chat capacity')
  const first = await visitPages(a.url, CRM_PAGES)
  const second = await visitPages(b.url, CRM_PAGES)
  const one = await visitorPost(a.url, '/v1/chat/requests', { site: 'demo', visitorId: first.visitorId })
  t.match(one.body, { state: 'talking', agent: { name: 'Anna Volkova' } })
  const two = await visitorPost(b.url, '/v1/chat/requests', { site: 'demo', visitorId: second.visitorId })
  t.match(two.body, { state: 'waiting', agent: null }, 'process B does not give her a second chat')
  // Her chat on A ends: the chat waiting on B reaches her.
  const anna = await agentSocket(t, b.url, 'a-anna')
  const socket = await openSocket(t, `${ws(b.url)}/v1/chat/socket?site=demo&visitorId=${second.visitorId}&chatId=${two.body.chatId}`, { origin: 'http://127.0.0.1:3000' })
  const endOne = await openSocket(t, `${ws(a.url)}/v1/chat/socket?site=demo&visitorId=${first.visitorId}&chatId=${one.body.chatId}`, { origin: 'http://127.0.0.1:3000' })
  endOne.socket.send(JSON.stringify({ type: 'end' }))
  const talking = await messageMatching(socket.messages, socket.socket, (m) => (m.type === 'state' || m.type === 'hello') && m.state === 'talking', 8000)
  t.equal(talking.agent.name, 'Anna Volkova')
  t.ok(await messageMatching(anna.messages, anna.socket, (m) => m.type === 'chat' && m.chat.id === two.body.chatId, 5000))
})

t.test('a chat waiting on a process that stops is taken over by the other and reaches the agent', async (t) => {
  const { a, b } = await chatPair(t)
  for (const id of ['a-anna', 'a-boris', 'a-clara', 'a-dmitri', 'a-elena', 'a-fedor', 'a-galina', 'a-igor']) await request(`${b.url}/v1/agents/${id}/state`, { method: 'PUT', body: { state: 'away' } })
  const { visitorId } = await visitPages(a.url, CRM_PAGES)
  const waiting = await visitorPost(a.url, '/v1/chat/requests', { site: 'demo', visitorId })
  t.match(waiting.body, { state: 'waiting' })
  await a.app.stop()
  const anna = await agentSocket(t, b.url, 'a-anna')
  await request(`${b.url}/v1/agents/a-anna/state`, { method: 'PUT', body: { state: 'available' } })
  const given = await messageMatching(anna.messages, anna.socket, (m) => m.type === 'chat', 15_000)
  t.equal(given.chat.id, waiting.body.chatId, 'the waiting chat reached her through process B')
})
