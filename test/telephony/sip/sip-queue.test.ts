import { once } from 'node:events'
import t from 'tap'
import { peakHourRulesDir } from '../queue-rules.js'
import type { InboundExchange, OutboundInvite } from './drachtio-stand-in.js'
import { sipDemo } from './sip-fixture.js'
import { header, invite, SDP, statusOf, type SipText } from './sip-text.js'

/**
 * The peak hour over SIP in path: both sellers (the sales team) are on calls, a known customer
 * (Ivan, priority 10) and two new callers wait with 182 Queued, and the seller who hangs up first
 * takes Ivan. The 182s are refreshed every second here (SIP_QUEUE_REFRESH_SECONDS=1).
 */
const SPRING_LINE = '+74951234567'
const IVAN = '"Ivan Petrov" <sip:+79161234567@127.0.0.1:5090>;tag=ivan'
const caller = (n: number) => `<sip:+7903555${String(n).padStart(4, '0')}@127.0.0.1:5090>;tag=c${n}`
const AGENT_SDP = SDP.replace('40000', '41000')

const sip = await sipDemo(t, { SIP_MODE: 'in-path', SIP_QUEUE_REFRESH_SECONDS: '1', RULES_DIR: await peakHourRulesDir(t) }, { ringSeconds: 20 })
const { standIn } = sip

async function nextAgentInvite(): Promise<OutboundInvite> {
  const [agentInvite] = (await once(standIn, 'invite-out')) as [OutboundInvite]
  return agentInvite
}

/** A call answered by whichever seller the server rings: the seller is busy until it hangs up. */
async function talkingCall(from: string, callId: string) {
  const call = standIn.sendInvite(invite({ to: SPRING_LINE, from, callId }))
  const agentLeg = await nextAgentInvite()
  agentLeg.answer(AGENT_SDP)
  const status = statusOf(await call.final())
  if (status !== 200) throw new Error(`${callId}: ${status}, not answered`)
  call.ack()
  return { call, agent: agentLeg.uri }
}

/** Both sellers on a call; each test ends its calls itself. */
async function everySellerBusy(tag: string) {
  await sip.everyoneAvailable()
  const first = await talkingCall(caller(1), `${tag}-busy-1`)
  const second = await talkingCall(caller(2), `${tag}-busy-2`)
  if (first.agent === second.agent) throw new Error('the same seller took both calls')
  return [first, second]
}

/** The next 182 the caller gets whose position matches. */
function queued(call: InboundExchange, position: number, after = 0): Promise<SipText> {
  return new Promise((resolve) => {
    const check = () => {
      const seen = call.responses.slice(after).find((r) => statusOf(r) === 182 && header(r, 'X-Queue-Position') === String(position))
      if (!seen) return false
      call.off('response', check)
      resolve(seen)
      return true
    }
    if (!check()) call.on('response', check)
  })
}

const count182 = (call: InboundExchange) => call.responses.filter((r) => statusOf(r) === 182).length

async function hangUpAll(...calls: InboundExchange[]) {
  for (const call of calls) {
    const final = call.responses.find((r) => statusOf(r) >= 200)
    if (!final) standIn.cancel(call)
    else if (statusOf(final) === 200) await call.hangUp().final()
  }
}

t.test('every seller busy: a known customer and two new callers wait; the known customer is served first when a seller frees up', async (t) => {
  const [busy1, busy2] = await everySellerBusy('vip')
  const newA = standIn.sendInvite(invite({ to: SPRING_LINE, from: caller(101), callId: 'vip-new-a' }))
  const firstA = await queued(newA, 1)
  t.equal(header(firstA, 'X-Queue-Name'), 'sales')
  t.match(firstA.startLine, /^SIP\/2\.0 182 Queued/)
  t.match(header(firstA, 'X-Queue-Estimated-Wait'), /^\d+$/, 'the estimated wait in seconds')
  const newB = standIn.sendInvite(invite({ to: SPRING_LINE, from: caller(102), callId: 'vip-new-b' }))
  await queued(newB, 2)
  const ivan = standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: 'vip-ivan' }))
  await queued(ivan, 1)
  t.pass('the known customer goes ahead of both new callers')
  await queued(newA, 2)
  t.pass('the first new caller is told it is now second')

  const agentLeg = nextAgentInvite()
  await busy1!.call.hangUp().final()
  const served = await agentLeg
  t.equal(served.header('X-Original-Call-ID'), 'vip-ivan', 'the freed seller is rung for the known customer')
  t.equal(served.uri, busy1!.agent, 'the seller who hung up')
  served.ringing()
  await ivan.response((s) => s === 180)
  served.answer(AGENT_SDP)
  t.equal(statusOf(await ivan.final()), 200)
  ivan.ack()
  t.equal(statusOf(newA.responses.at(-1)!), 182, 'the new callers still wait')
  await hangUpAll(ivan, busy2!.call, newA, newB)
  const { call: record } = await sip.record('vip-ivan')
  t.equal(record?.outcome, 'answered')
})

t.test('a waiting caller gets 182 Queued again every refresh interval, with the position', async (t) => {
  const [busy1, busy2] = await everySellerBusy('refresh')
  const waiting = standIn.sendInvite(invite({ to: SPRING_LINE, from: caller(201), callId: 'refresh-wait' }))
  await queued(waiting, 1)
  const before = count182(waiting)
  await queued(waiting, 1, before)
  await queued(waiting, 1, count182(waiting))
  t.ok(count182(waiting) >= before + 2, 'two refreshes came')
  t.notOk(waiting.responses.some((r) => statusOf(r) >= 200), 'no final answer while waiting')
  await hangUpAll(waiting, busy1!.call, busy2!.call)
})

t.test('a caller who cancels while waiting is recorded as abandoned, and no seller is rung for them', async (t) => {
  const [busy1, busy2] = await everySellerBusy('cancel')
  const waiting = standIn.sendInvite(invite({ to: SPRING_LINE, from: caller(301), callId: 'cancel-wait' }))
  await queued(waiting, 1)
  standIn.cancel(waiting)
  t.equal(statusOf(await waiting.final()), 487)
  const { call: record } = await sip.record('cancel-wait')
  t.equal(record?.outcome, 'abandoned')
  let rung = false
  standIn.once('invite-out', () => (rung = true))
  await busy1!.call.hangUp().final()
  await busy2!.call.hangUp().final()
  await sip.record('cancel-busy-2')
  t.notOk(rung, 'the freed sellers are not rung for the caller who left')
})
