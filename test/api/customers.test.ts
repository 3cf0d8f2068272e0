import t from 'tap'
import { request, testApp } from '../helpers/test-app.js'

const NOW = Date.parse('2026-11-20T10:00:00Z')

async function seedAgent(url: string, id = 'a-anna') {
  const res = await request(`${url}/v1/agents/${id}`, {
    method: 'PUT',
    body: { name: 'Anna Volkova', sipUri: `sip:${id}@pbx.example.com`, extension: '1001', team: 'sales', skills: { 'product:crm': 8 } }
  })
  if (res.status !== 200) throw new Error(`agent seed failed: ${JSON.stringify(res.body)}`)
}

t.test('a customer created with phones in any format is found by any other format', async (t) => {
  const { url } = await testApp(t, {}, { now: () => NOW })
  await seedAgent(url)
  const created = await request(`${url}/v1/customers`, {
    method: 'POST',
    body: { name: 'Ivan Petrov', company: 'Petrov LLC', ownerAgentId: 'a-anna', tier: 'vip', phones: [{ phone: '8 (916) 123-45-67' }, { phone: '+7 903 111 22 33', kind: 'work' }] }
  })
  t.equal(created.status, 201)
  t.same(created.body.phones, [
    { phone: '+79161234567', kind: 'mobile' },
    { phone: '+79031112233', kind: 'work' }
  ])
  const card = await request(`${url}/v1/customers/by-phone/${encodeURIComponent('sip:79161234567@pbx;user=phone')}/card`)
  t.equal(card.status, 200)
  t.equal(card.body.customer.name, 'Ivan Petrov')
  t.same(card.body.owner, { id: 'a-anna', name: 'Anna Volkova' })
})

t.test('the card carries deals, calls, orders, payments with overdue marked, and tasks', async (t) => {
  const { url, app } = await testApp(t, {}, { now: () => NOW })
  await seedAgent(url)
  const created = await request(`${url}/v1/customers`, {
    method: 'POST',
    body: { name: 'Olga Smirnova', ownerAgentId: 'a-anna', needs: ['CRM for 20 seats'], refusalReasons: ['price too high'], phones: [{ phone: '+79031112233' }] }
  })
  const id = created.body.id as number
  const db = app.database.db
  await db.insertInto('deals').values([
    { customer_id: id, title: 'CRM 20 seats', stage: 'invoice', amount: 240000 },
    { customer_id: id, title: 'Old deal', stage: 'done', status: 'won' }
  ]).execute()
  await db.insertInto('calls').values([
    { id: 'c1', channel: 'sip', caller: '+79031112233', customer_id: id, agent_id: 'a-anna', outcome: 'answered', offered_at: '2026-11-10T09:00:00Z', talk_seconds: 120 },
    { id: 'c2', channel: 'sip', caller: '+79031112233', customer_id: id, outcome: 'missed', offered_at: '2026-11-12T09:00:00Z' }
  ]).execute()
  const order = await db.insertInto('orders').values({ customer_id: id, product: 'CRM', amount: 120000, ordered_at: '2026-09-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow()
  await db.insertInto('payments').values([
    { customer_id: id, order_id: order.id, amount: 60000, due_date: '2026-10-06', paid_date: null },
    { customer_id: id, order_id: order.id, amount: 60000, due_date: '2026-09-06', paid_date: '2026-09-05' },
    { customer_id: id, order_id: order.id, amount: 10000, due_date: '2026-12-01', paid_date: null }
  ]).execute()
  await db.insertInto('tasks').values({ kind: 'callback', customer_id: id, assignee_agent_id: 'a-anna', title: 'Call back about invoice', due_at: '2026-11-21T09:00:00Z' }).execute()

  const card = (await request(`${url}/v1/customers/by-phone/+79031112233/card`)).body
  t.same(card.openDeals.map((d: { stage: string }) => d.stage), ['invoice'], 'only open deals')
  t.same(card.lastCalls.map((c: { id: string }) => c.id), ['c2', 'c1'], 'newest call first')
  t.same(card.lastCalls[1].agent, { id: 'a-anna', name: 'Anna Volkova' })
  t.equal(card.recentOrders.length, 1)
  const overdue = card.payments.filter((p: { overdue: boolean }) => p.overdue)
  t.same(overdue.map((p: { dueDate: string; daysOverdue: number }) => [p.dueDate, p.daysOverdue]), [['2026-10-06', 45]], 'unpaid and past due only')
  t.equal(card.overdueTotal, 60000)
  t.equal(card.openTasks[0].title, 'Call back about invoice')
  t.same(card.refusalReasons, ['price too high'])
  t.same(card.needs, ['CRM for 20 seats'])
})

t.test('an unknown number gets a 404 that says so', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/customers/by-phone/+79160000000/card`)
  t.equal(res.status, 404)
  t.same(res.body, { error: 'CTI_ERR_CUSTOMER_NOT_FOUND', message: 'no customer has the phone +79160000000' })
})

t.test('an invalid phone gets a 400 naming the problem', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/customers/by-phone/not-a-phone/card`)
  t.equal(res.status, 400)
  t.equal(res.body.error, 'CTI_ERR_INVALID_PHONE')
  t.match(res.body.message, /not-a-phone.*not-a-number/)
})

t.test('updating phones makes the new number known and the old one unknown at once', async (t) => {
  const { url } = await testApp(t)
  const created = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Boris', phones: [{ phone: '+79161111111' }] } })
  t.equal((await request(`${url}/v1/customers/by-phone/+79162222222/card`)).status, 404, 'cached as unknown')
  t.equal((await request(`${url}/v1/customers/by-phone/+79161111111/card`)).status, 200, 'cached as known')
  const patched = await request(`${url}/v1/customers/${created.body.id}`, { method: 'PATCH', body: { phones: [{ phone: '+79162222222' }], tier: 'gold' } })
  t.equal(patched.status, 200)
  t.equal(patched.body.tier, 'gold')
  t.equal((await request(`${url}/v1/customers/by-phone/+79162222222/card`)).status, 200)
  t.equal((await request(`${url}/v1/customers/by-phone/+79161111111/card`)).status, 404)
})

t.test('a phone that belongs to another customer is refused and nothing is written', async (t) => {
  const { url, app } = await testApp(t)
  await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'First', phones: [{ phone: '+79161111111' }] } })
  const res = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Second', phones: [{ phone: '89161111111' }] } })
  t.equal(res.status, 409)
  t.equal(res.body.error, 'CTI_ERR_PHONE_TAKEN')
  const names = await app.database.db.selectFrom('customers').select('name').execute()
  t.same(names, [{ name: 'First' }], 'the second customer was rolled back with its phones')
})

t.test('an owner that is not an agent is a 422', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'X', ownerAgentId: 'a-nobody' } })
  t.equal(res.status, 422)
  t.equal(res.body.error, 'CTI_ERR_UNKNOWN_REFERENCE')
  t.match(res.body.message, /owner_agent_id/)
})

t.test('bad requests get JSON errors that say what to fix', async (t) => {
  const { url } = await testApp(t, { BODY_LIMIT_BYTES: '2048' })
  const unknownRoute = await request(`${url}/v1/nothing-here`)
  t.equal(unknownRoute.status, 404)
  t.equal(unknownRoute.body.error, 'CTI_ERR_NOT_FOUND')

  const malformed = await request(`${url}/v1/customers`, { method: 'POST', body: '{"name": ' })
  t.equal(malformed.status, 400)
  t.type(malformed.body.message, 'string')

  const missingName = await request(`${url}/v1/customers`, { method: 'POST', body: { company: 'X' } })
  t.equal(missingName.status, 400)
  t.equal(missingName.body.error, 'CTI_ERR_VALIDATION')
  t.match(missingName.body.message, /name/)

  const unknownField = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'X', colour: 'red' } })
  t.equal(unknownField.status, 400)

  const badPhone = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'X', phones: [{ phone: 'call me' }] } })
  t.equal(badPhone.status, 400)
  t.equal(badPhone.body.error, 'CTI_ERR_INVALID_PHONE')

  const oversized = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'X', needs: ['x'.repeat(190)], seasonality: 'y'.repeat(4000) } })
  t.equal(oversized.status, 413)
  t.type(oversized.body.error, 'string')
})
