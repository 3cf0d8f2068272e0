import t from 'tap'
import { amiTestApp, CALLERS, nthAction, SPRING_CRM_LINE, until } from './ami-harness.js'

t.test('a call that vanished while AMI was away ends at the last event seen for it, not at the reconnect', async (t) => {
  const { standIn, records, clock, app } = await amiTestApp(t)
  const caller = standIn.newChannel({ callerNum: CALLERS.ivan })
  standIn.routeRequest(caller, SPRING_CRM_LINE)
  await nthAction(standIn, 'Redirect')
  const phone = standIn.dialBegin(caller, 'PJSIP/1001')
  standIn.answer(caller, phone, 'PJSIP/1001')
  await until(() => app.agents.get('a-anna')?.state.status === 'busy')
  const answeredAt = clock.now

  // Half a second of talk: the agent's leg leaves the bridge, then the connection drops before the Hangups.
  clock.now += 500
  standIn.emit('BridgeLeave', [['Privilege', 'call,all'], ['BridgeUniqueid', phone.bridgeId], ...standIn.channelFields(phone)])
  await new Promise((resolve) => setTimeout(resolve, 50))
  standIn.dropConnections()
  standIn.vanish(phone)
  standIn.vanish(caller)
  clock.now += 92_000

  await until(() => standIn.logins >= 2)
  await app.ami!.whenSynced()
  await until(async () => (await records()).length === 1)
  const [record] = await records()
  t.match(record, { outcome: 'answered', agent_id: 'a-anna' })
  t.equal(Number(record!.talk_seconds), 0.5, 'half a second of talk, not 92.5 s')
  t.equal(new Date(record!.ended_at!).getTime(), answeredAt + 500)
})

t.test("a call whose DialEnd, BridgeEnter and dial result arrive after the caller's Hangup is recorded as answered", async (t) => {
  const { standIn, records, steps } = await amiTestApp(t)
  const caller = standIn.newChannel({ callerNum: CALLERS.ivan })
  standIn.routeRequest(caller, SPRING_CRM_LINE)
  await nthAction(standIn, 'Redirect')
  const phone = standIn.dialBegin(caller, 'PJSIP/1001')
  const late = [...standIn.channelFields(caller)]
  standIn.hangup(caller)
  standIn.answer({ ...caller }, phone, 'PJSIP/1001')
  standIn.emit('UserEvent', [['Privilege', 'user,all'], ...late, ['UserEvent', 'CtiDialResult'], ['Status', 'ANSWER'], ['Agent', '1001']])

  await until(async () => (await records()).length === 1)
  const [record] = await records()
  t.match(record, { id: caller.linkedid, outcome: 'answered', agent_id: 'a-anna', end_cause: '16 Normal Clearing' })
  t.match(await steps(caller.linkedid), ['routed', 'offered', 'ringing', 'answered', 'ended'])
})
