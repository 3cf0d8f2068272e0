import t from 'tap'
import { agentToken, request } from '../../helpers/test-app.js'
import { amiTestApp, CALLERS, nthAction, SPRING_CRM_LINE, until } from './ami-harness.js'
import type { AmiStandIn } from './ami-stand-in.js'

// An agent hands the call they talk on to a colleague from the page (POST /v1/me/calls/:id/transfer):
// through Asterisk the caller's channel is Redirected to the transfer context, which dials the
// colleague; the first agent goes into wrap-up at once, and a colleague who does not answer gives
// the call back to them.

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** Ivan calls the Spring line and Anna (1001) answers. */
async function annaTalksToIvan(standIn: AmiStandIn, app: { agents: { get(id: string): { state: { status: string } } | undefined } }) {
  const caller = standIn.newChannel({ callerNum: CALLERS.ivan })
  standIn.routeRequest(caller, SPRING_CRM_LINE)
  await nthAction(standIn, 'Redirect')
  const phone = standIn.dialBegin(caller, 'PJSIP/1001')
  standIn.answer(caller, phone, 'PJSIP/1001')
  await until(() => app.agents.get('a-anna')?.state.status === 'busy')
  return { caller, phone, callId: caller.linkedid }
}

const setvars = (standIn: AmiStandIn) => Object.fromEntries(standIn.actions.filter((a) => a.name === 'setvar').map((a) => [a.fields.variable, a.fields.value]))

t.test('a transfer to a named colleague redirects the caller to them and puts the first agent into wrap-up', async (t) => {
  const { url, standIn, app, records, steps } = await amiTestApp(t)
  const { caller, phone, callId } = await annaTalksToIvan(standIn, app)
  const anna = await agentToken(url, 'a-anna')
  const res = await request(`${url}/v1/me/calls/${callId}/transfer`, { method: 'POST', headers: bearer(anna), body: { toAgentId: 'a-boris', note: 'wants a discount' } })
  t.equal(res.status, 202, JSON.stringify(res.body))
  t.match(res.body, { callId, fromAgentId: 'a-anna', toAgentId: 'a-boris', toName: 'Boris', status: 'ringing' })
  const redirect = await nthAction(standIn, 'Redirect', 2)
  t.match(redirect.fields, { channel: caller.name, context: 'cti-transfer', exten: '1002' })
  t.match(setvars(standIn), { CTI_AGENT: 'a-boris', CTI_TRANSFER_FROM: 'a-anna' })
  t.equal(app.agents.get('a-anna')?.state.status, 'wrap-up', 'Anna is done with the call at once')
  t.equal(app.agents.get('a-boris')?.state.status, 'ringing')

  standIn.hangup(phone)
  const borisPhone = standIn.dialBegin(caller, 'PJSIP/1002')
  standIn.answer(caller, borisPhone, 'PJSIP/1002')
  await until(() => app.agents.get('a-boris')?.state.status === 'busy')
  standIn.hangup(borisPhone)
  standIn.hangup(caller)
  await until(async () => (await records()).length === 1)
  t.match((await records())[0], { id: callId, outcome: 'answered', agent_id: 'a-boris' })
  const kinds = await steps(callId)
  t.ok(kinds.indexOf('transfer') > kinds.indexOf('answered'), `the transfer follows the first answer: ${kinds.join(', ')}`)
  t.equal(kinds.filter((k) => k === 'answered').length, 2, 'Anna answered, then Boris')
  const story = await request(`${url}/v1/calls/${callId}`)
  t.match(story.body.segments, [{ agentId: 'a-anna' }, { agentId: 'a-boris' }], 'the record keeps who talked, one segment each')
})

t.test('the last-agent credit goes to the last agent who talked long enough, not to one who held the call a moment', async (t) => {
  const { url, standIn, app, records, clock } = await amiTestApp(t)
  const { caller, phone, callId } = await annaTalksToIvan(standIn, app)
  clock.now += 120_000
  const anna = await agentToken(url, 'a-anna')
  t.equal((await request(`${url}/v1/me/calls/${callId}/transfer`, { method: 'POST', headers: bearer(anna), body: { toAgentId: 'a-boris' } })).status, 202)
  standIn.hangup(phone)
  const borisPhone = standIn.dialBegin(caller, 'PJSIP/1002')
  standIn.answer(caller, borisPhone, 'PJSIP/1002')
  await until(() => app.agents.get('a-boris')?.state.status === 'busy')
  clock.now += 2_000
  standIn.hangup(borisPhone)
  standIn.hangup(caller)
  await until(async () => (await records()).length === 1)
  const ivan = await app.database.db.selectFrom('customers').select('last_agent_id').where('name', '=', 'Ivan Petrov').executeTakeFirstOrThrow()
  t.equal(ivan.last_agent_id, 'a-anna', 'two minutes with Anna count, two seconds with Boris do not')
})

t.test('a colleague who does not answer gives the call back to the agent who transferred it', async (t) => {
  const { url, standIn, app } = await amiTestApp(t)
  const { caller, phone, callId } = await annaTalksToIvan(standIn, app)
  const anna = await agentToken(url, 'a-anna')
  const res = await request(`${url}/v1/me/calls/${callId}/transfer`, { method: 'POST', headers: bearer(anna), body: { toAgentId: 'a-boris' } })
  t.equal(res.status, 202, JSON.stringify(res.body))
  standIn.hangup(phone)
  const borisPhone = standIn.dialBegin(caller, 'PJSIP/1002')
  standIn.emit('DialEnd', [['Privilege', 'call,all'], ...standIn.channelFields(caller), ...standIn.channelFields(borisPhone, 'Dest'), ['DialStatus', 'NOANSWER']])
  const back = await nthAction(standIn, 'Redirect', 3)
  t.match(back.fields, { channel: caller.name, context: 'cti-transfer', exten: '1001' }, 'the held caller goes back to Anna')
  t.equal(app.agents.get('a-anna')?.state.status, 'ringing', 'her wrap-up is cut short for it')
  t.not(app.agents.get('a-boris')?.state.status, 'ringing', 'Boris is released')
  const annaAgain = standIn.dialBegin(caller, 'PJSIP/1001')
  standIn.answer(caller, annaAgain, 'PJSIP/1001')
  await until(() => app.agents.get('a-anna')?.state.status === 'busy')
})

t.test('a colleague who cannot take the call is refused and the call stays where it was', async (t) => {
  const { url, standIn, app } = await amiTestApp(t)
  const { callId } = await annaTalksToIvan(standIn, app)
  await request(`${url}/v1/agents/a-boris/state`, { method: 'PUT', body: { state: 'away' } })
  const anna = await agentToken(url, 'a-anna')
  const res = await request(`${url}/v1/me/calls/${callId}/transfer`, { method: 'POST', headers: bearer(anna), body: { toAgentId: 'a-boris' } })
  t.equal(res.status, 409)
  t.equal(res.body.error, 'CTI_ERR_TRANSFER_REFUSED')
  t.match(res.body.message, /stays with you/)
  t.equal(standIn.actions.filter((a) => a.name === 'redirect').length, 1, 'no Redirect but the first offer')
  t.equal(app.agents.get('a-anna')?.state.status, 'busy')
})

t.test('only the agent talking on the call can transfer it', async (t) => {
  const { url, standIn, app } = await amiTestApp(t)
  const { callId } = await annaTalksToIvan(standIn, app)
  const boris = await agentToken(url, 'a-boris')
  const res = await request(`${url}/v1/me/calls/${callId}/transfer`, { method: 'POST', headers: bearer(boris), body: { toAgentId: 'a-fedor' } })
  t.equal(res.status, 404)
  t.equal(res.body.error, 'CTI_ERR_CALL_NOT_FOUND')
})

t.test('a transfer to a team goes to someone free in it, never back to the agent', async (t) => {
  const { url, standIn, app } = await amiTestApp(t)
  const { callId } = await annaTalksToIvan(standIn, app)
  const anna = await agentToken(url, 'a-anna')
  const res = await request(`${url}/v1/me/calls/${callId}/transfer`, { method: 'POST', headers: bearer(anna), body: { team: 'sales' } })
  t.equal(res.status, 202, JSON.stringify(res.body))
  t.equal(res.body.toAgentId, 'a-boris')
})

t.test('a double click (the same Idempotency-Key twice) transfers once', async (t) => {
  const { url, standIn, app } = await amiTestApp(t)
  const { callId } = await annaTalksToIvan(standIn, app)
  const anna = await agentToken(url, 'a-anna')
  const headers = { ...bearer(anna), 'idempotency-key': 'transfer-click' }
  const [first, second] = await Promise.all([
    request(`${url}/v1/me/calls/${callId}/transfer`, { method: 'POST', headers, body: { toAgentId: 'a-boris' } }),
    request(`${url}/v1/me/calls/${callId}/transfer`, { method: 'POST', headers, body: { toAgentId: 'a-boris' } })
  ])
  t.equal(first.status, 202)
  t.equal(second.status, 202)
  t.equal(standIn.actions.filter((a) => a.name === 'redirect').length, 2, 'the first offer and one transfer')
})
