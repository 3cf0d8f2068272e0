import t, { type Test } from 'tap'
import { request } from '../helpers/test-app.js'
import { messageMatching } from '../helpers/socket-messages.js'
import { agentSocket, chatApp, setState, visitorPost, visitorSocket, visitPages } from './chat-fixture.js'

// What the agent does with a chat, and what happens to a chat nobody answers.

const CRM_PAGES = ['/demo/site', '/demo/site/crm', '/demo/site/crm/features']
const EVERYONE = ['a-anna', 'a-boris', 'a-clara', 'a-dmitri', 'a-elena', 'a-fedor', 'a-galina', 'a-igor']

async function talking(t: Test, url: string) {
  const agent = await agentSocket(t, url, 'a-anna')
  const { visitorId } = await visitPages(url, CRM_PAGES)
  const chatId = (await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId })).body.chatId as string
  await messageMatching(agent.messages, agent.socket, (m) => m.type === 'chat', 5000)
  const visitor = await visitorSocket(t, url, { visitorId, chatId })
  await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'hello', 5000)
  return { agent, visitor, visitorId, chatId }
}

t.test('typing and read marks reach the other side', async (t) => {
  const { url } = await chatApp(t)
  const { agent, visitor, chatId } = await talking(t, url)
  visitor.socket.send(JSON.stringify({ type: 'typing' }))
  t.same(await messageMatching(agent.messages, agent.socket, (m) => m.type === 'typing', 5000), { type: 'typing', chatId, from: 'visitor' })
  agent.socket.send(JSON.stringify({ type: 'message', chatId, clientId: 'a1', text: 'Hello' }))
  await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'message', 5000)
  visitor.socket.send(JSON.stringify({ type: 'read', upTo: 1 }))
  t.same(await messageMatching(agent.messages, agent.socket, (m) => m.type === 'read', 5000), { type: 'read', chatId, from: 'visitor', upTo: 1 })
  agent.socket.send(JSON.stringify({ type: 'typing', chatId }))
  t.same(await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'typing', 5000), { type: 'typing', from: 'agent' })
})

t.test('the agent turns the chat into a call-back: a task of theirs, and the chat ends for both', async (t) => {
  const { url } = await chatApp(t)
  const { agent, visitor, chatId } = await talking(t, url)
  agent.socket.send(JSON.stringify({ type: 'call-back', chatId }))
  const answer = await messageMatching(agent.messages, agent.socket, (m) => m.type === 'call-back', 5000)
  t.match(answer, { chatId, taskId: /^\d+$/, callId: null })
  t.match(await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'state' && m.state === 'ended', 5000), { agent: { name: 'Anna Volkova' } })
  const tasks = (await request(`${url}/v1/tasks?assignee=a-anna&status=open`)).body.tasks
  t.ok(tasks.some((task: any) => String(task.id) === answer.taskId && task.kind === 'callback'))
  agent.socket.send(JSON.stringify({ type: 'message', chatId, clientId: 'late', text: 'still there?' }))
  t.match(await messageMatching(agent.messages, agent.socket, (m) => m.type === 'error' && m.clientId === 'late', 5000), { code: 'CTI_ERR_CHAT_NOT_FOUND' })
})

t.test('the agent links the visitor to a customer: the chat joins the customer', async (t) => {
  const { app, url } = await chatApp(t)
  const { agent, chatId } = await talking(t, url)
  const olga = (await request(`${url}/v1/customers/by-phone/${encodeURIComponent('+79031112233')}/card`)).body.customer
  agent.socket.send(JSON.stringify({ type: 'link', chatId, customerId: String(olga.id) }))
  t.same(await messageMatching(agent.messages, agent.socket, (m) => m.type === 'linked' && m.customer !== null, 5000), { type: 'linked', chatId, customer: { id: String(olga.id), name: 'Olga Smirnova' }, lead: null })
  agent.socket.send(JSON.stringify({ type: 'end', chatId }))
  await messageMatching(agent.messages, agent.socket, (m) => m.type === 'chat-ended', 5000)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const row = await (app.database.db as any).selectFrom('chats').select(['customer_id', 'outcome']).where('id', '=', chatId).executeTakeFirstOrThrow()
  t.same({ customer: Number(row.customer_id), outcome: row.outcome }, { customer: Number(olga.id), outcome: 'answered' })
  agent.socket.send(JSON.stringify({ type: 'link', chatId: 'chat-nope', customerId: '1' }))
  t.match(await messageMatching(agent.messages, agent.socket, (m) => m.type === 'error' && m.chatId === 'chat-nope', 5000), { code: 'CTI_ERR_CHAT_NOT_FOUND' })
})

t.test("a chat nobody answers before the queue's longest wait ends, and a call-back task goes to the product's expert", async (t) => {
  const clock = { offset: 0 }
  const { app, url } = await chatApp(t, { clock })
  for (const id of EVERYONE) await setState(url, id, 'away')
  const { visitorId } = await visitPages(url, ['/demo/site/crm/pricing'])
  const chat = await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId })
  t.match(chat.body, { state: 'waiting', agent: null })
  const visitor = await visitorSocket(t, url, { visitorId, chatId: chat.body.chatId })
  await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'hello' && m.state === 'waiting', 5000)
  clock.offset = 6 * 60_000
  await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'state' && m.state === 'ended', 5000)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const row = await (app.database.db as any).selectFrom('chats').select(['outcome', 'agent_id', 'wait_seconds']).where('id', '=', chat.body.chatId).executeTakeFirstOrThrow()
  t.equal(row.outcome, 'missed')
  t.ok(Number(row.wait_seconds) >= 300, 'the wait is recorded')
  const tasks = (await request(`${url}/v1/tasks?assignee=a-anna&status=open`)).body.tasks
  t.ok(tasks.some((task: any) => task.kind === 'callback' && /nobody answered/.test(task.title)), 'Anna, the best CRM expert, is to call back')
})

t.test('a waiting chat is listed in GET /v1/queues with its position and wait, beside the calls', async (t) => {
  const { url } = await chatApp(t)
  for (const id of EVERYONE) await setState(url, id, 'away')
  const { visitorId } = await visitPages(url, ['/demo/site/crm/pricing'])
  const chat = await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId })
  t.match(chat.body, { state: 'waiting' })
  const queues = (await request(`${url}/v1/queues`)).body.queues as { name: string; waiting: number; calls: { callId: string; kind: string; position: number }[] }[]
  const chats = queues.find((q) => q.name === 'chats')
  t.match(chats, { waiting: 1, calls: [{ callId: chat.body.chatId, kind: 'chat', position: 1 }] })
})
