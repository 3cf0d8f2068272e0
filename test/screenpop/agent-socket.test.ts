import t from 'tap'
import WebSocket from 'ws'
import { agentToken, request, testDemoApp } from '../helpers/test-app.js'
import { openPage } from './fixtures/page-client.js'

const IVAN = '+79161234567'
const SPRING_LINE = '+74951234567'
const DEMO_AGENTS = ['a-anna', 'a-boris', 'a-clara', 'a-dmitri', 'a-elena', 'a-fedor', 'a-galina', 'a-igor']

const closeAll = (pages: { socket: WebSocket }[]) => pages.forEach((p) => p.socket.close())

t.test("the owner's page gets the card of their customer as the call is routed", async (t) => {
  // No reminder of the demo's overdue tasks may come first (on a slow machine the 5 s poll did): the card is the page's first event.
  const { url } = await testDemoApp(t, { TASK_POLL_SECONDS: '3600' })
  const anna = await openPage(url, { token: await agentToken(url, 'a-anna') })
  t.teardown(() => closeAll([anna]))
  t.match(await anna.next((m) => m.type === 'hello'), { type: 'hello', agentId: 'a-anna', head: 0, replaying: 0 })

  const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: '8 (916) 123-45-67', dialed: SPRING_LINE, callId: 'call-1' } })
  t.equal(routed.body.decision.targets[0].agentId, 'a-anna')
  const card = await anna.next((m) => m.type === 'card')
  t.match(card, {
    type: 'card',
    seq: 1,
    callId: 'call-1',
    title: 'Ivan Petrov',
    caller: { number: IVAN },
    reason: 'your customer',
    line: { number: SPRING_LINE, campaign: 'spring-crm' },
    who: { kind: 'customer', customer: { name: 'Ivan Petrov', tier: 'vip', ownerAgentId: 'a-anna' }, historyUnavailable: false, card: { customer: { name: 'Ivan Petrov' }, owner: { id: 'a-anna' } } }
  })
  t.type(card.id, 'string')
  t.ok(card.who.card.lastCalls.length > 0, 'with the history')
  t.ok(card.who.card.openDeals.length > 0)
})

t.test('a new caller pops as a new lead from the campaign', async (t) => {
  const { url } = await testDemoApp(t)
  const pages = await Promise.all(DEMO_AGENTS.map(async (id) => openPage(url, { token: await agentToken(url, id) })))
  t.teardown(() => closeAll(pages))
  const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: '+79160001122', dialed: SPRING_LINE, callId: 'lead-1' } })
  const chosen = routed.body.decision.targets[0].agentId
  const card = await pages[DEMO_AGENTS.indexOf(chosen)]!.next((m) => m.type === 'card')
  t.match(card, { title: 'new lead from spring-crm', who: { kind: 'lead', lead: true, campaign: 'spring-crm', line: SPRING_LINE }, reason: routed.body.decision.targets[0].reason })
})

t.test('no answer: the first agent gets "missed", the next one the card; nobody else gets anything', async (t) => {
  const { url, app } = await testDemoApp(t)
  const pages = new Map<string, Awaited<ReturnType<typeof openPage>>>()
  for (const id of DEMO_AGENTS) pages.set(id, await openPage(url, { token: await agentToken(url, id) }))
  t.teardown(() => closeAll([...pages.values()]))

  await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'c-next' } })
  const anna = pages.get('a-anna')!
  await anna.next((m) => m.type === 'card')
  const next = await request(`${url}/v1/interactions/c-next/no-answer`, { method: 'POST', body: { agentId: 'a-anna', reason: 'ring-timeout' } })
  const nextAgent: string = next.body.decision.targets[0].agentId
  t.not(nextAgent, 'a-anna')
  t.match(await anna.next((m) => m.type === 'missed'), { callId: 'c-next', why: 'ring-timeout', seq: 2 })
  const nextPage = pages.get(nextAgent)!
  t.match(await nextPage.next((m) => m.type === 'card'), { callId: 'c-next', title: 'Ivan Petrov', reason: next.body.decision.targets[0].reason, seq: 1 })

  await request(`${url}/v1/interactions/c-next/answered`, { method: 'POST', body: { agentId: nextAgent } })
  t.match(await nextPage.next((m) => m.type === 'answered'), { callId: 'c-next', answeredBy: nextAgent })
  t.match(await anna.next((m) => m.type === 'taken-by-other'), { callId: 'c-next', answeredBy: nextAgent })
  await request(`${url}/v1/interactions/c-next/ended`, { method: 'POST' })
  await anna.next((m) => m.type === 'ended')
  await nextPage.next((m) => m.type === 'ended')

  t.same(anna.events().map((m) => m.type), ['card', 'missed', 'taken-by-other', 'ended'])
  t.same(nextPage.events().map((m) => m.type), ['card', 'answered', 'ended'])
  for (const [id, page] of pages) {
    if (id === 'a-anna' || id === nextAgent) continue
    t.same(page.events(), [], `${id} got nothing`)
    t.equal(app.screenPops.head(id), 0)
  }
})

t.test('a page that reconnects with lastSeq gets only what it missed', async (t) => {
  const { url } = await testDemoApp(t)
  const token = await agentToken(url, 'a-anna')
  const first = await openPage(url, { token })
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'call-r' } })
  const card = await first.next((m) => m.type === 'card')
  first.socket.close()
  await first.closed

  await request(`${url}/v1/interactions/call-r/answered`, { method: 'POST', body: { agentId: 'a-anna' } })
  await request(`${url}/v1/interactions/call-r/ended`, { method: 'POST' })

  const back = await openPage(url, { token, lastSeq: card.seq })
  t.teardown(() => closeAll([back]))
  const hello = await back.next((m) => m.type === 'hello')
  t.match(hello, { head: 3, replaying: 2, lost: 0, reset: false })
  await back.next((m) => m.type === 'ended')
  t.same(back.events().map((m) => [m.seq, m.type]), [[2, 'answered'], [3, 'ended']])
})

t.test('two pages of the same agent both get the card; the token may come as a header or a subprotocol', async (t) => {
  const { url } = await testDemoApp(t)
  const token = await agentToken(url, 'a-anna')
  const byHeader = await openPage(url, {}, { headers: { authorization: `Bearer ${token}` } })
  const byProtocol = await openPage(url, {}, { protocols: ['screenpop.v1', `token.${token}`] })
  t.teardown(() => closeAll([byHeader, byProtocol]))
  t.equal(byProtocol.socket.protocol, 'screenpop.v1', 'the token is never echoed back as the protocol')
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'two-tabs' } })
  t.match(await byHeader.next((m) => m.type === 'card'), { callId: 'two-tabs' })
  t.match(await byProtocol.next((m) => m.type === 'card'), { callId: 'two-tabs' })
})

t.test('a missing, wrong or replaced token: closed with 4401', async (t) => {
  const { url } = await testDemoApp(t)
  for (const query of [{}, { token: 'not-a-token' }] as Record<string, string>[]) {
    const page = await openPage(url, query)
    t.same(await page.closed, { code: 4401, reason: 'invalid or expired token' }, JSON.stringify(query))
    t.same(page.messages, [], 'nothing sent before closing')
  }
  const old = await agentToken(url, 'a-anna')
  await agentToken(url, 'a-anna')
  t.equal((await (await openPage(url, { token: old })).closed).code, 4401, 'a new token replaces the old one')

  const badSeq = await openPage(url, { token: await agentToken(url, 'a-anna'), lastSeq: 'x' })
  t.same(await badSeq.closed, { code: 4400, reason: 'lastSeq must be a non-negative integer' })
})

t.test('tokens: one per agent, 404 for an unknown agent, only the hash is stored', async (t) => {
  const { url, app } = await testDemoApp(t)
  const res = await request(`${url}/v1/agents/a-anna/token`, { method: 'POST' })
  t.equal(res.status, 201)
  t.equal(res.body.agentId, 'a-anna')
  t.match(res.body.token, /^[A-Za-z0-9_-]{43}$/)
  const row = await app.database.db.selectFrom('agents').select('token_hash').where('id', '=', 'a-anna').executeTakeFirstOrThrow()
  t.match(row.token_hash, /^[0-9a-f]{64}$/)
  t.not(row.token_hash, res.body.token)
  t.equal((await request(`${url}/v1/agents/a-nobody/token`, { method: 'POST' })).status, 404)
})

t.test('malformed messages from a page are ignored; acks are accepted', async (t) => {
  const { url } = await testDemoApp(t)
  const anna = await openPage(url, { token: await agentToken(url, 'a-anna') })
  t.teardown(() => closeAll([anna]))
  await anna.next((m) => m.type === 'hello')
  anna.socket.send('not json')
  anna.socket.send(JSON.stringify({ type: 'dance' }))
  anna.socket.send(Buffer.from([1, 2, 3]), { binary: true })
  anna.socket.send(JSON.stringify({ type: 'ack', seq: 0 }))
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'after-garbage' } })
  t.match(await anna.next((m) => m.type === 'card'), { callId: 'after-garbage' }, 'still connected and served')
})

t.test('a page that answers no pings is cut off after two', async (t) => {
  const { url } = await testDemoApp(t, { SCREENPOP_HEARTBEAT_SECONDS: '1' })
  const token = await agentToken(url, 'a-anna')
  const silent = await openPage(url, { token }, { autoPong: false })
  const alive = await openPage(url, { token })
  t.teardown(() => closeAll([alive]))
  let pings = 0
  silent.socket.on('ping', () => pings++)
  const started = Date.now()
  const closed = await silent.closed
  t.equal(closed.code, 1006, 'terminated without a closing handshake')
  t.equal(pings, 2)
  t.ok(Date.now() - started >= 2500, 'at the third interval')
  t.equal(alive.socket.readyState, WebSocket.OPEN, 'a page that answers stays')
})

t.test('a page that stops reading is told to resync and closed; the agent\'s other page gets everything', async (t) => {
  const { url, app } = await testDemoApp(t, { SCREENPOP_MAX_BACKLOG_BYTES: '65536' })
  const token = await agentToken(url, 'a-anna')
  const stuck = await openPage(url, { token })
  const reading = await openPage(url, { token })
  t.teardown(() => closeAll([stuck, reading]))
  await stuck.next((m) => m.type === 'hello')
  const tcp = (stuck.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket
  tcp.pause()

  // Big events, published straight into the hub, until the stuck page is given up on.
  const bulk = 'x'.repeat(100_000)
  let published = 0
  while (app.screenPops.subscribers('a-anna') === 2 && published < 2000) {
    app.screenPops.publish('a-anna', { type: 'ended', callId: `bulk-${published++}-${bulk}` })
    await new Promise((resolve) => setImmediate(resolve))
  }
  t.equal(app.screenPops.subscribers('a-anna'), 1, `dropped after ${published} events`)
  await reading.next((m) => m.seq === published, 10_000)
  t.equal(reading.events().length, published, 'the reading page got every event')

  tcp.resume()
  t.same(await stuck.closed, { code: 4429, reason: 'too far behind; reconnect with lastSeq' })
  t.match(stuck.messages.at(-1), { type: 'resync' })
  const seen = stuck.events().filter((m) => m.seq !== undefined).length
  t.ok(seen < published, `the stuck page got ${seen} of ${published}, then the resync`)
})
