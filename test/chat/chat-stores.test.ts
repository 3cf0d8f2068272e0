import { randomBytes } from 'node:crypto'
import pino from 'pino'
import t, { type Test } from 'tap'
import { KEPT_MESSAGES, LocalChatStore, type ChatEvent, type ChatRecord, type ChatStore } from '../../src/chat/chat-store.js'
import { RedisChatStore } from '../../src/chat/redis-chat-store.js'
import { deleteKeys, TEST_REDIS_URL } from '../presence/cluster.js'

/** This file's keys in the test Redis, deleted at the end. */
const FILE_PREFIX = `cti-test-chat-${randomBytes(4).toString('hex')}:`
t.teardown(() => deleteKeys(FILE_PREFIX))
let prefixes = 0

/** A Redis store under a key prefix of its own (or the one given, to share it), closed at teardown. */
async function redisStore(t: Test, prefix = `${FILE_PREFIX}${++prefixes}:`): Promise<RedisChatStore> {
  const store = new RedisChatStore({ url: TEST_REDIS_URL, prefix, logger: pino({ level: 'silent' }) })
  t.teardown(() => store.close())
  await store.start()
  return store
}

async function localStore(t: Test): Promise<ChatStore> {
  const store = new LocalChatStore()
  t.teardown(() => store.close())
  return store
}

function chatRecord(id: string, over: Partial<ChatRecord> = {}): ChatRecord {
  return {
    id, site: 'demo', visitorId: 'v-1', state: 'waiting', agentId: null, agentName: null, product: 'product:crm', customerId: null, leadId: null,
    rule: 'first chats', startedAt: Date.UTC(2026, 10, 23, 8, 0), answeredAt: null, endedAt: null, outcome: null, estimatedWaitSeconds: 40, owner: 'process-1', ...over
  }
}

/** The next event the store delivers to its handlers. */
function nextEvent(store: ChatStore): Promise<ChatEvent> {
  return new Promise((resolve) => store.onEvent(resolve))
}

const at = (second: number) => new Date(Date.UTC(2026, 10, 23, 8, 0, second)).toISOString()

const stores: [string, (t: Test) => Promise<ChatStore>][] = [
  ['local', localStore],
  ['Redis', redisStore]
]

for (const [kind, open] of stores) {
  t.test(`${kind}: a chat saved is found again as it was saved`, async (t) => {
    const store = await open(t)
    await store.save(chatRecord('chat-1'))
    await store.save(chatRecord('chat-1', { state: 'talking', agentId: 'anna', agentName: 'Anna', answeredAt: Date.UTC(2026, 10, 23, 8, 1) }))
    t.same(await store.get('chat-1'), chatRecord('chat-1', { state: 'talking', agentId: 'anna', agentName: 'Anna', answeredAt: Date.UTC(2026, 10, 23, 8, 1) }))
    t.equal(await store.get('chat-unknown'), null)
  })

  t.test(`${kind}: changing a chat read from the store does not change the stored one`, async (t) => {
    const store = await open(t)
    await store.save(chatRecord('chat-1'))
    const read = (await store.get('chat-1'))!
    read.state = 'ended'
    t.equal((await store.get('chat-1'))?.state, 'waiting')
  })

  t.test(`${kind}: a chat's messages are numbered from 1 in the order taken`, async (t) => {
    const store = await open(t)
    await store.save(chatRecord('chat-1'))
    const first = await store.append('chat-1', { from: 'visitor', text: 'Hello, is the CRM sold per seat?', at: at(1) })
    const second = await store.append('chat-1', { from: 'agent', card: { title: 'Spring CRM', summary: 'Per seat, from 1 200 ₽', url: 'https://www.example.com/crm' }, at: at(2) })
    t.same(first, { seq: 1, from: 'visitor', text: 'Hello, is the CRM sold per seat?', at: at(1) })
    t.same(second, { seq: 2, from: 'agent', card: { title: 'Spring CRM', summary: 'Per seat, from 1 200 ₽', url: 'https://www.example.com/crm' }, at: at(2) })
    t.same(await store.messages('chat-1', 0), [first, second])
  })

  t.test(`${kind}: each chat has its own sequence`, async (t) => {
    const store = await open(t)
    for (const id of ['chat-1', 'chat-2']) await store.save(chatRecord(id))
    await store.append('chat-1', { from: 'visitor', text: 'one', at: at(1) })
    await store.append('chat-1', { from: 'visitor', text: 'two', at: at(2) })
    t.equal((await store.append('chat-2', { from: 'visitor', text: 'first here', at: at(3) })).seq, 1)
  })

  t.test(`${kind}: messages since a seq are those after it, in order`, async (t) => {
    const store = await open(t)
    await store.save(chatRecord('chat-1'))
    for (const [i, text] of ['one', 'two', 'three'].entries()) await store.append('chat-1', { from: 'visitor', text, at: at(i) })
    t.same((await store.messages('chat-1', 1)).map((m) => m.text), ['two', 'three'])
    t.same(await store.messages('chat-1', 3), [])
    t.same(await store.messages('chat-unknown', 0), [])
  })

  t.test(`${kind}: a chat keeps its latest ${KEPT_MESSAGES} messages`, async (t) => {
    const store = await open(t)
    await store.save(chatRecord('chat-1'))
    for (let i = 0; i <= KEPT_MESSAGES; i++) await store.append('chat-1', { from: 'visitor', text: `message ${i + 1}`, at: at(0) })
    const kept = await store.messages('chat-1', 0)
    t.equal(kept.length, KEPT_MESSAGES)
    t.equal(kept[0]?.seq, 2)
    t.equal(kept.at(-1)?.seq, KEPT_MESSAGES + 1)
  })

  t.test(`${kind}: an agent's open chats are those opened and not closed`, async (t) => {
    const store = await open(t)
    await store.setAgentChat('anna', 'chat-1', true)
    await store.setAgentChat('anna', 'chat-2', true)
    await store.setAgentChat('boris', 'chat-3', true)
    await store.setAgentChat('anna', 'chat-1', false)
    t.same(await store.agentChats('anna'), ['chat-2'])
    t.same(await store.agentChats('boris'), ['chat-3'])
    await store.setAgentChat('anna', 'chat-2', false)
    t.same(await store.agentChats('anna'), [])
    t.same(await store.agentChats('clara'), [])
  })

  t.test(`${kind}: opening an agent's chat twice holds it once`, async (t) => {
    const store = await open(t)
    await store.setAgentChat('anna', 'chat-1', true)
    await store.setAgentChat('anna', 'chat-1', true)
    t.same(await store.agentChats('anna'), ['chat-1'])
  })

  t.test(`${kind}: a visitor's open chat is kept until cleared`, async (t) => {
    const store = await open(t)
    t.equal(await store.visitorChat('v-1'), null)
    await store.setVisitorChat('v-1', 'chat-1')
    t.equal(await store.visitorChat('v-1'), 'chat-1')
    t.equal(await store.visitorChat('v-2'), null, 'another visitor has none')
    await store.setVisitorChat('v-1', null)
    t.equal(await store.visitorChat('v-1'), null)
  })

  t.test(`${kind}: an event published reaches every handler`, async (t) => {
    const store = await open(t)
    const event: ChatEvent = { chatId: 'chat-1', agentId: 'anna', toVisitor: { type: 'typing', from: 'agent' }, toAgent: { type: 'typing', chatId: 'chat-1', from: 'visitor' } }
    const heard = [nextEvent(store), nextEvent(store)]
    store.publish(event)
    t.same(await Promise.all(heard), [event, event])
  })
}

t.test('Redis: two stores with one prefix hear each other’s events', async (t) => {
  const prefix = `${FILE_PREFIX}shared-events:`
  const [one, two] = [await redisStore(t, prefix), await redisStore(t, prefix)]
  const event: ChatEvent = { chatId: 'chat-1', agentId: 'anna', ended: true }
  const heard = [nextEvent(one), nextEvent(two)]
  one.publish(event)
  t.same(await Promise.all(heard), [event, event])
})

t.test('Redis: two stores with one prefix number one chat in one sequence', async (t) => {
  const prefix = `${FILE_PREFIX}shared-seq:`
  const [one, two] = [await redisStore(t, prefix), await redisStore(t, prefix)]
  await one.save(chatRecord('chat-1'))
  const seqs = []
  for (const [i, store] of [one, two, two, one].entries()) seqs.push((await store.append('chat-1', { from: 'visitor', text: `from store ${i}`, at: at(i) })).seq)
  t.same(seqs, [1, 2, 3, 4])
  t.same((await two.messages('chat-1', 0)).map((m) => m.seq), [1, 2, 3, 4])
})

t.test('Redis: messages taken at the same moment by two stores never share a seq', async (t) => {
  const prefix = `${FILE_PREFIX}shared-race:`
  const [one, two] = [await redisStore(t, prefix), await redisStore(t, prefix)]
  const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).append('chat-1', { from: 'visitor', text: `m${i}`, at: at(i) })))
  t.same(sent.map((m) => m.seq).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1))
  t.same((await one.messages('chat-1', 0)).map((m) => m.seq), Array.from({ length: 20 }, (_, i) => i + 1), 'kept in seq order')
})

t.test('Redis: what one store saves, the other reads', async (t) => {
  const prefix = `${FILE_PREFIX}shared-state:`
  const [one, two] = [await redisStore(t, prefix), await redisStore(t, prefix)]
  await one.save(chatRecord('chat-1', { state: 'talking', agentId: 'anna' }))
  await one.setAgentChat('anna', 'chat-1', true)
  await one.setVisitorChat('v-1', 'chat-1')
  t.match(await two.get('chat-1'), { state: 'talking', agentId: 'anna' })
  t.same(await two.agentChats('anna'), ['chat-1'])
  t.equal(await two.visitorChat('v-1'), 'chat-1')
})

t.test('Redis: stores with different prefixes share nothing', async (t) => {
  const [one, two] = [await redisStore(t), await redisStore(t)]
  await one.save(chatRecord('chat-1'))
  await one.setVisitorChat('v-1', 'chat-1')
  t.equal(await two.get('chat-1'), null)
  t.equal(await two.visitorChat('v-1'), null)
})
