import t from 'tap'
import { amiTestApp, CALLERS, nthAction, SPRING_CRM_LINE, until } from './ami-harness.js'

/** How many CoreShowChannels actions the stand-in has received so far. */
function channelLists(standIn: { actions: { name: string }[] }): number {
  return standIn.actions.filter((a) => a.name === 'coreshowchannels').length
}

t.test('a call whose Hangup never arrives is ended by the periodic channel check: agent released, record written', async (t) => {
  const { standIn, records, clock, app } = await amiTestApp(t, { AMI_RECONCILE_SECONDS: '1' })
  const caller = standIn.newChannel({ callerNum: CALLERS.ivan })
  standIn.routeRequest(caller, SPRING_CRM_LINE)
  await nthAction(standIn, 'Redirect')
  const phone = standIn.dialBegin(caller, 'PJSIP/1001')
  standIn.answer(caller, phone, 'PJSIP/1001')
  await until(() => app.agents.get('a-anna')?.state.status === 'busy')

  // Five seconds of talk, seen alive by a check; then both channels go without a single event.
  clock.now += 5000
  const checks = channelLists(standIn)
  await until(() => channelLists(standIn) > checks, 3000)
  standIn.vanish(phone)
  standIn.vanish(caller)

  await until(async () => (await records()).length === 1, 4000)
  const [record] = await records()
  t.match(record, { id: caller.linkedid, outcome: 'answered', agent_id: 'a-anna', end_cause: /no Hangup/ })
  t.equal(Number(record!.talk_seconds), 5, 'ended when it was last seen alive')
  t.not(app.agents.get('a-anna')?.state.status, 'busy', 'the agent is released')
})

t.test('the periodic check leaves calls in progress alone', async (t) => {
  const { standIn, records, app } = await amiTestApp(t, { AMI_RECONCILE_SECONDS: '1' })
  const caller = standIn.newChannel({ callerNum: CALLERS.ivan })
  standIn.routeRequest(caller, SPRING_CRM_LINE)
  await nthAction(standIn, 'Redirect')
  const phone = standIn.dialBegin(caller, 'PJSIP/1001')
  standIn.answer(caller, phone, 'PJSIP/1001')
  const checks = channelLists(standIn)
  await until(() => channelLists(standIn) >= checks + 2, 4000)
  t.equal(app.agents.get('a-anna')?.state.status, 'busy', 'still talking')
  t.equal((await records()).filter((r) => r.outcome !== null).length, 0, 'no record ended')
})

t.test('a call routed while a channel list was on its way is not taken for gone', async (t) => {
  const { standIn, records, app } = await amiTestApp(t, { AMI_RECONCILE_SECONDS: '1' })
  // Asterisk builds the list before the new call exists; the route request overtakes the list on the wire.
  let caller: ReturnType<typeof standIn.newChannel> | undefined
  standIn.override('coreshowchannels', (fields) => {
    standIn.override('coreshowchannels', () => null)
    const list = standIn.channelList(fields.actionid ?? '')
    caller = standIn.newChannel({ callerNum: CALLERS.ivan })
    standIn.routeRequest(caller, SPRING_CRM_LINE)
    return list
  })
  await nthAction(standIn, 'Redirect')
  const checks = channelLists(standIn)
  await until(() => channelLists(standIn) >= checks + 1, 3000)
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal((await records()).filter((r) => r.outcome !== null).length, 0, 'the new call goes on')
  t.equal(app.agents.get('a-anna')?.state.status, 'ringing')
  standIn.hangup(caller!)
  await until(async () => (await records()).some((r) => r.outcome !== null))
})
