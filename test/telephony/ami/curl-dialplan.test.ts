import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { MONDAY_11_MSK, request, testApp } from '../../helpers/test-app.js'
import { CALLERS, SPRING_CRM_LINE, until } from './ami-harness.js'

/**
 * The dialplan of sip-config/asterisk [cti-inbound-curl] as the server sees it,
 * without AMI: GET /v1/asterisk/dial, then the reports its CURL() calls post
 * (form fields, as CURL(url,data) sends them).
 */
async function curlServer(t: Test, options: { ownerRing?: string; annaSipUri?: string } = {}) {
  const dir = t.testdir()
  await cp('routing-rules', dir, { recursive: true })
  if (options.ownerRing) {
    const rules = join(dir, 'rules.yaml')
    await writeFile(rules, (await readFile(rules, 'utf8')).replaceAll(/- owner:\n        ring: 20s/g, `- owner:\n        ring: ${options.ownerRing}`))
  }
  const clock = { now: MONDAY_11_MSK }
  const server = await testApp(t, { RULES_DIR: dir }, { now: () => clock.now })
  const agents = [
    ['a-anna', { name: 'Anna', extension: '1001', sipUri: options.annaSipUri ?? null, team: 'sales' }],
    ['a-boris', { name: 'Boris', extension: '1002', team: 'sales' }],
    ['a-fedor', { name: 'Fedor', sipUri: 'sip:1006@pbx.example.com', team: 'support' }]
  ] as const
  for (const [id, body] of agents) {
    t.equal((await request(`${server.url}/v1/agents/${id}`, { method: 'PUT', body })).status, 200)
    await request(`${server.url}/v1/agents/${id}/state`, { method: 'PUT', body: { state: 'available' } })
  }
  await request(`${server.url}/v1/customers`, { method: 'POST', body: { name: 'Ivan Petrov', ownerAgentId: 'a-anna', phones: [{ phone: CALLERS.ivan }] } })
  const db = server.app.database.db
  return {
    ...server,
    clock,
    dial: async (channel: string) => {
      const res = await fetch(`${server.url}/v1/asterisk/dial?caller=${encodeURIComponent(CALLERS.ivan)}&dialed=${SPRING_CRM_LINE.slice(1)}&channel=${channel}`)
      return res.text()
    },
    /** What CURL(url,data) sends: a form POST. */
    report: async (channel: string, step: 'answered' | 'no-answer' | 'ended', form = '') => {
      const res = await fetch(`${server.url}/v1/asterisk/calls/${channel}/${step}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })
      return { status: res.status, text: await res.text() }
    },
    state: (agentId: string) => server.app.agents.get(agentId)?.state.status,
    async record(id: string) {
      await server.app.calls.flush()
      return db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst()
    },
    async steps(id: string) {
      await server.app.calls.flush()
      return (await db.selectFrom('call_events').selectAll().where('call_id', '=', id).orderBy('id').execute()).map((e) => e.kind)
    }
  }
}

t.test("GET /v1/asterisk/dial dials the agent's extension, not the user of their SIP URI, without AMI", async (t) => {
  const server = await curlServer(t, { annaSipUri: 'sip:anna@pbx.example.com' })
  t.equal(await server.dial('1796156590.11'), 'PJSIP/1001,20')
})

t.test('answered, then ended: the agent is held for the whole call and one answered record is written', async (t) => {
  const server = await curlServer(t)
  t.equal(await server.dial('1796156590.12'), 'PJSIP/1001,20')
  t.equal(server.state('a-anna'), 'ringing')
  t.equal((await server.report('1796156590.12', 'answered')).status, 200)
  t.equal(server.state('a-anna'), 'busy')
  server.clock.now += 42_000
  t.match(await server.report('1796156590.12', 'ended', 'cause=16'), { status: 200 })
  await until(async () => (await server.record('1796156590.12'))?.outcome != null)
  t.match(await server.record('1796156590.12'), { outcome: 'answered', agent_id: 'a-anna', end_cause: '16' })
  t.equal(Number((await server.record('1796156590.12'))!.talk_seconds), 42)
  t.match(await server.steps('1796156590.12'), ['routed', 'offered', 'answered', 'ended'])
})

t.test("no-answer with Dial's status is answered with the next agent's Dial argument", async (t) => {
  const server = await curlServer(t)
  await server.dial('1796156590.13')
  const next = await server.report('1796156590.13', 'no-answer', 'status=NOANSWER')
  t.equal(next.text, 'PJSIP/1006,20', 'the support team next; Fedor dialed at the user of his SIP URI')
  t.not(server.state('a-anna'), 'ringing', 'Anna released')
  t.equal(server.state('a-fedor'), 'ringing')
  t.equal((await server.report('1796156590.13', 'no-answer', 'status=BUSY')).text, '', 'nobody left: the dialplan goes to its final action')
  await server.report('1796156590.13', 'ended', 'cause=16')
  await until(async () => (await server.record('1796156590.13'))?.outcome != null)
  t.match(await server.record('1796156590.13'), { outcome: 'missed' })
})

t.test('a caller who hangs up while the agent rings is recorded as abandoned, and the agent released', async (t) => {
  const server = await curlServer(t)
  await server.dial('1796156590.14')
  await server.report('1796156590.14', 'ended', 'cause=16')
  await until(async () => (await server.record('1796156590.14'))?.outcome != null)
  t.match(await server.record('1796156590.14'), { outcome: 'abandoned', end_cause: '16' })
  t.equal(server.state('a-anna'), 'available')
})

t.test('past the ring time the server reserves nobody else on its own; with no report at all it releases the agent', async (t) => {
  const server = await curlServer(t, { ownerRing: '1s' })
  t.equal(await server.dial('1796156590.15'), 'PJSIP/1001,1')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal(server.state('a-anna'), 'ringing', 'still Anna: Asterisk may be connecting her')
  t.same([...['a-boris', 'a-fedor']].map((id) => server.state(id)), ['available', 'available'], 'nobody else reserved or screen-popped')
  await until(() => server.state('a-anna') === 'available', 7000)
  await until(async () => (await server.record('1796156590.15'))?.outcome != null)
  t.match(await server.record('1796156590.15'), { outcome: 'missed', end_cause: /no report from the dialplan/ })
})

t.test('an answered report holds the agent past the ring time', async (t) => {
  const server = await curlServer(t, { ownerRing: '1s' })
  await server.dial('1796156590.16')
  await server.report('1796156590.16', 'answered')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal(server.state('a-anna'), 'busy')
  t.same(['a-boris', 'a-fedor'].map((id) => server.state(id)), ['available', 'available'])
})

t.test('an answered report for a call ringing nobody is refused with a coded error', async (t) => {
  const server = await curlServer(t)
  const res = await server.report('no-such-call', 'answered')
  t.equal(res.status, 400)
  t.equal(JSON.parse(res.text).error, 'CTI_ERR_BAD_REQUEST')
})
