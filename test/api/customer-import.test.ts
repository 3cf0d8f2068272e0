import t from 'tap'
import { request, testApp } from '../helpers/test-app.js'

const csv = (text: string) => ({ method: 'POST', body: text, headers: { 'content-type': 'text/csv' } })

t.test('good rows land, bad rows are reported with their line and reason', async (t) => {
  const { url, app } = await testApp(t)
  await request(`${url}/v1/agents/a-anna`, { method: 'PUT', body: { name: 'Anna', extension: '1001' } })
  const file = [
    'name,company,phones,owner,tier,needs,overdue_amount,overdue_days,blocked',
    'Ivan Petrov,Petrov LLC,+79161234567;8 903 111 22 33,a-anna,vip,CRM;telephony,0,0,false',
    ',No Name Ltd,+79160000001,,,,,,',
    'Olga Smirnova,,not a phone,,,,,,',
    'Pavel,,+79160000002,a-nobody,,,,,',
    'Maria,,+79160000003,,,,-5,,',
    'Duplicate Ivan,,+79161234567,,,,,,',
    'Sergey,,+79160000004,,standard,,1500.50,12,no',
    'Too,many,columns,here,x,x,x,x,x,x,x'
  ].join('\n')
  const res = await request(`${url}/v1/customers/import`, csv(file))
  t.equal(res.status, 200)
  t.equal(res.body.imported, 2)
  t.equal(res.body.rejected, 6)
  t.same(
    res.body.errors.map((e: { line: number }) => e.line),
    [3, 4, 5, 6, 7, 9]
  )
  t.match(res.body.errors[0].reason, /name is empty/)
  t.match(res.body.errors[1].reason, /not a phone/)
  t.match(res.body.errors[2].reason, /a-nobody/)
  t.match(res.body.errors[3].reason, /overdue_amount/)
  t.match(res.body.errors[4].reason, /already appears on line 2/)

  const ivan = await request(`${url}/v1/customers/by-phone/+79031112233/card`)
  t.equal(ivan.status, 200)
  t.same(ivan.body.customer.needs, ['CRM', 'telephony'])
  t.equal(ivan.body.customer.ownerAgentId, 'a-anna')
  const sergey = await app.database.db.selectFrom('customers').selectAll().where('name', '=', 'Sergey').executeTakeFirstOrThrow()
  t.equal(sergey.overdue_amount, 1500.5)
  t.equal(sergey.overdue_days, 12)
})

t.test('a phone already on file for another customer rejects that row only', async (t) => {
  const { url } = await testApp(t)
  await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Existing', phones: [{ phone: '+79161234567' }] } })
  const res = await request(`${url}/v1/customers/import`, csv('name,phones\nNew One,+79160000009\nClash,89161234567\n'))
  t.equal(res.body.imported, 1)
  t.same(res.body.errors, [{ line: 3, reason: 'phone +79161234567 already belongs to customer 1' }])
})

t.test('a phone cached as unknown becomes known after the import', async (t) => {
  const { url } = await testApp(t)
  t.equal((await request(`${url}/v1/customers/by-phone/+79160000009/card`)).status, 404)
  await request(`${url}/v1/customers/import`, csv('name,phones\nNew One,+79160000009\n'))
  t.equal((await request(`${url}/v1/customers/by-phone/+79160000009/card`)).status, 200)
})

t.test('an unknown column refuses the whole file with the allowed list', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/customers/import`, csv('name,favourite_colour\nIvan,red\n'))
  t.equal(res.status, 400)
  t.match(res.body.message, /favourite_colour.*allowed: name/)
})

t.test('a large file streams through in batches', async (t) => {
  const { url, app } = await testApp(t)
  const rows = Array.from({ length: 2500 }, (_, i) => `Customer ${i},+7916${String(1000000 + i).padStart(7, '0')}`)
  const res = await request(`${url}/v1/customers/import`, csv(`name,phones\n${rows.join('\n')}\n`))
  t.same(res.body, { imported: 2500, rejected: 0, errors: [] })
  const count = await app.database.db.selectFrom('customer_phones').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  t.equal(Number(count.n), 2500)
})

t.test('a file over the import limit is cut off with 413', async (t) => {
  const { url } = await testApp(t, { IMPORT_LIMIT_BYTES: '2048' })
  const rows = Array.from({ length: 500 }, (_, i) => `Customer ${i},+7916${String(1000000 + i).padStart(7, '0')}`)
  const res = await request(`${url}/v1/customers/import`, csv(`name,phones\n${rows.join('\n')}\n`))
  t.equal(res.status, 413)
  t.equal(res.body.error, 'CTI_ERR_TOO_LARGE')
})

t.test('a body that is not CSV is refused', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/customers/import`, { method: 'POST', body: { name: 'x' } })
  t.equal(res.status, 415)
})
