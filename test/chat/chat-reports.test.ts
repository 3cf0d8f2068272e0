import t from 'tap'
import { request } from '../helpers/test-app.js'
import { messageMatching } from '../helpers/socket-messages.js'
import { agentSocket, chatApp, setState, visitorPost, visitorSocket, visitPages } from './chat-fixture.js'

// Chats in the reports beside calls, and in the history of the lead or customer they belong to.

const CRM_PAGES = ['/demo/site', '/demo/site/crm', '/demo/site/crm/features']

t.test('the chats report counts chats per source and per agent: answered, messages left, time to answer', async (t) => {
  const { url } = await chatApp(t)
  const anna = await agentSocket(t, url, 'a-anna')
  const talked = await visitPages(url, CRM_PAGES)
  const chatId = (await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId: talked.visitorId })).body.chatId
  const visitor = await visitorSocket(t, url, { visitorId: talked.visitorId, chatId })
  await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'hello', 5000)
  visitor.socket.send(JSON.stringify({ type: 'message', clientId: 'v1', text: 'Hello' }))
  await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'ack', 5000)
  anna.socket.send(JSON.stringify({ type: 'end', chatId }))
  await messageMatching(anna.messages, anna.socket, (m) => m.type === 'chat-ended', 5000)

  for (const id of ['a-anna', 'a-boris', 'a-clara', 'a-dmitri', 'a-elena', 'a-fedor', 'a-galina', 'a-igor']) await setState(url, id, 'away')
  const left = await visitPages(url, ['/demo/site/crm/pricing'])
  await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId: left.visitorId })
  t.equal((await visitorPost(url, '/v1/chat/messages-left', { site: 'demo', visitorId: left.visitorId, text: 'Call me', phone: '+79161112299' })).status, 201)
  await new Promise((resolve) => setTimeout(resolve, 300))

  const bySource = await request(`${url}/v1/reports/chats?from=2026-11-23&to=2026-11-24`)
  t.equal(bySource.status, 200)
  t.match(bySource.body.rows, [{ key: 'web-chat:demo', chats: 2, answered: 1, answeredShare: 0.5, missed: 0, messageLeft: 1, callBack: 0, messages: 1 }])
  const byAgent = await request(`${url}/v1/reports/chats?from=2026-11-23&to=2026-11-24&groupBy=agent`)
  t.match(byAgent.body.rows, [{ key: 'a-anna', chats: 1, answered: 1 }, { key: null, chats: 1, answered: 0, messageLeft: 1 }])
  t.type(byAgent.body.rows[0].medianSecondsToAnswer, 'number')
  const csv = await fetch(`${url}/v1/reports/chats?from=2026-11-23&to=2026-11-24&format=csv`)
  t.match(await csv.text(), /^key,chats,answered,answeredShare,missed,messageLeft,callBack/)
})

t.test("the visitor's chat is in their lead's history, and one chat with its transcript can be read", async (t) => {
  const { url } = await chatApp(t)
  await agentSocket(t, url, 'a-anna')
  const { visitorId } = await visitPages(url, CRM_PAGES)
  const chatId = (await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId })).body.chatId
  const visitor = await visitorSocket(t, url, { visitorId, chatId })
  await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'hello', 5000)
  visitor.socket.send(JSON.stringify({ type: 'message', clientId: 'v1', text: 'What does it cost?' }))
  await messageMatching(visitor.messages, visitor.socket, (m) => m.type === 'ack', 5000)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const chat = await request(`${url}/v1/chats/${chatId}`)
  t.equal(chat.status, 200)
  t.match(chat.body, { id: chatId, site: 'demo', agentId: 'a-anna', visitorId, transcript: [{ seq: 1, from: 'visitor', text: 'What does it cost?' }] })
  const lead = await request(`${url}/v1/leads/${chat.body.leadId}`)
  t.match(lead.body.chats, [{ id: chatId, agentId: 'a-anna', site: 'demo' }])
  t.equal((await request(`${url}/v1/chats/chat-unknown`)).body.error, 'CTI_ERR_CHAT_NOT_FOUND')
})

t.test("a customer's chats are listed once the visitor is linked to them", async (t) => {
  const { url } = await chatApp(t)
  const { visitorId } = await visitPages(url, CRM_PAGES)
  t.same((await visitorPost(url, '/v1/chat/identify', { site: 'demo', visitorId, phone: '8 903 111-22-33' })).body, { linked: true })
  const chatId = (await visitorPost(url, '/v1/chat/requests', { site: 'demo', visitorId })).body.chatId
  await new Promise((resolve) => setTimeout(resolve, 300))
  const olga = (await request(`${url}/v1/customers/by-phone/${encodeURIComponent('+79031112233')}/card`)).body.customer
  const chats = await request(`${url}/v1/customers/${olga.id}/chats`)
  t.match(chats.body.chats, [{ id: chatId, agentId: 'a-boris' }], "Olga's chat went to her owner and is in her history")
})
