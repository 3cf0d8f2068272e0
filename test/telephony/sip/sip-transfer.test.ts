import { once } from 'node:events'
import t from 'tap'
import { agentToken, request } from '../../helpers/test-app.js'
import type { OutboundInvite } from './drachtio-stand-in.js'
import { sipWorkplace } from './sip-workplace-fixture.js'
import { header, invite, SDP, statusOf, type SipText } from './sip-text.js'

// Blind transfers and call-backs from the agent's page over drachtio in path (SipCallControl):
// the first agent's leg gets a BYE, the colleague is INVITEd without SDP (3PCC), and when they
// answer the caller is re-INVITEd onto their media; a colleague who does not take it gives the
// call back to the agent who transferred it.

const IVAN = '"Ivan Petrov" <sip:+79161234567@127.0.0.1:5090>;tag=ivan'
const SPRING_LINE = '+74951234567'
const ANNA_SDP = SDP.replace('40000', '41000')
const BORIS_SDP = SDP.replace('40000', '42000').replace('o=- 1 1', 'o=boris 77 1')

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

const sip = await sipWorkplace(t)
const { standIn, app, url, meUrl } = sip
const anna = await agentToken(url, 'a-anna')

t.beforeEach(async () => {
  // Each test starts with everyone free (a previous test's wrap-up or away cut short).
  for (const view of app.agents.snapshot()) if (view.state.status !== 'available' && view.state.activeCalls === 0) app.agents.setAgentState(view.profile.id, 'available', Date.now())
})

async function nextInvite(): Promise<OutboundInvite> {
  const [sent] = (await once(standIn, 'invite-out')) as [OutboundInvite]
  return sent
}

/** The next ACK the server sends in `dialogId` (re-INVITEs and 200s of other legs are ACKed too). */
function ackIn(dialogId: () => string): Promise<SipText> {
  return new Promise((resolve) => {
    const listener = (dialog: string, message: SipText) => {
      if (dialog !== dialogId()) return
      standIn.off('ack', listener)
      resolve(message)
    }
    standIn.on('ack', listener)
  })
}

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Ivan calls the Spring line in path and Anna, his owner, answers. */
async function annaTalksToIvan(callId: string) {
  const call = standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId }))
  const annaPhone = await nextInvite()
  if (annaPhone.uri !== 'sip:anna@pbx.example.com') throw new Error(`Anna expected first, got ${annaPhone.uri}`)
  annaPhone.ringing()
  const annaDialog = annaPhone.answer(ANNA_SDP)
  const answer = await call.final()
  if (statusOf(answer) !== 200) throw new Error(`caller got ${statusOf(answer)}`)
  call.ack()
  await until(() => sip.adapter.callControl!.holds(callId) && app.agents.get('a-anna')?.state.status === 'busy', 'Anna talking')
  return { call, annaPhone, annaDialog }
}

const transfer = (callId: string, body: Record<string, unknown>, token = anna) => request(`${meUrl}/v1/me/calls/${callId}/transfer`, { method: 'POST', headers: bearer(token), body })

t.test('Anna transfers the call to Boris from the page: her leg gets a BYE, Boris is INVITEd, answers, and the record names him', async (t) => {
  const callId = 'sip-transfer-taken'
  const { call, annaDialog } = await annaTalksToIvan(callId)
  const annaBye = once(standIn, 'bye-out')
  const borisInvite = nextInvite()
  const asked = performance.now()
  const res = await transfer(callId, { toAgentId: 'a-boris', note: 'wants a discount' })
  t.equal(res.status, 202, JSON.stringify(res.body))
  t.match(res.body, { callId, fromAgentId: 'a-anna', toAgentId: 'a-boris', toName: 'Boris', ringSeconds: 5, status: 'ringing' })
  t.equal((await annaBye)[0], annaDialog, "Anna's leg is released at once")
  t.equal(app.agents.get('a-anna')?.state.status, 'wrap-up', 'Anna is in wrap-up')
  const boris = await borisInvite
  t.equal(boris.uri, 'sip:boris@pbx.example.com')
  t.equal(boris.header('X-Transferred-By'), 'a-anna')
  t.equal(boris.header('X-Original-Call-ID'), callId)
  t.match(boris.header('From'), /\+79161234567/, "Boris's phone shows Ivan's number")
  t.equal(boris.request.body, '', 'the INVITE carries no SDP: Boris offers in his 200 (3PCC)')
  t.equal(app.agents.get('a-boris')?.state.status, 'ringing')
  boris.ringing()

  const reinvite = once(standIn, 'reinvite-out') as Promise<[string, SipText]>
  let borisDialog = ''
  const ack = ackIn(() => borisDialog)
  borisDialog = boris.answer(BORIS_SDP)
  const [reinviteDialog, reinviteMessage] = await reinvite
  t.equal(reinviteDialog, call.dialogId, "the caller's leg is re-INVITEd")
  t.match(reinviteMessage.body, /m=audio 42000/, "onto Boris's media")
  t.match(reinviteMessage.body, /^o=- 1 2 IN IP4/m, 'keeping the origin Ivan got, its version one up (RFC 3264 §8)')
  const ackMessage = await ack
  t.match(ackMessage.body, /m=audio 40000/, "Boris's ACK carries Ivan's answer")
  await until(() => app.agents.get('a-boris')?.state.status === 'busy', 'Boris talking')
  t.comment(`transfer request → Boris's 200 handled: ${Math.round(performance.now() - asked)} ms (stand-in)`)

  const byes = once(standIn, 'bye-out')
  t.equal(statusOf(await call.hangUp().final()), 200)
  t.equal((await byes)[0], borisDialog, "Ivan's BYE ends Boris's leg, not Anna's")
  const { call: record, steps } = await sip.record(callId)
  t.match(record, { outcome: 'answered', agent_id: 'a-boris' }, 'the record names Boris')
  const kinds = steps.map((s) => s.kind)
  t.ok(kinds.includes('transfer'), `a transfer step: ${kinds.join(', ')}`)
  t.match(steps.find((s) => s.kind === 'transfer'), { agent_id: 'a-anna', data: { fromAgentId: 'a-anna', toAgentId: 'a-boris', note: 'wants a discount' } })
  t.same(steps.filter((s) => s.kind === 'answered').map((s) => s.agent_id), ['a-anna', 'a-boris'], 'Anna answered, then Boris')
  const story = await request(`${url}/v1/calls/${callId}`)
  t.equal(story.status, 200)
  t.match(JSON.stringify(story.body), /a-boris/, 'GET /v1/calls/:id names Boris')
})

t.test('Boris does not take it (486): the held caller comes back to Anna, her wrap-up cut short, and she answers again', async (t) => {
  const callId = 'sip-transfer-not-taken'
  const { call } = await annaTalksToIvan(callId)
  const borisInvite = nextInvite()
  const res = await transfer(callId, { toAgentId: 'a-boris' })
  t.equal(res.status, 202, JSON.stringify(res.body))
  const boris = await borisInvite
  boris.ringing()
  const annaAgain = nextInvite()
  boris.respond(486, 'Busy Here')
  const back = await annaAgain
  t.equal(back.uri, 'sip:anna@pbx.example.com', 'a second transfer leg rings Anna')
  t.equal(back.request.body, '', 'again without SDP')
  t.equal(app.agents.get('a-anna')?.state.status, 'ringing', 'her wrap-up is cut short for it')
  t.not(app.agents.get('a-boris')?.state.status, 'ringing', 'Boris is released')
  const reinvite = once(standIn, 'reinvite-out') as Promise<[string, SipText]>
  const annaDialog = back.answer(ANNA_SDP)
  t.equal((await reinvite)[0], call.dialogId)
  await until(() => app.agents.get('a-anna')?.state.status === 'busy', 'Anna talking again')
  t.ok(sip.adapter.callControl!.holds(callId), 'the call is still held: it can be transferred again')

  const bye = once(standIn, 'bye-out')
  await back.hangUp(annaDialog).final()
  t.equal((await bye)[0], call.dialogId, "Anna's BYE ends Ivan's leg")
  const { call: record, steps } = await sip.record(callId)
  t.match(record, { outcome: 'answered', agent_id: 'a-anna' })
  const kinds = steps.map((s) => s.kind)
  t.ok(kinds.includes('transfer'), `steps: ${kinds.join(', ')}`)
  t.same(steps.filter((s) => s.kind === 'answered').map((s) => s.agent_id), ['a-anna', 'a-anna'], 'Anna answered twice; Boris never')
})

t.test('after a transfer that came back, Anna can transfer the same call again, and Boris takes it', async (t) => {
  const callId = 'sip-transfer-twice'
  const { call } = await annaTalksToIvan(callId)
  let boris = nextInvite()
  t.equal((await transfer(callId, { toAgentId: 'a-boris' })).status, 202)
  const annaAgain = nextInvite()
  ;(await boris).respond(480, 'Temporarily Unavailable')
  const back = await annaAgain
  back.answer(ANNA_SDP)
  await until(() => app.agents.get('a-anna')?.state.status === 'busy', 'Anna talking again')
  app.agents.setAgentState('a-boris', 'available', Date.now())
  boris = nextInvite()
  const res = await transfer(callId, { toAgentId: 'a-boris' })
  t.equal(res.status, 202, JSON.stringify(res.body))
  const borisDialog = (await boris).answer(BORIS_SDP)
  await until(() => app.agents.get('a-boris')?.state.status === 'busy', 'Boris talking')
  const bye = once(standIn, 'bye-out')
  await call.hangUp().final()
  t.equal((await bye)[0], borisDialog)
  const { call: record } = await sip.record(callId)
  t.match(record, { outcome: 'answered', agent_id: 'a-boris' })
})

t.test('a colleague who is away is refused with 409 and nothing is sent: the call stays with Anna', async (t) => {
  const callId = 'sip-transfer-refused'
  const { call } = await annaTalksToIvan(callId)
  app.agents.setAgentState('a-boris', 'away', Date.now())
  const sent: string[] = []
  const listener = (method: string) => sent.push(method)
  const invites: OutboundInvite[] = []
  const onInvite = (i: OutboundInvite) => invites.push(i)
  standIn.on('request-out', listener)
  standIn.on('invite-out', onInvite)
  const res = await transfer(callId, { toAgentId: 'a-boris' })
  await new Promise((resolve) => setTimeout(resolve, 100))
  standIn.off('request-out', listener)
  standIn.off('invite-out', onInvite)
  t.equal(res.status, 409)
  t.equal(res.body.error, 'CTI_ERR_TRANSFER_REFUSED')
  t.same(sent, [], 'no BYE, no re-INVITE')
  t.same(invites, [], 'no INVITE')
  t.equal(app.agents.get('a-anna')?.state.status, 'busy')
  await call.hangUp().final()
})

t.test('only the agent talking on the call can transfer it', async (t) => {
  const callId = 'sip-transfer-not-theirs'
  const { call } = await annaTalksToIvan(callId)
  const boris = await agentToken(url, 'a-boris')
  const res = await transfer(callId, { toAgentId: 'a-fedor' }, boris)
  t.equal(res.status, 404)
  t.equal(res.body.error, 'CTI_ERR_CALL_NOT_FOUND')
  await call.hangUp().final()
})

t.test('the caller hangs up while Boris rings: his INVITE is cancelled, he is released, and the call is recorded as answered', async (t) => {
  const callId = 'sip-transfer-caller-gone'
  const { call } = await annaTalksToIvan(callId)
  const borisInvite = nextInvite()
  t.equal((await transfer(callId, { toAgentId: 'a-boris' })).status, 202)
  const boris = await borisInvite
  boris.ringing()
  const cancelled = once(boris, 'cancel')
  t.equal(statusOf(await call.hangUp().final()), 200)
  await cancelled
  await until(() => app.agents.get('a-boris')?.state.status !== 'ringing', 'Boris released')
  const { call: record, steps } = await sip.record(callId)
  t.match(record, { outcome: 'answered', end_cause: 'caller hung up' })
  t.same(steps.filter((s) => s.kind === 'answered').map((s) => s.agent_id), ['a-anna'], 'only Anna answered')
  // The recorder names the last agent offered (CallRecorder: 'offered' sets agentId), here Boris, who never
  // talked; that is src/calls' rule for every call (a missed one names its last offer too), not the SIP side's.
  t.equal(record?.agent_id, 'a-boris', "the record's agent is the last one offered")
})

t.test('a call-back from the page: Anna\'s phone is INVITEd first, then Ivan through the trunk; the record is outbound', async (t) => {
  const card = await request(`${url}/v1/customers/by-phone/+79161234567/card`)
  const customerId = card.body.customer.id
  const annaInvite = nextInvite()
  const res = await request(`${meUrl}/v1/me/callbacks`, { method: 'POST', headers: bearer(anna), body: { customerId } })
  t.equal(res.status, 202, JSON.stringify(res.body))
  t.match(res.body, { phone: '+79161234567', customerId, via: 'sip', status: 'ringing-agent' })
  const callId: string = res.body.callId
  const annaPhone = await annaInvite
  t.equal(annaPhone.uri, 'sip:anna@pbx.example.com')
  t.equal(annaPhone.request.body, '', "Anna's INVITE carries no SDP: her 200 offers")
  t.match(annaPhone.header('From'), /\+79161234567/, "her phone shows Ivan's number")
  t.equal(annaPhone.header('X-Call-Back'), '+79161234567')
  annaPhone.ringing()
  const customerInvite = nextInvite()
  let annaDialog = ''
  const ackToAnna = ackIn(() => annaDialog)
  annaDialog = annaPhone.answer(ANNA_SDP)
  const ivan = await customerInvite
  t.equal(ivan.uri, 'sip:+79161234567@trunk.example.com:5060', 'then the customer, through the trunk')
  t.match(ivan.request.body, /m=audio 41000/, "offered Anna's SDP")
  ivan.ringing()
  ivan.answer(BORIS_SDP.replace('42000', '43000'))
  const ack = await ackToAnna
  t.match(ack.body, /m=audio 43000/, "Anna's ACK carries the customer's answer")
  await until(() => sip.adapter.callControl!.holds(callId), 'the call-back bridged')
  const bye = once(standIn, 'bye-out')
  await annaPhone.hangUp(annaDialog).final()
  await bye
  const { call: record, steps } = await sip.record(callId)
  t.match(record, { direction: 'outbound', outcome: 'answered', agent_id: 'a-anna' })
  const kinds = steps.map((s) => s.kind)
  t.ok(kinds.includes('call-back') && kinds.includes('customer-answered'), `steps: ${kinds.join(', ')}`)
})

t.test("the agent phone's own transfer (REFER) is the workplace's: 202, NOTIFYs, BYE to Anna, who goes into wrap-up, and Boris takes the call", async (t) => {
  const callId = 'sip-transfer-refer'
  const { call, annaPhone, annaDialog } = await annaTalksToIvan(callId)
  const notifies: string[] = []
  const onRequest = (method: string, dialog: string, m: SipText) => method === 'NOTIFY' && dialog === annaDialog && notifies.push(m.body.trim())
  standIn.on('request-out', onRequest)
  const borisInvite = nextInvite()
  const annaBye = once(standIn, 'bye-out')
  const refer = annaPhone.refer(annaDialog, '<sip:boris@pbx.example.com>')
  t.equal(statusOf(await refer.final()), 202)
  const boris = await borisInvite
  t.equal(boris.uri, 'sip:boris@pbx.example.com')
  t.equal((await annaBye)[0], annaDialog)
  t.same(notifies, ['SIP/2.0 100 Trying', 'SIP/2.0 200 OK'], "the phone's subscription: 100, then 200 as the transfer starts")
  standIn.off('request-out', onRequest)
  t.equal(app.agents.get('a-anna')?.state.status, 'wrap-up', 'Anna is done with the call, as after a transfer from her page')
  t.equal(app.agents.get('a-boris')?.state.status, 'ringing', 'Boris is reserved by the core')
  const borisDialog = boris.answer(BORIS_SDP)
  await once(standIn, 'reinvite-out')
  const bye = once(standIn, 'bye-out')
  await new Promise((resolve) => setTimeout(resolve, 50))
  await call.hangUp().final()
  t.equal((await bye)[0], borisDialog)
  const { call: record, steps } = await sip.record(callId)
  t.match(record, { outcome: 'answered', agent_id: 'a-boris' })
  t.same(steps.filter((s) => s.kind === 'answered' || s.kind === 'transfer').map((s) => `${s.kind} ${s.agent_id}`), ['answered a-anna', 'transfer a-anna', 'answered a-boris'])
})

t.test('a REFER naming nobody known is refused (404) and the call stays', async (t) => {
  const callId = 'sip-transfer-refer-unknown'
  const { call, annaPhone, annaDialog } = await annaTalksToIvan(callId)
  const refer = annaPhone.refer(annaDialog, '<sip:nobody@elsewhere.example.com>')
  t.equal(statusOf(await refer.final()), 404)
  t.ok(sip.adapter.callControl!.holds(callId))
  t.equal(header((await call.hangUp().final()), 'CSeq')?.endsWith('BYE'), true)
})
