import t from 'tap'
import { agentToken, MONDAY_11_MSK, request, testDemoApp } from '../helpers/test-app.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('GET /v1/me: the agent the token belongs to, with their live state', async (t) => {
  const { url } = await testDemoApp(t)
  const token = await agentToken(url, 'a-anna')
  const me = await request(`${url}/v1/me`, { headers: bearer(token) })
  t.equal(me.status, 200)
  t.match(me.body, { id: 'a-anna', name: 'Anna Volkova', team: 'vip-desk', state: { status: 'available', activeCalls: 0, capacity: 1 } })
})

t.test('GET /v1/me gives the page language and the currency amounts are in; PUT /v1/me/language changes only the own agent', async (t) => {
  const { url } = await testDemoApp(t)
  const token = await agentToken(url, 'a-anna')
  const before = await request(`${url}/v1/me`, { headers: bearer(token) })
  t.match(before.body, { language: null, currency: 'RUB' })
  const set = await request(`${url}/v1/me/language`, { method: 'PUT', headers: bearer(token), body: { language: 'en' } })
  t.equal(set.status, 200)
  t.same(set.body, { language: 'en' })
  t.match((await request(`${url}/v1/me`, { headers: bearer(token) })).body, { language: 'en' })
  t.match((await request(`${url}/v1/agents/a-boris`)).body, { language: null })
  const bad = await request(`${url}/v1/me/language`, { method: 'PUT', headers: bearer(token), body: { language: 'fr' } })
  t.equal(bad.status, 400)
  const back = await request(`${url}/v1/me/language`, { method: 'PUT', headers: bearer(token), body: { language: null } })
  t.same(back.body, { language: null })
})

t.test('without a valid token: 401 with a JSON error, before the body is looked at', async (t) => {
  const { url } = await testDemoApp(t)
  const old = await agentToken(url, 'a-anna')
  await agentToken(url, 'a-anna')
  const cases: [string, Record<string, string>][] = [
    ['no header', {}],
    ['not a bearer', { authorization: 'Basic YTpi' }],
    ['unknown token', bearer('not-a-token')],
    ['replaced token', bearer(old)]
  ]
  for (const [what, headers] of cases) {
    for (const [method, path, body] of [
      ['GET', '/v1/me', undefined],
      ['GET', '/v1/me/tasks', undefined],
      ['PUT', '/v1/me/state', { state: 'nonsense' }]
    ] as const) {
      const res = await request(`${url}${path}`, { method, headers, body })
      t.equal(res.status, 401, `${what}: ${method} ${path}`)
      t.equal(res.body.error, 'CTI_ERR_UNAUTHORIZED')
      t.type(res.body.message, 'string')
    }
  }
  const raw = await fetch(`${url}/v1/me`)
  t.match(raw.headers.get('www-authenticate'), /^Bearer/)
})

t.test('PUT /v1/me/state sets only the own agent\'s state', async (t) => {
  const { url } = await testDemoApp(t)
  const anna = await agentToken(url, 'a-anna')
  const res = await request(`${url}/v1/me/state`, { method: 'PUT', headers: bearer(anna), body: { state: 'away' } })
  t.equal(res.status, 200)
  t.equal(res.body.status, 'away')
  t.equal((await request(`${url}/v1/agents/a-anna/state`)).body.status, 'away')
  t.equal((await request(`${url}/v1/agents/a-boris/state`)).body.status, 'available', 'nobody else changes')

  t.equal((await request(`${url}/v1/me/state`, { method: 'PUT', headers: bearer(anna), body: { state: 'busy' } })).status, 400, 'busy follows from calls')
  t.equal((await request(`${url}/v1/me/state`, { method: 'PUT', headers: bearer(anna), body: { state: 'away', agentId: 'a-boris' } })).status, 400, 'no other agent can be named')

  const wrapUp = await request(`${url}/v1/me/state`, { method: 'PUT', headers: bearer(anna), body: { state: 'wrap-up' } })
  t.equal(wrapUp.body.status, 'wrap-up')
  const done = await request(`${url}/v1/me/state`, { method: 'PUT', headers: bearer(anna), body: { state: 'available' } })
  t.equal(done.body.status, 'available', 'wrap-up done → available')
  t.equal(done.body.wrapUpUntil, null)
})

t.test('an away agent is not offered calls; available again, they are', async (t) => {
  const { url } = await testDemoApp(t)
  const anna = await agentToken(url, 'a-anna')
  await request(`${url}/v1/me/state`, { method: 'PUT', headers: bearer(anna), body: { state: 'away' } })
  const explained = await request(`${url}/v1/route/explain`, { method: 'POST', body: { caller: '+79161234567', dialed: '+74951234567' } })
  t.not(explained.body.decision.targets[0]?.agentId, 'a-anna')
  await request(`${url}/v1/me/state`, { method: 'PUT', headers: bearer(anna), body: { state: 'available' } })
  const again = await request(`${url}/v1/route/explain`, { method: 'POST', body: { caller: '+79161234567', dialed: '+74951234567' } })
  t.equal(again.body.decision.targets[0].agentId, 'a-anna')
})

t.test('GET /v1/me/tasks: the agent\'s open tasks, due first, overdue marked against the server clock', async (t) => {
  const { url, app } = await testDemoApp(t)
  const anna = await agentToken(url, 'a-anna')
  const res = await request(`${url}/v1/me/tasks`, { headers: bearer(anna) })
  t.equal(res.status, 200)
  const tasks: { id: number; dueAt: string; overdue: boolean; title: string; customer: { name: string } | null }[] = res.body.tasks
  t.ok(tasks.length > 0)
  const dues = tasks.map((task) => Date.parse(task.dueAt))
  t.same(dues, [...dues].sort((a, b) => a - b), 'soonest due first')
  for (const task of tasks) t.equal(task.overdue, Date.parse(task.dueAt) < MONDAY_11_MSK)
  t.ok(tasks.some((task) => task.title.startsWith('Send the signed agreement') && task.customer?.name === 'Ivan Petrov'))

  const expected = await app.database.db.selectFrom('tasks').select('id').where('assignee_agent_id', '=', 'a-anna').where('status', '=', 'open').execute()
  t.equal(tasks.length, Math.min(expected.length, 100), 'every open task of hers, none of others')

  const done = tasks[0]!.id
  await app.database.db.updateTable('tasks').set({ status: 'done' }).where('id', '=', done).execute()
  const after = await request(`${url}/v1/me/tasks`, { headers: bearer(anna) })
  t.notOk(after.body.tasks.some((task: { id: number }) => task.id === done), 'done tasks are not listed')
})

t.test('GET /agent serves the page and its files; nothing else from the folder', async (t) => {
  const { url } = await testDemoApp(t)
  const html = await fetch(`${url}/agent`)
  t.equal(html.status, 200)
  t.match(html.headers.get('content-type'), /^text\/html/)
  t.match(html.headers.get('content-security-policy'), /script-src 'self'/)
  const text = await html.text()
  t.match(text, /<script type="module" src="\/agent\/agent.js"><\/script>/)
  t.match((await fetch(`${url}/agent/agent.js`)).headers.get('content-type'), /^text\/javascript/)
  t.match((await fetch(`${url}/agent/agent.css`)).headers.get('content-type'), /^text\/css/)
  t.equal((await fetch(`${url}/agent/../package.json`)).status, 404)
  t.equal((await fetch(`${url}/agent/%2e%2e%2fpackage.json`)).status, 404)
  t.equal((await fetch(`${url}/agent/other.js`)).status, 404)
})

t.test('GET /v1/me/colleagues: everyone but the agent, by team, with whether a call handed to them would ring', async (t) => {
  const { url } = await testDemoApp(t)
  const anna = await agentToken(url, 'a-anna')
  await request(`${url}/v1/agents/a-boris/state`, { method: 'PUT', body: { state: 'away' } })
  const res = await request(`${url}/v1/me/colleagues`, { headers: bearer(anna) })
  t.equal(res.status, 200)
  const agents: { id: string; name: string; team: string | null; status: string; free: boolean }[] = res.body.agents
  t.notOk(agents.some((a) => a.id === 'a-anna'), 'not herself')
  t.match(agents.find((a) => a.id === 'a-boris'), { status: 'away', free: false })
  t.ok(agents.some((a) => a.free && a.status === 'available'), 'free colleagues are marked')
  const keys = agents.map((a) => `${a.team ?? ''} ${a.name}`)
  t.same(keys, [...keys].sort((a, b) => a.localeCompare(b)), 'by team, then name')
  t.same(res.body.teams, [...new Set(agents.map((a) => a.team).filter(Boolean))].sort())
})
