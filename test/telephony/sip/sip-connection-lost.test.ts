import { once } from 'node:events'
import t from 'tap'
import type { OutboundInvite } from './drachtio-stand-in.js'
import { sipDemo } from './sip-fixture.js'
import { invite, statusOf } from './sip-text.js'

const RING_SECONDS = 5
const IVAN = '"Ivan Petrov" <sip:+79161234567@127.0.0.1:5090>;tag=ivan'
/** Olga owes a payment: her call goes to collections, not to Ivan's owner. */
const OLGA = '"Olga Smirnova" <sip:+79031112233@127.0.0.1:5090>;tag=olga'
const SPRING_LINE = '+74951234567'

const sip = await sipDemo(t, { SIP_MODE: 'in-path' }, { ringSeconds: RING_SECONDS })
const { standIn } = sip

async function ringingLegs(count: number, send: () => void): Promise<OutboundInvite[]> {
  const legs: OutboundInvite[] = []
  const seen = new Promise<void>((resolve) => {
    const listener = (leg: OutboundInvite) => {
      legs.push(leg)
      leg.ringing()
      if (legs.length === count) {
        standIn.off('invite-out', listener)
        resolve()
      }
    }
    standIn.on('invite-out', listener)
  })
  send()
  await seen
  return legs
}

t.test('when drachtio-server goes away while agents ring, the agents are released and the calls recorded within the ring time', async (t) => {
  // Four callers who each find a free agent at once (a second call of Ivan's would wait for his owner).
  const callIds = ['lost-vip', 'lost-overdue', 'lost-new-1', 'lost-new-2']
  const legs = await ringingLegs(4, () => {
    standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: callIds[0] }))
    standIn.sendInvite(invite({ to: SPRING_LINE, from: OLGA, callId: callIds[1] }))
    standIn.sendInvite(invite({ to: SPRING_LINE, from: '<sip:+79035550101@127.0.0.1>;tag=n1', callId: callIds[2] }))
    standIn.sendInvite(invite({ to: SPRING_LINE, from: '<sip:+79035550102@127.0.0.1>;tag=n2', callId: callIds[3] }))
  })
  const agents = sip.app.agents.snapshot().filter((view) => view.state.activeCalls > 0).map((view) => view.profile.id)
  t.equal(agents.length, 4, `four agents ringing: ${agents.join(', ')}`)
  t.equal(legs.length, 4)

  const lostAt = Date.now()
  standIn.dropClients()
  let held = agents
  while (held.length > 0 && Date.now() - lostAt < RING_SECONDS * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    held = agents.filter((id) => (sip.app.agents.get(id)?.state.activeCalls ?? 0) > 0)
  }
  t.same(held, [], 'every ringing agent is free again before the ring time is over')
  t.ok(Date.now() - lostAt < RING_SECONDS * 1000, `released after ${Date.now() - lostAt} ms`)
  for (const callId of callIds) {
    const { call } = await sip.record(callId)
    t.equal(call?.outcome, 'failed', `${callId}: recorded as failed`)
    t.equal(call?.end_cause, 'drachtio connection lost', `${callId}: because the connection was lost`)
  }

  await standIn.connected()
  let call = null as ReturnType<typeof standIn.sendInvite> | null
  const [leg] = await ringingLegs(1, () => {
    call = standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: 'after-loss' }))
  })
  t.equal(leg?.uri, 'sip:anna@pbx.example.com', 'once reconnected, the owner can be rung again')
  standIn.cancel(call!)
  t.equal(statusOf(await call!.final()), 487)
})
