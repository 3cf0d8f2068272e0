import t from 'tap'
import { request, testDemoApp } from '../helpers/test-app.js'
import { call, eventsOf, IVAN, NEWCOMER, settle } from './workflow-fixture.js'

t.test('an unknown caller becomes a lead at once with the line, campaign, cost and agent it was routed to', async (t) => {
  const { app, url } = await testDemoApp(t)
  const { agentId } = await call(url, 'lead-1', NEWCOMER, 'answered')
  await settle(app)
  const lead = await request(`${url}/v1/leads/by-phone/${encodeURIComponent(NEWCOMER)}`)
  t.equal(lead.status, 200)
  t.match(lead.body, { phone: NEWCOMER, line: '+74951234567', source: 'yandex-direct', campaign: 'spring-crm', cost: 1200, agentId, status: 'new', customerId: null })
  t.equal(lead.body.createdAt, '2026-11-23T08:00:00.000Z', 'the time of the call')
  t.same(lead.body.calls.map((c: any) => c.id), ['lead-1'], 'the call record names the lead')
  t.ok(eventsOf(app, agentId!).some((e) => e.type === 'lead' && e.isNew && e.lead.campaign === 'spring-crm'), 'the agent is told of the new inquiry')
})

t.test('a later call from the same number finds the same lead, and its card knows it', async (t) => {
  const { app, url } = await testDemoApp(t)
  await call(url, 'lead-2a', NEWCOMER, 'missed')
  await settle(app)
  const { agentId } = await call(url, 'lead-2b', '8 903 555-01-01', 'answered')
  await settle(app)
  const leads = await app.database.db.selectFrom('leads').selectAll().where('phone', '=', NEWCOMER).execute()
  t.equal(leads.length, 1, 'one lead for the number')
  const calls = await app.database.db.selectFrom('calls').select(['id', 'lead_id']).where('id', 'like', 'lead-2%').orderBy('id').execute()
  t.same(calls.map((c) => [c.id, c.lead_id]), [['lead-2a', leads[0]!.id], ['lead-2b', leads[0]!.id]])
  const card = eventsOf(app, agentId!).find((e) => e.type === 'card' && e.callId === 'lead-2b')
  t.equal(card?.who.kind, 'lead')
  t.equal(card?.who.openLead?.id, Number(leads[0]!.id), 'the card names the lead already on file')
})

t.test('a known customer calling makes no lead', async (t) => {
  const { app, url } = await testDemoApp(t)
  await call(url, 'lead-3', IVAN, 'answered')
  await settle(app)
  const leads = await app.database.db.selectFrom('leads').select('id').execute()
  t.equal(leads.length, 0)
})

t.test('converting a lead makes a customer with its number, keeps its calls, tasks and source, and the next call finds the customer', async (t) => {
  const { app, url } = await testDemoApp(t)
  await call(url, 'conv-1', NEWCOMER, 'missed')
  await settle(app)
  const lead = (await request(`${url}/v1/leads/by-phone/${encodeURIComponent(NEWCOMER)}`)).body
  t.equal(lead.tasks.length, 1, 'the missed call left a call-back task')
  const converted = await request(`${url}/v1/leads/${lead.id}/convert`, { method: 'POST', body: { name: 'Petr Sidorov', company: 'Sidorov LLC' } })
  t.equal(converted.status, 201)
  t.match(converted.body, { customer: { name: 'Petr Sidorov', phone: NEWCOMER }, linked: { calls: 1, tasks: 1 }, lead: { status: 'converted', campaign: 'spring-crm', source: 'yandex-direct' } })
  const customerId = converted.body.customer.id
  const card = await request(`${url}/v1/customers/by-phone/${encodeURIComponent(NEWCOMER)}/card`)
  t.equal(card.body.customer.id, customerId)
  t.same(card.body.lastCalls.map((c: any) => c.id), ['conv-1'], 'the lead’s calls are on the customer’s card')
  t.equal(card.body.openTasks.length, 1, 'and its task')
  const again = await request(`${url}/v1/route`, { method: 'POST', body: { caller: NEWCOMER, dialed: '+74951234567', callId: 'conv-2' } })
  t.equal(again.body.decision.rule, 'known customers', 'the next call is routed as the customer')
  const twice = await request(`${url}/v1/leads/${lead.id}/convert`, { method: 'POST', body: {} })
  t.equal(twice.status, 409)
  t.equal(twice.body.error, 'CTI_ERR_LEAD_CONVERTED')
})

t.test('a lead marked lost keeps the reason; an unknown reason is refused by name', async (t) => {
  const { app, url } = await testDemoApp(t)
  await call(url, 'lost-1', NEWCOMER, 'answered')
  await settle(app)
  const lead = (await request(`${url}/v1/leads/by-phone/${encodeURIComponent(NEWCOMER)}`)).body
  const bad = await request(`${url}/v1/leads/${lead.id}/lost`, { method: 'POST', body: { reason: 'bored' } })
  t.equal(bad.status, 400)
  t.equal(bad.body.error, 'CTI_ERR_UNKNOWN_REASON')
  const lost = await request(`${url}/v1/leads/${lead.id}/lost`, { method: 'POST', body: { reason: 'price' } })
  t.match(lost.body, { status: 'lost', lostReason: 'price' })
})
