import t from 'tap'
import { agentToken, request, testDemoApp } from '../helpers/test-app.js'
import { eventsOf, IVAN, settle } from './workflow-fixture.js'

const PAGES = ['/crm', '/crm/features', '/crm/pricing']

t.test('a returning customer browsing is shown to their own manager with the pages looked at', async (t) => {
  const { app, url } = await testDemoApp(t)
  const res = await request(`${url}/v1/interactions`, { method: 'POST', body: { kind: 'web-visit', phone: IVAN, pages: PAGES, product: 'product:crm' } })
  t.equal(res.status, 200)
  t.match(res.body, { attended: true, agentId: 'a-anna', customerId: Number })
  const visit = eventsOf(app, 'a-anna').find((e) => e.type === 'visit')
  t.match(visit, { customer: { name: 'Ivan Petrov' }, pages: [{ url: '/crm' }, { url: '/crm/features' }, { url: '/crm/pricing' }], product: 'product:crm' })
  t.equal(app.agents.get('a-anna')?.state.status, 'available', 'showing a visit rings nobody')
})

t.test('a first visitor becomes a lead and goes to the best expert in the product viewed', async (t) => {
  const { app, url } = await testDemoApp(t)
  const res = await request(`${url}/v1/interactions`, { method: 'POST', body: { kind: 'web-visit', visitorId: 'v-42', pages: PAGES, product: 'product:telephony' } })
  t.match(res.body, { attended: true, rule: 'first web visits', agentId: 'a-dmitri', leadId: Number })
  await settle(app)
  const lead = await app.database.db.selectFrom('leads').selectAll().where('visitor_id', '=', 'v-42').executeTakeFirstOrThrow()
  t.match(lead, { source: 'web', agent_id: 'a-dmitri' })
})

t.test('a short visit is not worth an agent yet', async (t) => {
  const { url } = await testDemoApp(t, { WEB_VISIT_MIN_PAGES: '3' })
  const res = await request(`${url}/v1/interactions`, { method: 'POST', body: { kind: 'web-visit', visitorId: 'v-1', pages: ['/'] } })
  t.equal(res.status, 202)
  t.match(res.body, { attended: false, reason: /1 page/ })
})

t.test('without telephony for call-backs, a visitor asking to be called back becomes a call-back task for the chosen agent', async (t) => {
  const { app, url } = await testDemoApp(t)
  const res = await request(`${url}/v1/interactions`, { method: 'POST', body: { kind: 'web-visit', phone: IVAN, pages: ['/contact'], callbackRequested: true } })
  t.match(res.body, { attended: true, agentId: 'a-anna', callback: { placed: false, assigneeAgentId: 'a-anna', taskId: Number } })
  t.ok(eventsOf(app, 'a-anna').some((e) => e.type === 'task' && e.why === 'callback-request'))
})

t.test('a visit naming nobody is refused', async (t) => {
  const { url } = await testDemoApp(t)
  const res = await request(`${url}/v1/interactions`, { method: 'POST', body: { kind: 'web-visit', pages: PAGES } })
  t.equal(res.status, 400)
})

t.test('an agent moves a deal through the configured stages from their page, and a refusal joins the card', async (t) => {
  const { url } = await testDemoApp(t)
  const token = await agentToken(url, 'a-anna')
  const auth = { authorization: `Bearer ${token}` }
  const card = await request(`${url}/v1/customers/by-phone/${encodeURIComponent(IVAN)}/card`)
  const customerId = card.body.customer.id
  const options = await request(`${url}/v1/me/deals/options`, { headers: auth })
  t.same(options.body.stages, ['interest', 'invoice', 'agreement', 'offer', 'done', 'paid'])
  const opened = await request(`${url}/v1/me/deals`, { method: 'POST', headers: auth, body: { customerId, title: 'Analytics add-on' } })
  t.match(opened, { status: 201, body: { stage: 'interest', status: 'open', agentId: 'a-anna' } })
  const moved = await request(`${url}/v1/me/deals/${opened.body.id}`, { method: 'PATCH', headers: auth, body: { stage: 'offer' } })
  t.match(moved.body, { stage: 'offer', status: 'open' })
  const unknown = await request(`${url}/v1/me/deals/${opened.body.id}`, { method: 'PATCH', headers: auth, body: { stage: 'maybe' } })
  t.match(unknown, { status: 400, body: { error: 'CTI_ERR_UNKNOWN_STAGE' } })
  const lost = await request(`${url}/v1/me/deals/${opened.body.id}`, { method: 'PATCH', headers: auth, body: { lost: true, reason: 'competitor' } })
  t.match(lost.body, { status: 'lost', stage: 'offer', lostReason: 'competitor' })
  const steps = await request(`${url}/v1/deals/${opened.body.id}`)
  t.same(steps.body.steps.map((s: any) => [s.stage, s.status, s.reason]), [['interest', 'open', null], ['offer', 'open', null], ['offer', 'lost', 'competitor']])
  const after = await request(`${url}/v1/customers/by-phone/${encodeURIComponent(IVAN)}/card`)
  t.ok(after.body.refusalReasons.includes('competitor'), 'the reason is on the card')
  const again = await request(`${url}/v1/me/deals/${opened.body.id}`, { method: 'PATCH', headers: auth, body: { stage: 'paid' } })
  t.match(again, { status: 409, body: { error: 'CTI_ERR_DEAL_CLOSED' } })
  const stranger = await request(`${url}/v1/me/deals/options`)
  t.equal(stranger.status, 401, 'the agent token is required')
})

t.test('reaching the last stage wins the deal', async (t) => {
  const { url } = await testDemoApp(t)
  const card = await request(`${url}/v1/customers/by-phone/${encodeURIComponent(IVAN)}/card`)
  const opened = await request(`${url}/v1/deals`, { method: 'POST', body: { customerId: card.body.customer.id, title: 'Seats', stage: 'done' } })
  const paid = await request(`${url}/v1/deals/${opened.body.id}`, { method: 'PATCH', body: { stage: 'paid', agentId: 'a-anna' } })
  t.match(paid.body, { status: 'won', stage: 'paid', closedAt: String })
})
