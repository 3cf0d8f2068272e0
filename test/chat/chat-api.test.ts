import t from 'tap'
import { request } from '../helpers/test-app.js'
import { messageMatching } from '../helpers/socket-messages.js'
import { agentSocket, chatApp, visitorPost, visitorSocket, visitPages } from './chat-fixture.js'

// A visitor of the company's site and an agent, through the real HTTP endpoints and sockets.

const CRM_PAGES = ['/demo/site', '/demo/site/crm', '/demo/site/crm/features']

t.test('a visitor who has read three pages about the CRM is offered a chat with the best CRM expert', async (t) => {
  const { url } = await chatApp(t)
  const first = await visitPages(url, CRM_PAGES.slice(0, 2))
  t.equal(first.last.offer, null, 'two pages: no offer yet')
  const third = await visitPages(url, CRM_PAGES.slice(2), first.visitorId)
  t.equal(third.visitorId, first.visitorId)
  t.same(third.last.visit, { pages: 3, product: 'product:crm' })
  t.same(third.last.offer, { reason: '3 pages viewed', expert: { name: 'Anna Volkova' }, estimatedWaitSeconds: 0 })
})

t.test('the chat reaches the expert, messages go both ways, and the agent sends a product card', async (t) => {
  const { app, url } = await chatApp(t)
  const agent = await agentSocket(t, url, 'a-anna')
  const { visitorId } = await visitPages(url, CRM_PAGES)
  const started = await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId })
  t.equal(started.status, 201)
  t.match(started.body, { state: 'talking', agent: { name: 'Anna Volkova' }, estimatedWaitSeconds: 0 })
  const chatId = started.body.chatId as string
  const given = await messageMatching(agent.messages, agent.socket, (m) => m.type === 'chat', 5000)
  t.equal(given.chat.id, chatId)
  t.same(given.chat.visitor.pages.map((p: any) => p.url), CRM_PAGES.map((p) => `http://127.0.0.1:3000${p}`))
  t.equal(given.chat.visitor.product, 'product:crm')

  const visitor = await visitorSocket(t, url, { visitorId, chatId })
  const hello = await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'hello', 5000)
  t.match(hello, { chatId, state: 'talking', agent: { name: 'Anna Volkova' }, messages: [] })
  visitor.socket.send(JSON.stringify({ type: 'message', clientId: 'v1', text: 'How much is the CRM for 5 people? <b>now</b>' }))
  t.same(await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'ack', 5000), { type: 'ack', clientId: 'v1', seq: 1 })
  const heard = await messageMatching(agent.messages, agent.socket, (m) => m.type === 'message' && m.from === 'visitor', 5000)
  t.match(heard, { chatId, seq: 1, text: 'How much is the CRM for 5 people? <b>now</b>' })

  agent.socket.send(JSON.stringify({ type: 'message', chatId, clientId: 'a1', cardId: 'crm-card' }))
  const card = await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'message' && m.from === 'agent', 5000)
  t.same(card.card, { title: 'Spring CRM', summary: 'CRM for sales teams, from 1 200 ₽ a user a month', url: 'https://www.example.com/crm' })
  t.equal(card.seq, 2)

  visitor.socket.send(JSON.stringify({ type: 'end' }))
  const ended = await messageMatching(agent.messages, agent.socket, (m) => m.type === 'chat-ended', 5000)
  t.same(ended, { type: 'chat-ended', chatId, by: 'visitor' })

  // The transcript and the chat's row, with the lead the unknown visitor became.
  await new Promise((resolve) => setTimeout(resolve, 300))
  const db = app.database.db as any
  const row = await db.selectFrom('chats').selectAll().where('id', '=', chatId).executeTakeFirstOrThrow()
  t.match(row, { agent_id: 'a-anna', outcome: 'answered', messages: 2, source: 'web-chat:demo', rule: 'first chats' })
  t.ok(row.lead_id, 'the visitor became a lead')
  const lead = await db.selectFrom('leads').selectAll().where('id', '=', row.lead_id).executeTakeFirstOrThrow()
  t.match(lead, { visitor_id: visitorId, agent_id: 'a-anna', source: 'web-chat:demo' })
  const transcript = await db.selectFrom('chat_messages').selectAll().where('chat_id', '=', chatId).orderBy('seq').execute()
  t.same(transcript.map((m: any) => [m.seq, m.sender, m.text]), [[1, 'visitor', 'How much is the CRM for 5 people? <b>now</b>'], [2, 'agent', null]])
})

t.test('the same visitor the next day reaches the same expert, even when another is better now', async (t) => {
  const clock = { offset: 0 }
  const { url } = await chatApp(t, { clock })
  const { visitorId } = await visitPages(url, CRM_PAGES)
  const first = await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId })
  const visitor = await visitorSocket(t, url, { visitorId, chatId: first.body.chatId })
  visitor.socket.send(JSON.stringify({ type: 'end' }))
  await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'state' && m.state === 'ended', 5000)
  await new Promise((resolve) => setTimeout(resolve, 300))
  clock.offset = 24 * 3600_000
  // Telephony pages now: Dmitri is its best expert, but the visitor is Anna's.
  const next = await visitPages(url, ['/demo/site/telephony'], visitorId)
  t.match(next.last.offer, { reason: 'known visitor', expert: { name: 'Anna Volkova' } })
  const again = await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId })
  t.match(again.body, { state: 'talking', agent: { name: 'Anna Volkova' } })
})

t.test('a visitor with an open chat who asks again gets the same chat', async (t) => {
  const { url } = await chatApp(t)
  const { visitorId } = await visitPages(url, CRM_PAGES)
  const first = await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId })
  const second = await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId })
  t.equal(second.status, 200)
  t.equal(second.body.chatId, first.body.chatId)
})

t.test('a request from an origin the site does not configure is refused, and no CORS header is given', async (t) => {
  const { url } = await chatApp(t)
  const refused = await fetch(`${url}/v1/chat/views`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ site: 'demo', url: 'https://evil.example/' }) })
  t.equal(refused.status, 403)
  t.equal(((await refused.json()) as any).error, 'CTI_ERR_CHAT_ORIGIN_REFUSED')
  t.equal(refused.headers.get('access-control-allow-origin'), null)
  const preflight = await fetch(`${url}/v1/chat/views`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } })
  t.equal(preflight.headers.get('access-control-allow-origin'), 'http://127.0.0.1:3000')
  const unknownSite = await visitorPost(url, '/v1/chat/views', { site: 'nope', url: 'http://127.0.0.1:3000/' })
  t.equal(unknownSite.status, 404)
  t.equal(unknownSite.body.error, 'CTI_ERR_CHAT_UNKNOWN_SITE')
})

t.test('a visitor id that does not exist starts a new visitor', async (t) => {
  const { url } = await chatApp(t)
  const made = 'A'.repeat(43)
  const view = await visitorPost(url, '/v1/chat/views', { site: 'demo', visitorId: made, url: 'http://127.0.0.1:3000/demo/site' })
  t.equal(view.status, 200)
  t.not(view.body.visitorId, made)
  t.match(view.body.visitorId, /^[A-Za-z0-9_-]{43}$/)
  const asked = await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId: made })
  t.equal(asked.status, 404)
  t.equal(asked.body.error, 'CTI_ERR_CHAT_VISITOR_NOT_FOUND')
})

t.test("a visitor's socket never opens another visitor's chat", async (t) => {
  const { url } = await chatApp(t)
  const a = await visitPages(url, CRM_PAGES)
  const b = await visitPages(url, CRM_PAGES)
  const chat = await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId: a.visitorId })
  const intruder = await visitorSocket(t, url, { visitorId: b.visitorId, chatId: chat.body.chatId })
  t.same((await intruder.closed).code, 4404)
  const wrongOrigin = await visitorSocket(t, url, { visitorId: a.visitorId, chatId: chat.body.chatId }, 'https://evil.example')
  t.same((await wrongOrigin.closed).code, 4403)
})

t.test('a message over the size limit is refused with a clear error, and a flood is throttled for that visitor only', async (t) => {
  const { url } = await chatApp(t, { edit: (yaml) => yaml.replace('messages per minute per visitor: 30', 'messages per minute per visitor: 3') })
  const a = await visitPages(url, CRM_PAGES)
  const b = await visitPages(url, CRM_PAGES)
  const chatA = (await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId: a.visitorId })).body.chatId
  const chatB = (await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId: b.visitorId })).body.chatId
  const sa = await visitorSocket(t, url, { visitorId: a.visitorId, chatId: chatA })
  const sb = await visitorSocket(t, url, { visitorId: b.visitorId, chatId: chatB })
  sa.socket.send(JSON.stringify({ type: 'message', clientId: 'big', text: 'я'.repeat(1001) }))
  const tooLong = await messageMatching(sa.messages, sa.socket, (m) => m.type === 'error' && m.clientId === 'big', 5000)
  t.match(tooLong, { code: 'CTI_ERR_CHAT_MESSAGE_TOO_LONG', message: /2002 bytes; at most 2000/ })
  for (let i = 0; i < 5; i++) sa.socket.send(JSON.stringify({ type: 'message', clientId: `f${i}`, text: `flood ${i}` }))
  const throttled = await messageMatching(sa.messages, sa.socket, (m) => m.type === 'error' && m.code === 'CTI_ERR_CHAT_RATE_LIMITED', 5000)
  t.equal(throttled.clientId, 'f3', 'the fourth message of the minute is refused')
  sb.socket.send(JSON.stringify({ type: 'message', clientId: 'b1', text: 'hello' }))
  t.same(await messageMatching(sb.messages, sb.socket, (m) => m.type === 'ack', 5000), { type: 'ack', clientId: 'b1', seq: 1 }, 'another visitor is not slowed')
  sa.socket.send('{"type":"message"}')
  t.match(await messageMatching(sa.messages, sa.socket, (m) => m.code === 'CTI_ERR_CHAT_BAD_MESSAGE', 5000), { type: 'error' })
})

t.test('the agent page learns the catalogue and quick replies in the agent language', async (t) => {
  const { url } = await chatApp(t)
  const token = (await request(`${url}/v1/agents/a-anna/token`, { method: 'POST' })).body.token
  await request(`${url}/v1/me/language`, { method: 'PUT', body: { language: 'ru' }, headers: { authorization: `Bearer ${token}` } })
  const catalogue = await request(`${url}/v1/me/chat/catalogue`, { headers: { authorization: `Bearer ${token}` } })
  t.equal(catalogue.status, 200)
  t.same(catalogue.body.cards.map((c: any) => c.id), ['crm-card', 'telephony-card', 'analytics-card'])
  t.equal(catalogue.body.quickReplies[0], 'Здравствуйте! Чем могу помочь?')
})
