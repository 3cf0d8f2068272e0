import t from 'tap'
import { sipDemo } from './sip-fixture.js'
import { headers, invite, statusOf } from './sip-text.js'

const IVAN = '"Ivan Petrov" <sip:+79161234567@127.0.0.1:5090>;tag=ivan'
const SPRING_LINE = '+74951234567'

const sip = await sipDemo(t, { SIP_MODE: 'redirect' })
const { standIn } = sip

t.test('simultaneous calls of one VIP customer are all redirected to the owner first: a 302 holds no agent', async (t) => {
  // One call first, so the burst finds the caller known and decided at once, as in steady traffic.
  t.equal(statusOf(await standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: 'vip-first' })).final()), 302)
  const calls = Array.from({ length: 300 }, (_, i) => standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: `vip-burst-${i}` })))
  const answers = await Promise.all(calls.map((call) => call.final()))
  const statuses = answers.map(statusOf)
  t.equal(statuses.filter((s) => s === 480).length, 0, 'no 480 while the owner is available')
  t.equal(statuses.filter((s) => s === 302).length, calls.length, 'every call got 302')
  const firsts = answers.map((answer) => headers(answer, 'Contact').join(', ').split(/,\s*/)[0])
  t.equal(firsts.filter((first) => !/^<sip:anna@/.test(first ?? '')).length, 0, 'the owner is the first Contact of every 302')
  t.equal(sip.app.agents.get('a-anna')?.state.activeCalls, 0, 'the owner holds no call')
  t.equal(sip.app.agents.get('a-clara')?.state.activeCalls, 0, 'nor does the rest of the VIP desk')
  const { call: record, steps } = await sip.record('vip-burst-299')
  t.equal(record?.outcome, 'redirected', 'each call is still recorded as redirected')
  t.equal(record?.agent_id, 'a-anna', 'to the owner')
  t.ok(steps.some((s) => s.kind === 'offered' && s.agent_id === 'a-anna'), 'with the offer to the owner as a step')
})
