import t from 'tap'
import { request, testApp } from '../helpers/test-app.js'

const TOO_BIG = '99999999999999999999'

t.test('an id past the bigint range is a 400 naming it, on every route that takes an id', async (t) => {
  const { url } = await testApp(t)
  for (const path of ['/v1/customers/', '/v1/deals/', '/v1/leads/', '/v1/tasks/']) {
    const res = await request(`${url}${path}${TOO_BIG}`)
    t.equal(res.status, 400, path)
    t.equal(res.body.error, 'CTI_ERR_VALIDATION', path)
    t.match(res.body.message, /params \/id must be <= 9007199254740991/, path)
  }
  const patched = await request(`${url}/v1/customers/9007199254740992`, { method: 'PATCH', body: { name: 'Ivan' } })
  t.equal(patched.status, 400)
})

t.test('the largest id a JSON number holds exactly is looked up and not found', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/customers/${Number.MAX_SAFE_INTEGER}`)
  t.equal(res.status, 404)
  t.equal(res.body.error, 'CTI_ERR_CUSTOMER_NOT_FOUND')
})

t.test('an id out of range in a query string or a body is a 400 naming it', async (t) => {
  const { url } = await testApp(t)
  const listed = await request(`${url}/v1/tasks?customerId=${TOO_BIG}`)
  t.equal(listed.status, 400)
  t.match(listed.body.message, /querystring \/customerId/)
  const deal = await request(`${url}/v1/deals`, { method: 'POST', body: { customerId: 1e20, title: 'CRM 20 seats' } })
  t.equal(deal.status, 400)
  t.match(deal.body.message, /body \/customerId/)
})

t.test('a customer field past its column (integer days, numeric(14,2) money) is a 400, not a 500', async (t) => {
  const { url } = await testApp(t)
  const days = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Ivan Petrov', overdueDays: 3_000_000_000 } })
  t.equal(days.status, 400)
  t.match(days.body.message, /body \/overdueDays/)
  const money = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Ivan Petrov', purchaseVolume: 1e13 } })
  t.equal(money.status, 400)
  t.match(money.body.message, /body \/purchaseVolume/)
})

t.test('a NUL in the caller of a route request is a 400 naming the field', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/route`, { method: 'POST', body: { caller: '+7916\u00001234567' } })
  t.equal(res.status, 400)
  t.same(res.body, {
    error: 'CTI_ERR_NUL_CHARACTER',
    message: 'body /caller contains a NUL character (\\u0000), which no field accepts; remove it and send again'
  })
})

t.test('a NUL in the dialed number of a route request is a 400 naming the field, and no call is recorded', async (t) => {
  const { url, app } = await testApp(t)
  const res = await request(`${url}/v1/route`, { method: 'POST', body: { caller: '+79161234567', dialed: '+7495\u00001234567', callId: 'nul-dialed' } })
  t.equal(res.status, 400)
  t.equal(res.body.error, 'CTI_ERR_NUL_CHARACTER')
  t.match(res.body.message, /^body \/dialed /)
  const ok = await request(`${url}/v1/route`, { method: 'POST', body: { caller: '+79161234567', dialed: '+74951234567', callId: 'clean-dialed' } })
  t.equal(ok.status, 200, 'the same request without the NUL is routed')
  const calls = await app.database.db.selectFrom('calls').select('id').where('id', '=', 'nul-dialed').execute()
  t.same(calls, [], 'the refused call never reached the database')
})

t.test("a NUL in a customer's name is a 400 naming the field, and no customer is created", async (t) => {
  const { url, app } = await testApp(t)
  const res = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Ivan\u0000 Petrov', phones: [{ phone: '+79161234567' }] } })
  t.equal(res.status, 400)
  t.equal(res.body.error, 'CTI_ERR_NUL_CHARACTER')
  t.match(res.body.message, /^body \/name /)
  const rows = await app.database.db.selectFrom('customers').select('id').execute()
  t.same(rows, [])
})

t.test('a NUL deep in a body is named by its path', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Ivan', phones: [{ phone: '+79161234567' }, { phone: '+7903\u0000' }] } })
  t.equal(res.status, 400)
  t.match(res.body.message, /^body \/phones\/1\/phone /)
})

t.test('a NUL in a path parameter or a query string is a 400 naming it', async (t) => {
  const { url } = await testApp(t)
  const card = await request(`${url}/v1/customers/by-phone/%2B7916%001234567/card`)
  t.equal(card.status, 400)
  t.equal(card.body.error, 'CTI_ERR_NUL_CHARACTER')
  t.match(card.body.message, /^params \/phone /)
  const dial = await request(`${url}/v1/asterisk/dial?caller=%2B7916%001234567&dialed=100`)
  t.equal(dial.status, 400)
  t.match(dial.body.message, /^querystring \/caller /)
})
