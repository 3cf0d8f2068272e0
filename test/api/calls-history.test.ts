import { sql } from 'kysely'
import t from 'tap'
import { writeCallRecords } from '../../src/calls/call-record.repository.js'
import { answeredCall, T0 } from '../calls/answered-call.js'
import { request, testApp, testDemoApp } from '../helpers/test-app.js'

const IVAN = '+79161234567'
const SPRING_LINE = '+74951234567'

t.test('the story of an answered call: its offer, the decision with its trace and rules version, the customer, line and times', async (t) => {
  const { app, url } = await testDemoApp(t)
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'story-1' } })
  await request(`${url}/v1/interactions/story-1/answered`, { method: 'POST', body: { agentId: 'a-anna' } })
  await request(`${url}/v1/interactions/story-1/ended`, { method: 'POST' })
  await app.calls.flush()
  const { status, body } = await request(`${url}/v1/calls/story-1`)
  t.equal(status, 200)
  t.equal(body.call.outcome, 'answered')
  t.equal(body.call.caller, IVAN)
  t.same(body.events.map((e: { kind: string }) => e.kind), ['routed', 'offered', 'answered', 'ended'])
  t.match(body.offers, [{ agentId: 'a-anna', result: 'answered', why: null }])
  t.equal(body.decisions.length, 1)
  t.equal(body.decisions[0].rule, 'VIP customers')
  t.type(body.decisions[0].rulesVersion, 'string')
  t.ok(body.decisions[0].trace.rulesTried.length > 0, 'the trace says which rules were tried')
  t.match(body.customer, { name: String })
  t.match(body.line, { number: SPRING_LINE, campaign: 'spring-crm' })
  t.match(body.agent, { id: 'a-anna' })
  t.type(body.times.talkSeconds, 'number')
  t.equal(body.queue, null, 'it never waited in a queue')
})

t.test('the story of a call that failed over: the first offer failed with why, the next agent answered', async (t) => {
  const { app, url } = await testDemoApp(t)
  const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'story-2' } })
  const first = routed.body.decision.targets[0].agentId as string
  const next = await request(`${url}/v1/interactions/story-2/no-answer`, { method: 'POST', body: { agentId: first } })
  const second = next.body.decision.targets[0].agentId as string
  await request(`${url}/v1/interactions/story-2/answered`, { method: 'POST', body: { agentId: second } })
  await request(`${url}/v1/interactions/story-2/ended`, { method: 'POST' })
  await app.calls.flush()
  const { body } = await request(`${url}/v1/calls/story-2`)
  t.equal(body.offers.length, 2)
  t.match(body.offers[0], { agentId: first, result: 'failed' })
  t.ok(body.offers[0].why, 'the failed offer says why')
  t.match(body.offers[1], { agentId: second, result: 'answered' })
  t.equal(body.call.agentId, second)
})

t.test('a call nobody recorded answers 404 CTI_ERR_CALL_NOT_FOUND', async (t) => {
  const { url } = await testApp(t)
  const { status, body } = await request(`${url}/v1/calls/no-such-call`)
  t.equal(status, 404)
  t.equal(body.error, 'CTI_ERR_CALL_NOT_FOUND')
})

t.test('the filters', async (t) => {
  const { app, url } = await testApp(t)
  const db = app.database.db
  const customer = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Olga', phones: [{ phone: '+79031112233' }] } })
  const hour = 3_600_000
  await writeCallRecords(db, [
    answeredCall('f-1', { offeredAt: T0 }),
    answeredCall('f-2', { offeredAt: T0 + hour, caller: '+79031112233', customerId: customer.body.id, agentId: 'a-boris', rule: 'owner first' }),
    answeredCall('f-3', { offeredAt: T0 + 2 * hour, outcome: 'missed', answeredAt: null, dialed: '+74957654321' }),
    answeredCall('f-4', { offeredAt: T0 + 26 * hour, agentId: 'a-boris' })
  ])
  const ids = async (query: string) => ((await request(`${url}/v1/calls?${query}`)).body.calls as { id: string }[]).map((c) => c.id)
  t.same(await ids(''), ['f-4', 'f-3', 'f-2', 'f-1'], 'newest first')
  t.same(await ids(`caller=${encodeURIComponent('8 (903) 111-22-33')}`), ['f-2'], 'caller in another format')
  t.same(await ids(`customer=${customer.body.id}`), ['f-2'])
  t.same(await ids('agent=a-boris'), ['f-4', 'f-2'])
  t.same(await ids(`line=${encodeURIComponent('+7 495 765-43-21')}`), ['f-3'])
  t.same(await ids('outcome=missed'), ['f-3'])
  t.same(await ids(`rule=${encodeURIComponent('owner first')}`), ['f-2'])
  t.same(await ids(`from=${new Date(T0 + hour).toISOString()}&to=${new Date(T0 + 3 * hour).toISOString()}`), ['f-3', 'f-2'], 'from included, to excluded')
  t.same(await ids('agent=a-boris&from=2026-11-24'), ['f-4'])
})

t.test('each bad filter answers 400 CTI_ERR_BAD_FILTER naming it', async (t) => {
  const { url } = await testApp(t)
  const bad: Record<string, string> = {
    from: 'from=yesterday',
    to: 'from=2026-12-02&to=2026-12-01',
    caller: 'caller=hello',
    line: 'line=12',
    customer: 'customer=abc',
    outcome: 'outcome=lost',
    limit: 'limit=0',
    after: 'after=not-a-cursor',
    format: 'format=xml',
    agnet: 'agnet=a-anna'
  }
  for (const [filter, query] of Object.entries(bad)) {
    const { status, body } = await request(`${url}/v1/calls?${query}`)
    t.equal(status, 400, query)
    t.equal(body.error, 'CTI_ERR_BAD_FILTER', query)
    t.same(body.details, { filter }, `${query} names ${filter}`)
  }
})

t.test('keyset pages never repeat or skip a call, calls offered at the same moment included', async (t) => {
  const { app, url } = await testApp(t)
  const records = Array.from({ length: 23 }, (_, i) => answeredCall(`k-${String(i).padStart(2, '0')}`, { offeredAt: T0 + Math.floor(i / 3) * 1000 }))
  await writeCallRecords(app.database.db, records)
  const seen: string[] = []
  let after: string | null = null
  let pages = 0
  do {
    const page: { body: { calls: { id: string }[]; next: string | null } } = await request(`${url}/v1/calls?limit=5${after ? `&after=${after}` : ''}`)
    seen.push(...page.body.calls.map((c) => c.id))
    after = page.body.next
    pages++
  } while (after !== null && pages < 10)
  t.equal(pages, 5)
  t.equal(new Set(seen).size, 23, 'no call twice')
  t.same([...seen].sort(), records.map((r) => r.id).sort(), 'every call')
})

t.test('format=csv and Accept: text/csv stream every call matching as CSV', async (t) => {
  const { app, url } = await testApp(t)
  await writeCallRecords(app.database.db, [answeredCall('c-1'), answeredCall('c-2', { offeredAt: T0 + 1000, callerName: 'Petrov, Ivan' })])
  const ways: { query: string; headers: Record<string, string> }[] = [{ query: '?format=csv', headers: {} }, { query: '', headers: { accept: 'text/csv' } }]
  for (const init of ways) {
    const response = await fetch(`${url}/v1/calls${init.query}`, { headers: init.headers })
    t.match(response.headers.get('content-type'), /^text\/csv/)
    const lines = (await response.text()).trim().split('\r\n')
    t.match(lines[0], /^id,offeredAt,caller,callerName,line,/)
    t.equal(lines.length, 3)
    t.match(lines[1], /^c-2,.*,"Petrov, Ivan",/)
  }
})

t.test("a supervisor reads only the calls of their teams' agents", async (t) => {
  const ADMIN_TOKEN = 'calls-admin-token-0123456789'
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
  const { app, url } = await testApp(t, { ADMIN_TOKEN })
  for (const [id, team] of [['a-anna', 'north'], ['a-vera', 'south']] as const) {
    await request(`${url}/v1/agents/${id}`, { method: 'PUT', headers: admin, body: { name: id, extension: id.slice(2), team } })
  }
  await request(`${url}/v1/supervisors`, { method: 'POST', headers: admin, body: { id: 'lead-north', name: 'Olga Lead', teams: ['north'] } })
  const token = (await request(`${url}/v1/supervisors/lead-north/token`, { method: 'POST', headers: admin })).body.token as string
  await writeCallRecords(app.database.db, [answeredCall('n-1', { agentId: 'a-anna' }), answeredCall('s-1', { agentId: 'a-vera', offeredAt: T0 + 1000 })])
  const lead = { authorization: `Bearer ${token}` }
  const list = await request(`${url}/v1/calls`, { headers: lead })
  t.same(list.body.calls.map((c: { id: string }) => c.id), ['n-1'])
  t.equal((await request(`${url}/v1/calls/n-1`, { headers: lead })).status, 200)
  t.equal((await request(`${url}/v1/calls/s-1`, { headers: lead })).status, 404, "another team's call is not theirs to see")
  t.equal((await request(`${url}/v1/calls?agent=a-vera`, { headers: lead })).body.calls.length, 0)
  t.same((await request(`${url}/v1/calls`, { headers: admin })).body.calls.map((c: { id: string }) => c.id), ['s-1', 'n-1'], 'the admin reads every call')
  t.equal((await request(`${url}/v1/calls`)).status, 401, 'no token')
})

t.test("the wrap-up time is the agent's wrap-up after the call, from the availability log", async (t) => {
  const { app, url } = await testApp(t)
  const db = app.database.db
  const call = answeredCall('w-1')
  await writeCallRecords(db, [call])
  const at = (ms: number) => new Date(call.endedAt! + ms)
  await sql`insert into agent_availability_log (at, agent_id, status) values (${at(-60_000)}, 'a-anna', 'busy'), (${at(5)}, 'a-anna', 'wrap-up'), (${at(45_005)}, 'a-anna', 'available')`.execute(db)
  const { body } = await request(`${url}/v1/calls/w-1`)
  t.same(body.times, { waitSeconds: 8, talkSeconds: 120, wrapUpSeconds: 45 })
})

t.test('a call without a wrap-up in the log has no wrap-up time', async (t) => {
  const { app, url } = await testApp(t)
  await writeCallRecords(app.database.db, [answeredCall('w-2')])
  t.equal((await request(`${url}/v1/calls/w-2`)).body.times.wrapUpSeconds, null)
})

t.test('the queue wait of a call that waited, from its queued and dequeued steps', async (t) => {
  const { app, url } = await testApp(t)
  const base = answeredCall('q-1')
  const steps = [
    { at: T0 + 2, kind: 'routed', agentId: null, data: { rule: 'VIP customers', rulesVersion: 'v1' } },
    { at: T0 + 3, kind: 'queued', agentId: null, data: { queue: 'vip', position: 2, estimatedWaitSeconds: 40 } },
    { at: T0 + 30_003, kind: 'dequeued', agentId: null, data: { queue: 'vip', why: 'served', waitedMs: 30_000 } },
    ...base.steps.slice(1)
  ]
  await writeCallRecords(app.database.db, [{ ...base, steps }])
  const { body } = await request(`${url}/v1/calls/q-1`)
  t.same(body.queue, { queuedAt: new Date(T0 + 3).toISOString(), dequeuedAt: new Date(T0 + 30_003).toISOString(), waitSeconds: 30, queue: 'vip', position: 2, estimatedWaitSeconds: 40, how: 'served' })
})
