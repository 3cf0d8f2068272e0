import { once } from 'node:events'
import t from 'tap'
import type { OutboundInvite } from './drachtio-stand-in.js'
import { sipDemo } from './sip-fixture.js'
import { header, invite, SDP, statusOf, type SipText } from './sip-text.js'

const IVAN = '"Ivan Petrov" <sip:+79161234567@127.0.0.1:5090>;tag=ivan'
const OLGA = '"Olga Smirnova" <sip:+79031112233@127.0.0.1:5090>;tag=olga'
const SPRING_LINE = '+74951234567'
const AGENT_SDP = SDP.replace('40000', '41000')

const sip = await sipDemo(t, { SIP_MODE: 'in-path' })
const { standIn } = sip
t.beforeEach(() => sip.everyoneAvailable())

/** The next INVITE the server sends to an agent's phone. */
async function nextAgentInvite(): Promise<OutboundInvite> {
  const [invite] = (await once(standIn, 'invite-out')) as [OutboundInvite]
  return invite
}

t.test('the owner is rung first; when they do not answer in their ring time the next agent is rung and takes the call', async (t) => {
  const call = standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: 'in-path-timeout' }))
  const owner = await nextAgentInvite()
  t.equal(owner.uri, 'sip:anna@pbx.example.com')
  t.equal(owner.header('X-Route-Rule'), 'VIP customers')
  owner.ringing()
  t.equal(statusOf(await call.response((s) => s === 180)), 180, 'the caller hears ringing')
  const cancelled = once(owner, 'cancel')
  const next = await nextAgentInvite() // after 1 s without an answer
  await cancelled
  t.not(next.uri, owner.uri)
  t.equal(sip.app.agents.get('a-anna')?.state.activeCalls, 0, 'the owner is released')
  next.ringing()
  const agentDialog = next.answer(AGENT_SDP)
  const answer = await call.final()
  t.equal(statusOf(answer), 200)
  t.match(answer.body, /41000/, 'the caller gets the agent\'s SDP')
  call.ack()
  const bye = once(standIn, 'bye-out')
  t.equal(statusOf(await call.hangUp().final()), 200)
  t.equal((await bye)[0], agentDialog, 'the caller\'s BYE ends the agent\'s leg')
  const { call: record, steps } = await sip.record('in-path-timeout')
  t.equal(record?.outcome, 'answered')
  const kinds = steps.map((s) => s.kind)
  t.ok(kinds.includes('offer-failed'), 'the missed offer is a step')
  t.ok(kinds.includes('ringing') && kinds.includes('answered') && kinds.includes('ended'), `steps: ${kinds.join(', ')}`)
})

t.test('a busy owner (486) moves the call to the next agent at once', async (t) => {
  const call = standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: 'in-path-busy' }))
  const owner = await nextAgentInvite()
  owner.respond(486, 'Busy Here')
  const next = await nextAgentInvite()
  t.not(next.uri, owner.uri)
  const agentDialog = next.answer(AGENT_SDP)
  t.equal(statusOf(await call.final()), 200)
  call.ack()
  // This time the agent hangs up: the caller's leg gets the BYE.
  const bye = once(standIn, 'bye-out')
  await next.hangUp(agentDialog).final()
  await bye
  const { steps } = await sip.record('in-path-busy')
  const failed = steps.find((s) => s.kind === 'offer-failed')
  t.equal(failed?.agent_id, 'a-anna')
  t.match(JSON.stringify(failed?.data), /busy/)
})

t.test('when every agent declines, the decision\'s final action answers the caller', async (t) => {
  // Olga Smirnova owes 45 days: the collections team, otherwise voicemail (no voicemail URI here: 480).
  const call = standIn.sendInvite(invite({ to: SPRING_LINE, from: OLGA, callId: 'in-path-all-decline' }))
  for (;;) {
    const raced = await Promise.race([nextAgentInvite(), call.final()])
    if ('respond' in raced) raced.respond(603, 'Decline')
    else break
  }
  const answer = await call.final()
  t.equal(statusOf(answer), 480, 'voicemail without a voicemail URI: 480')
  t.equal(header(answer, 'Retry-After'), '30')
  const { call: record } = await sip.record('in-path-all-decline')
  t.equal(record?.outcome, 'missed')
})

t.test('when every agent declines a VIP, the call waits in the VIP queue with 182 Queued', async (t) => {
  const call = standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: 'in-path-all-decline-vip' }))
  let queued: SipText | undefined
  call.on('response', (r: SipText) => (queued ??= statusOf(r) === 182 ? r : undefined))
  while (!queued) {
    const raced = await Promise.race([nextAgentInvite(), call.response((s) => s === 182)])
    if ('respond' in raced) raced.respond(603, 'Decline')
  }
  t.equal(header(queued, 'X-Queue-Name'), 'vip')
  standIn.cancel(call)
  t.equal(statusOf(await call.final()), 487)
  const { call: record } = await sip.record('in-path-all-decline-vip')
  t.equal(record?.outcome, 'abandoned')
})

t.test('a CANCEL from the caller stops the ringing and releases the agent', async (t) => {
  const call = standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: 'in-path-cancel' }))
  const owner = await nextAgentInvite()
  owner.ringing()
  await call.response((s) => s === 180)
  const cancelled = once(owner, 'cancel')
  standIn.cancel(call)
  await cancelled
  t.equal(statusOf(await call.final()), 487)
  const { call: record } = await sip.record('in-path-cancel')
  t.equal(record?.outcome, 'abandoned')
  t.equal(sip.app.agents.get('a-anna')?.state.activeCalls, 0)
})
