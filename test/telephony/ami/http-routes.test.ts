import t, { type Test } from 'tap'
import { request, testApp } from '../../helpers/test-app.js'
import { amiTestApp, until } from './ami-harness.js'

const IVAN = '+79161234567'

/** A server on the stand-in with the small CRM of ami-harness (Anna, 1001, owns Ivan). */
async function withAnna(t: Test, env: Record<string, string> = {}) {
  const server = await amiTestApp(t, env)
  const auth = env.ADMIN_TOKEN ? { authorization: `Bearer ${env.ADMIN_TOKEN}` } : undefined
  const customer = await request(`${server.url}/v1/customers/by-phone/${encodeURIComponent(IVAN)}/card`, { headers: auth })
  return { ...server, customerId: Number(customer.body.customer.id) }
}

t.test('POST /v1/callbacks rings the customer\'s owner first, then the customer', async (t) => {
  const { url, standIn, customerId } = await withAnna(t)
  const placed = await request(`${url}/v1/callbacks`, { method: 'POST', body: { customerId } })
  t.equal(placed.status, 202)
  t.match(placed.body, { agentId: 'a-anna', phone: IVAN, callId: /^cb-/, status: 'ringing-agent' })
  const originate = standIn.actions.find((a) => a.name === 'originate')!
  t.match(originate.fields, { channel: 'Local/1001@cti-agents', context: 'cti-outbound', exten: '79161234567' })
})

t.test('POST /v1/callbacks needs a customer or a phone', async (t) => {
  const { url } = await withAnna(t)
  const res = await request(`${url}/v1/callbacks`, { method: 'POST', body: {} })
  t.equal(res.status, 400)
  t.equal(res.body.error, 'CTI_ERR_BAD_REQUEST')
})

t.test('POST /v1/callbacks without Asterisk configured answers 503 with a coded error', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/callbacks`, { method: 'POST', body: { phone: IVAN } })
  t.equal(res.status, 503)
  t.equal(res.body.error, 'CTI_ERR_AMI_NOT_CONFIGURED')
})

t.test('GET /v1/asterisk/dial answers a ready Dial() argument for the chosen agent', async (t) => {
  const { url, app } = await withAnna(t)
  const res = await fetch(`${url}/v1/asterisk/dial?caller=${encodeURIComponent(IVAN)}&dialed=74951234567&channel=1795376765.17`)
  t.equal(res.status, 200)
  t.equal(await res.text(), 'PJSIP/1001,20')
  t.equal(res.headers.get('x-cti-call-id'), '1795376765.17')
  t.equal(app.agents.get('a-anna')?.state.status, 'ringing', 'the agent is reserved for the call')
})

t.test('GET /v1/asterisk/dial answers an empty body when nobody can take the call', async (t) => {
  const { url, app } = await withAnna(t)
  for (const id of ['a-anna', 'a-boris', 'a-fedor']) app.agents.setAgentState(id, 'away', Date.now())
  const res = await fetch(`${url}/v1/asterisk/dial?caller=${encodeURIComponent(IVAN)}&dialed=74951234567`)
  t.equal(res.status, 200)
  t.equal(await res.text(), '')
  t.ok(res.headers.get('x-cti-final'))
})

t.test('GET /v1/asterisk/dial requires the admin token when one is set', async (t) => {
  const token = 'a-very-long-admin-token'
  const { url } = await withAnna(t, { ADMIN_TOKEN: token })
  t.equal((await fetch(`${url}/v1/asterisk/dial?caller=${encodeURIComponent(IVAN)}`)).status, 401)
  const allowed = await fetch(`${url}/v1/asterisk/dial?caller=${encodeURIComponent(IVAN)}`, { headers: { authorization: `Bearer ${token}` } })
  t.equal(allowed.status, 200)
})

t.test('/ready reports the AMI connection', async (t) => {
  const { url, standIn } = await withAnna(t)
  t.match((await request(`${url}/ready`)).body.checks.ami, { ok: true, detail: /connected/ })
  await standIn.close()
  await until(async () => (await request(`${url}/ready`)).status === 503)
  t.match((await request(`${url}/ready`)).body.checks.ami, { ok: false, detail: /not connected/ })
})
