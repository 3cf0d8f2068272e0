import t from 'tap'
import { peakHourRulesDir } from '../queue-rules.js'
import { sipDemo } from './sip-fixture.js'
import { header, invite, statusOf } from './sip-text.js'

/** Redirect mode cannot hold a call: one that must wait goes to the PBX's park URI. */
const SPRING_LINE = '+74951234567'
const NEW_CALLER = '<sip:+79035550401@127.0.0.1:5090>;tag=park'

const sip = await sipDemo(t, { SIP_MODE: 'redirect', SIP_QUEUE_PARK_URI: 'sip:park@pbx.example.com', RULES_DIR: await peakHourRulesDir(t) })

t.test('with every seller away, a new caller is sent to the park URI (302) with the queue and position, and recorded as redirected', async (t) => {
  await sip.everyoneAvailable()
  for (const id of ['a-boris', 'a-dmitri']) await sip.setState(id, 'away')
  const call = sip.standIn.sendInvite(invite({ to: SPRING_LINE, from: NEW_CALLER, callId: 'park-new' }))
  const answer = await call.final()
  t.equal(statusOf(answer), 302)
  t.equal(header(answer, 'Contact'), '<sip:park@pbx.example.com>')
  t.equal(header(answer, 'X-Queue-Name'), 'sales')
  t.equal(header(answer, 'X-Queue-Position'), '1')
  const { call: record } = await sip.record('park-new')
  t.equal(record?.outcome, 'redirected')
})

t.test('a call parked at the PBX no longer waits here: a seller back from away is not reserved for it', async (t) => {
  await sip.everyoneAvailable()
  for (const id of ['a-boris', 'a-dmitri']) await sip.setState(id, 'away')
  const call = sip.standIn.sendInvite(invite({ to: SPRING_LINE, from: NEW_CALLER, callId: 'park-then-free' }))
  t.equal(statusOf(await call.final()), 302)
  await sip.setState('a-boris', 'available')
  await sip.record('park-then-free')
  t.equal(sip.app.agents.get('a-boris')?.state.status, 'available')
  t.equal(sip.app.agents.get('a-boris')?.state.activeCalls, 0)
})
