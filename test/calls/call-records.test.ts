import pg from 'pg'
import t from 'tap'
import type { App } from '../../src/app.js'
import { request, TEST_DATABASE_URL, testDemoApp } from '../helpers/test-app.js'

const IVAN = '+79161234567'
const SPRING_LINE = '+74951234567'

async function callRow(app: App, id: string) {
  await app.calls.flush()
  const row = await app.database.db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst()
  const steps = await app.database.db.selectFrom('call_events').select(['kind', 'agent_id', 'data']).where('call_id', '=', id).orderBy('id').execute()
  return { row, steps }
}

t.test('an answered call becomes one record naming the customer, the rule and the agent', async (t) => {
  const { app, url } = await testDemoApp(t)
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'rec-1' } })
  await request(`${url}/v1/interactions/rec-1/answered`, { method: 'POST', body: { agentId: 'a-anna' } })
  await request(`${url}/v1/interactions/rec-1/ended`, { method: 'POST' })
  const { row, steps } = await callRow(app, 'rec-1')
  t.equal(row?.outcome, 'answered')
  t.equal(row?.agent_id, 'a-anna')
  t.equal(row?.rule, 'VIP customers')
  t.equal(row?.channel, 'http')
  t.equal(row?.caller, IVAN)
  t.equal(row?.campaign, 'spring-crm')
  t.ok(row?.customer_id, 'the customer is named')
  t.same(steps.map((s) => s.kind), ['routed', 'offered', 'answered', 'ended'])
})

t.test('an owner who does not answer and nobody after: a missed call with every offer in its steps', async (t) => {
  const { app, url } = await testDemoApp(t)
  const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'rec-2' } })
  let targets = routed.body.decision.targets as { agentId: string }[]
  const offered: string[] = []
  let queued: unknown = undefined
  while (targets.length > 0) {
    offered.push(targets[0]!.agentId)
    const next = await request(`${url}/v1/interactions/rec-2/no-answer`, { method: 'POST', body: { agentId: targets[0]!.agentId } })
    targets = next.body.decision.targets
    queued = next.body.queued
  }
  // The VIP rule ends in its queue: the call waits there until the caller hangs up.
  t.match(queued, { queue: 'vip' })
  await request(`${url}/v1/interactions/rec-2/ended`, { method: 'POST', body: { outcome: 'missed' } })
  const { row, steps } = await callRow(app, 'rec-2')
  t.equal(row?.outcome, 'missed')
  t.equal(row?.answered_at, null)
  t.same(steps.filter((s) => s.kind === 'offer-failed').map((s) => s.agent_id), offered)
  t.equal(steps.at(-1)?.kind, 'ended')
})

t.test('a caller who hangs up while ringing is recorded as abandoned', async (t) => {
  const { app, url } = await testDemoApp(t)
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'rec-3' } })
  await request(`${url}/v1/interactions/rec-3/ended`, { method: 'POST', body: { outcome: 'abandoned', cause: 'caller hung up' } })
  const { row } = await callRow(app, 'rec-3')
  t.equal(row?.outcome, 'abandoned')
  t.equal(row?.end_cause, 'caller hung up')
  t.equal((await request(`${url}/v1/agents/a-anna/state`)).body.status, 'available', 'the owner is released')
})

t.test('a blocked caller is recorded as rejected by its rule', async (t) => {
  const { app, url } = await testDemoApp(t)
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: '+79990000000', dialed: SPRING_LINE, callId: 'rec-4' } })
  const { row } = await callRow(app, 'rec-4')
  t.equal(row?.outcome, 'rejected')
  t.equal(row?.rule, 'blocked numbers')
  t.equal(row?.final_action, 'reject 603')
})

t.test('a call refused before routing is still recorded, with why', async (t) => {
  const { app } = await testDemoApp(t)
  app.calls.recordUnrouted({ callId: 'rec-5', channel: 'sip', caller: null, callerName: 'garbage', dialed: null, outcome: 'rejected', reason: '400 malformed From header' })
  const { row, steps } = await callRow(app, 'rec-5')
  t.equal(row?.outcome, 'rejected')
  t.equal(row?.end_cause, '400 malformed From header')
  t.same(steps.map((s) => s.kind), ['refused'])
})

t.test('a call still in progress when the server stops is written as it stands', async (t) => {
  const { app, url } = await testDemoApp(t)
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'rec-6' } })
  const db = app.database.db
  // stop() writes in-progress calls before it closes the database; read them through a connection of our own.
  const schema = (await db.selectNoFrom((eb) => eb.fn<string>('current_schema').as('s')).executeTakeFirstOrThrow()).s
  await app.stop()
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await client.connect()
  t.teardown(() => client.end())
  const { rows } = await client.query(`select outcome, agent_id from ${schema}.calls where id = 'rec-6'`)
  t.same(rows, [{ outcome: null, agent_id: 'a-anna' }])
})

t.test('a call in progress has its row soon after it is routed, without an outcome, and the row takes the end', async (t) => {
  const { app, url } = await testDemoApp(t)
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'rec-7' } })
  await request(`${url}/v1/interactions/rec-7/answered`, { method: 'POST', body: { agentId: 'a-anna' } })
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const during = await callRow(app, 'rec-7')
  t.match(during.row, { outcome: null, ended_at: null, agent_id: 'a-anna', rule: 'VIP customers' }, 'the call is in the database while it lasts')
  await request(`${url}/v1/interactions/rec-7/ended`, { method: 'POST' })
  const after = await callRow(app, 'rec-7')
  t.equal(after.row?.outcome, 'answered')
  t.ok(after.row?.ended_at)
  t.same(after.steps.map((s) => s.kind), ['routed', 'offered', 'answered', 'ended'], 'each step once')
})
