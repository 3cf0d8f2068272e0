import pino from 'pino'
import t, { type Test } from 'tap'
import { ChatWriter, type ChatMessageRow, type ChatRow } from '../../src/chat/chat-writer.js'
import { isVisitorId, newVisitorId, storedTranscript, VisitorStore, VISIT_GAP_MS } from '../../src/chat/visitor-store.js'
import { chatDb } from '../../src/crm/chat-schema.js'
import { openDatabase } from '../../src/crm/database.js'
import { freshSchema, TEST_DATABASE_URL, testDatabase } from '../helpers/test-app.js'

const T0 = Date.UTC(2026, 10, 23, 8, 0)
const MINUTE = 60_000
const silent = pino({ level: 'silent' })

/** A migrated database in a fresh schema, with a chat writer and the visitor store on it. */
async function setUp(t: Test) {
  const { db } = await testDatabase(t)
  const writer = new ChatWriter({ db, logger: silent, lingerMs: 5 })
  t.teardown(() => writer.close())
  await db.insertInto('agents').values([{ id: 'anna', name: 'Anna', extension: '101' }, { id: 'boris', name: 'Boris', extension: '102' }]).execute()
  return { db, chats: chatDb(db), writer, visitors: new VisitorStore(db) }
}

function chatRow(id: string, over: Partial<ChatRow> = {}): ChatRow {
  return { id, site: 'demo', source: 'web-chat:demo', product: 'product:crm', visitor_id: 'v-1', customer_id: null, lead_id: null, agent_id: null, rule: 'first chats', outcome: null, started_at: new Date(T0), messages: 0, ...over }
}

function messageRow(chatId: string, seq: number, over: Partial<ChatMessageRow> = {}): ChatMessageRow {
  return { chat_id: chatId, seq, sender: 'visitor', text: `message ${seq}`, card: null, at: new Date(T0 + seq * 1000), ...over }
}

const page = (url: string) => ({ url, title: null, product: null })

t.test("a chat's row is written, and its later row replaces it", async (t) => {
  const { chats, writer } = await setUp(t)
  writer.chat(chatRow('chat-1'))
  await writer.flush()
  writer.chat(chatRow('chat-1', { agent_id: 'anna', outcome: 'answered', answered_at: new Date(T0 + 8000), ended_at: new Date(T0 + 128_000), wait_seconds: 8, handle_seconds: 120, messages: 4 }))
  await writer.flush()
  const rows = await chats.selectFrom('chats').select(['id', 'agent_id', 'outcome', 'wait_seconds', 'handle_seconds', 'messages', 'ended_at']).execute()
  t.same(rows, [{ id: 'chat-1', agent_id: 'anna', outcome: 'answered', wait_seconds: 8, handle_seconds: 120, messages: 4, ended_at: new Date(T0 + 128_000) }])
  t.equal(writer.pending, 0)
})

t.test('of two rows of one chat given before a write, the later is written', async (t) => {
  const { chats, writer } = await setUp(t)
  writer.chat(chatRow('chat-1'))
  writer.chat(chatRow('chat-1', { outcome: 'missed' }))
  await writer.flush()
  t.same(await chats.selectFrom('chats').select(['outcome']).execute(), [{ outcome: 'missed' }])
})

t.test('a message is stored once however often it is given', async (t) => {
  const { chats, writer } = await setUp(t)
  writer.message(messageRow('chat-1', 1))
  writer.message(messageRow('chat-1', 1))
  await writer.flush()
  writer.message(messageRow('chat-1', 1, { text: 'a replay' }))
  writer.message(messageRow('chat-1', 2))
  await writer.flush()
  const rows = await chats.selectFrom('chat_messages').select(['seq', 'text']).orderBy('seq').execute()
  t.same(rows, [{ seq: 1, text: 'message 1' }, { seq: 2, text: 'message 2' }])
})

t.test('the stored transcript gives texts and cards after a seq, in order', async (t) => {
  const { db, writer } = await setUp(t)
  const card = { title: 'Spring CRM', summary: 'From 1 200 ₽ a month', url: 'https://www.example.com/crm' }
  writer.message(messageRow('chat-1', 3, { sender: 'agent', text: null, card: JSON.stringify(card) }))
  writer.message(messageRow('chat-1', 2, { sender: 'agent', text: 'Hello!' }))
  writer.message(messageRow('chat-1', 1))
  writer.message(messageRow('chat-2', 1))
  await writer.flush()
  t.same(await storedTranscript(db, 'chat-1', 1), [
    { seq: 2, from: 'agent', text: 'Hello!', at: new Date(T0 + 2000).toISOString() },
    { seq: 3, from: 'agent', card, at: new Date(T0 + 3000).toISOString() }
  ])
})

t.test('rows given without a flush are written after the linger', async (t) => {
  const { chats, writer } = await setUp(t)
  writer.chat(chatRow('chat-1'))
  writer.message(messageRow('chat-1', 1))
  for (let i = 0; i < 100 && writer.written < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(writer.written, 2)
  t.equal((await chats.selectFrom('chat_messages').selectAll().execute()).length, 1)
})

t.test('a message with a NUL character is stored without it, and the messages after it too', async (t) => {
  const { chats, writer } = await setUp(t)
  writer.message(messageRow('chat-1', 1, { text: 'price\u0000list' }))
  writer.message(messageRow('chat-1', 2))
  await writer.flush()
  t.same(await chats.selectFrom('chat_messages').select(['seq', 'text']).orderBy('seq').execute(), [{ seq: 1, text: 'pricelist' }, { seq: 2, text: 'message 2' }])
})

/** A writer on a schema with no tables: the database refuses every batch. Counts its refusals and its losses. */
async function refusedWriter(t: Test) {
  const database = await openDatabase({ url: TEST_DATABASE_URL, dataDir: '', poolSize: 1, timeoutMs: 2000, schema: await freshSchema(t) })
  t.teardown(() => database.close())
  const logged = { refused: 0, lost: 0 }
  const logger = pino({ level: 'warn' }, { write: (line: string) => void (line.includes('retrying') ? logged.refused++ : line.includes('at shutdown') && logged.lost++) })
  const writer = new ChatWriter({ db: database.db, logger, lingerMs: 5 })
  writer.chat(chatRow('chat-1'))
  return { writer, logged }
}

t.test('while the database refuses, flush asks again only after a growing pause', async (t) => {
  const { writer, logged } = await refusedWriter(t)
  const flushed = writer.flush()
  await new Promise((resolve) => setTimeout(resolve, 1600))
  t.ok(logged.refused >= 2 && logged.refused <= 4, `refused ${logged.refused} times in 1.6 s`)
  t.equal(writer.pending, 1, 'the row is kept')
  await writer.close(10)
  await flushed
})

t.test('closing while the database refuses gives up after its time and says what was lost', async (t) => {
  const { writer, logged } = await refusedWriter(t)
  const started = Date.now()
  await writer.close(300)
  t.ok(Date.now() - started < 1500, `closed in ${Date.now() - started} ms`)
  t.equal(logged.lost, 1)
})

t.test('a visitor created is found again; an unknown one is not', async (t) => {
  const { visitors } = await setUp(t)
  const id = newVisitorId()
  t.same(await visitors.create(id, 'demo', T0), { id, site: 'demo', customerId: null, leadId: null, firstSeen: T0, lastSeen: T0, visits: 1 })
  t.same(await visitors.find(id), { id, site: 'demo', customerId: null, leadId: null, firstSeen: T0, lastSeen: T0, visits: 1 })
  t.equal(await visitors.find(newVisitorId()), null)
})

t.test('a visitor id is 43 random base64url characters', async (t) => {
  const id = newVisitorId()
  t.ok(isVisitorId(id))
  t.not(newVisitorId(), id)
  t.notOk(isVisitorId(`${id}x`))
  t.notOk(isVisitorId('v-1'))
  t.notOk(isVisitorId(42))
})

t.test('page views less than 30 minutes apart make one visit, counted in pages', async (t) => {
  const { visitors } = await setUp(t)
  const visitor = await visitors.create(newVisitorId(), 'demo', T0)
  t.same(await visitors.view(visitor, page('https://www.example.com/'), T0), { visit: 1, pages: 1 })
  t.same(await visitors.view(visitor, page('https://www.example.com/pricing'), T0 + 20 * MINUTE), { visit: 1, pages: 2 })
  t.same(await visitors.view(visitor, page('https://www.example.com/crm'), T0 + 40 * MINUTE), { visit: 1, pages: 3 }, 'the gap is from the last page, not the first')
})

t.test('a page view 30 minutes after the last starts a new visit', async (t) => {
  const { visitors } = await setUp(t)
  const id = newVisitorId()
  const visitor = await visitors.create(id, 'demo', T0)
  await visitors.view(visitor, page('https://www.example.com/'), T0)
  t.same(await visitors.view(visitor, page('https://www.example.com/pricing'), T0 + VISIT_GAP_MS), { visit: 2, pages: 1 })
  t.match(await visitors.find(id), { visits: 2, lastSeen: T0 + VISIT_GAP_MS })
})

t.test("a visitor's latest pages are listed oldest first", async (t) => {
  const { visitors } = await setUp(t)
  const visitor = await visitors.create(newVisitorId(), 'demo', T0)
  for (const [i, path] of ['/', '/pricing', '/crm'].entries()) await visitors.view(visitor, { url: `https://www.example.com${path}`, title: path, product: null }, T0 + i * MINUTE)
  t.same((await visitors.pages(visitor.id, 2)).map((p) => p.url), ['https://www.example.com/pricing', 'https://www.example.com/crm'])
  t.same((await visitors.pages(visitor.id))[0], { url: 'https://www.example.com/', title: '/', product: null, at: T0 })
})

t.test('linking a visitor links the chats they had too', async (t) => {
  const { chats, writer, visitors } = await setUp(t)
  const visitor = await visitors.create(newVisitorId(), 'demo', T0)
  const customer = await chats.insertInto('customers').values({ name: 'Olga Petrova' }).returning('id').executeTakeFirstOrThrow()
  writer.chat(chatRow('chat-1', { visitor_id: visitor.id }))
  writer.chat(chatRow('chat-other', { visitor_id: 'someone-else' }))
  await writer.flush()
  await visitors.link(visitor.id, { customerId: Number(customer.id), leadId: null })
  t.match(await visitors.find(visitor.id), { customerId: Number(customer.id), leadId: null })
  const rows = await chats.selectFrom('chats').select(['id', 'customer_id']).orderBy('id').execute()
  t.same(rows, [{ id: 'chat-1', customer_id: Number(customer.id) }, { id: 'chat-other', customer_id: null }])
})

/** Olga, a customer with a phone and an e-mail, and open and closed leads. */
async function contacts(t: Test) {
  const s = await setUp(t)
  const olga = await s.chats.insertInto('customers').values({ name: 'Olga Petrova', email: 'olga@example.com', owner_agent_id: 'anna' }).returning('id').executeTakeFirstOrThrow()
  await s.chats.insertInto('customer_phones').values({ phone: '+79161234567', customer_id: olga.id }).execute()
  const lead = (phone: string | null, email: string | null, status = 'new') =>
    s.chats.insertInto('leads').values({ phone, email, status, agent_id: 'boris' }).returning('id').executeTakeFirstOrThrow().then((r) => Number(r.id))
  const sameAsOlga = await lead('+79161234567', 'olga@example.com')
  const open = await lead('+79035550000', 'ivan@example.com')
  const lost = await lead('+79037770000', 'lost@example.com', 'lost')
  return { ...s, olga: Number(olga.id), sameAsOlga, open, lost }
}

t.test("a phone or e-mail of a customer matches the customer before a lead's", async (t) => {
  const c = await contacts(t)
  t.same(await c.visitors.match('+79161234567', null), { customerId: c.olga, leadId: null })
  t.same(await c.visitors.match(null, 'olga@example.com'), { customerId: c.olga, leadId: null })
})

t.test('an e-mail stored in capitals matches its lower-cased form', async (t) => {
  const c = await contacts(t)
  await c.chats.updateTable('customers').set({ email: 'Olga@Example.COM' }).where('id', '=', c.olga).execute()
  t.same(await c.visitors.match(null, 'olga@example.com'), { customerId: c.olga, leadId: null })
})

t.test('a phone or e-mail of no customer matches an open lead', async (t) => {
  const c = await contacts(t)
  t.same(await c.visitors.match('+79035550000', null), { customerId: null, leadId: c.open })
  t.same(await c.visitors.match('+79990000000', 'ivan@example.com'), { customerId: null, leadId: c.open })
})

t.test('a lost lead and an unknown contact match nobody', async (t) => {
  const c = await contacts(t)
  t.equal(await c.visitors.match('+79037770000', 'lost@example.com'), null)
  t.equal(await c.visitors.match('+79990000000', 'nobody@example.com'), null)
  t.equal(await c.visitors.match(null, null), null)
})

t.test('a visitor linked to a customer is routed as the customer', async (t) => {
  const c = await contacts(t)
  const visitor = await c.visitors.create(newVisitorId(), 'demo', T0)
  await c.visitors.link(visitor.id, { customerId: c.olga, leadId: null })
  t.match(await c.visitors.routingSummary((await c.visitors.find(visitor.id))!), { id: String(c.olga), name: 'Olga Petrova', ownerAgentId: 'anna', lastAgentId: null })
})

t.test("a visitor linked to a lead is routed with the lead's agent as owner", async (t) => {
  const c = await contacts(t)
  const visitor = await c.visitors.create(newVisitorId(), 'demo', T0)
  await c.visitors.link(visitor.id, { customerId: null, leadId: c.open })
  t.match(await c.visitors.routingSummary((await c.visitors.find(visitor.id))!), { id: `lead:${c.open}`, ownerAgentId: 'boris', lastAgentId: null, lastContactAt: null })
})

t.test('a visitor an agent chatted with is routed with that agent as their last', async (t) => {
  const { writer, visitors } = await setUp(t)
  const visitor = await visitors.create(newVisitorId(), 'demo', T0)
  writer.chat(chatRow('chat-1', { visitor_id: visitor.id, agent_id: 'boris', answered_at: new Date(T0 + MINUTE) }))
  writer.chat(chatRow('chat-2', { visitor_id: visitor.id, agent_id: 'anna', answered_at: new Date(T0 + 60 * MINUTE) }))
  writer.chat(chatRow('chat-3', { visitor_id: visitor.id, agent_id: null, outcome: 'missed' }))
  await writer.flush()
  t.match(await visitors.routingSummary(visitor), { id: `visitor:${visitor.id}`, ownerAgentId: null, lastAgentId: 'anna', lastContactAt: T0 + 60 * MINUTE })
})

t.test("a customer with no last agent takes the last chat's agent", async (t) => {
  const c = await contacts(t)
  const visitor = await c.visitors.create(newVisitorId(), 'demo', T0)
  await c.visitors.link(visitor.id, { customerId: c.olga, leadId: null })
  c.writer.chat(chatRow('chat-1', { visitor_id: visitor.id, customer_id: c.olga, agent_id: 'boris', answered_at: new Date(T0 + MINUTE) }))
  await c.writer.flush()
  t.match(await c.visitors.routingSummary((await c.visitors.find(visitor.id))!), { id: String(c.olga), ownerAgentId: 'anna', lastAgentId: 'boris', lastContactAt: T0 + MINUTE })
})

t.test('a visitor nobody knows and nobody chatted with is routed as a stranger', async (t) => {
  const { visitors } = await setUp(t)
  t.equal(await visitors.routingSummary(await visitors.create(newVisitorId(), 'demo', T0)), null)
})
