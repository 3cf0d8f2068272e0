import t from 'tap'
import { request, testApp } from '../helpers/test-app.js'

t.test('an agent is created with skills, and new teams and skills come into being', async (t) => {
  const { url } = await testApp(t)
  const put = await request(`${url}/v1/agents/a-anna`, {
    method: 'PUT',
    body: { name: 'Anna Volkova', sipUri: 'sip:anna@pbx.example.com', team: 'sales', capacity: 2, skills: { 'product:crm': 9, 'lang:en': 6 } }
  })
  t.equal(put.status, 200)
  const got = await request(`${url}/v1/agents/a-anna`)
  t.same(got.body, {
    id: 'a-anna',
    name: 'Anna Volkova',
    sipUri: 'sip:anna@pbx.example.com',
    extension: null,
    team: 'sales',
    capacity: 2,
    chatCapacity: 3,
    language: null,
    active: true,
    skills: { 'product:crm': 9, 'lang:en': 6 }
  })
})

t.test("an agent's page language is set by PUT and kept when a later PUT leaves it out", async (t) => {
  const { url } = await testApp(t)
  const first = await request(`${url}/v1/agents/a-olga`, { method: 'PUT', body: { name: 'Olga', extension: '1003', language: 'en', chatCapacity: 1 } })
  t.equal(first.status, 200)
  t.match(first.body, { language: 'en', chatCapacity: 1 })
  await request(`${url}/v1/agents/a-olga`, { method: 'PUT', body: { name: 'Olga P.', extension: '1003' } })
  const got = await request(`${url}/v1/agents/a-olga`)
  t.match(got.body, { name: 'Olga P.', language: 'en', chatCapacity: 1 })
  const bad = await request(`${url}/v1/agents/a-olga`, { method: 'PUT', body: { name: 'Olga', extension: '1003', language: 'de' } })
  t.equal(bad.status, 400)
})

t.test('putting an agent again replaces their skills', async (t) => {
  const { url } = await testApp(t)
  await request(`${url}/v1/agents/a-boris`, { method: 'PUT', body: { name: 'Boris', extension: '1002', skills: { billing: 5, 'lang:ru': 10 } } })
  await request(`${url}/v1/agents/a-boris`, { method: 'PUT', body: { name: 'Boris K.', extension: '1002', skills: { billing: 7 } } })
  const list = await request(`${url}/v1/agents`)
  t.equal(list.body.length, 1)
  t.equal(list.body[0].name, 'Boris K.')
  t.same(list.body[0].skills, { billing: 7 })
})

t.test('an agent nobody can ring, or with a proficiency out of range, is refused', async (t) => {
  const { url } = await testApp(t)
  const noAddress = await request(`${url}/v1/agents/a-x`, { method: 'PUT', body: { name: 'X' } })
  t.equal(noAddress.status, 400)
  t.match(noAddress.body.message, /sipUri or an extension/)
  const badSkill = await request(`${url}/v1/agents/a-x`, { method: 'PUT', body: { name: 'X', extension: '1', skills: { billing: 11 } } })
  t.equal(badSkill.status, 400)
  t.equal(badSkill.body.error, 'CTI_ERR_VALIDATION')
  t.equal((await request(`${url}/v1/agents/a-x`)).status, 404)
})

t.test('a line is stored under its E.164 number', async (t) => {
  const { url } = await testApp(t)
  const put = await request(`${url}/v1/lines/${encodeURIComponent('8 (495) 123-45-67')}`, {
    method: 'PUT',
    body: { name: 'Spring promo', source: 'yandex-direct', campaign: 'spring-crm', product: 'product:crm', costPerLead: 1200 }
  })
  t.equal(put.status, 200)
  t.equal(put.body.number, '+74951234567')
  const list = await request(`${url}/v1/lines`)
  t.same(list.body, [{ number: '+74951234567', name: 'Spring promo', source: 'yandex-direct', campaign: 'spring-crm', product: 'product:crm', costPerLead: 1200 }])
})
