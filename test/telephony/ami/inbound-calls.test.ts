import t from 'tap'
import { amiTestApp, CALLERS, nthAction, SPRING_CRM_LINE, until } from './ami-harness.js'

t.test('a known customer is redirected to their owner, and the answered call is recorded with its talk time', async (t) => {
  const { standIn, records, steps, clock, app } = await amiTestApp(t)
  const caller = standIn.newChannel({ callerNum: CALLERS.ivan, callerName: 'Ivan Petrov' })
  standIn.routeRequest(caller, SPRING_CRM_LINE)

  const redirect = await nthAction(standIn, 'Redirect')
  t.match(redirect.fields, { channel: caller.name, context: 'cti-agents', exten: '1001', priority: '1' }, 'owner a-anna at extension 1001')
  t.match(standIn.channels.get(caller.name)!.vars.get('CTI_RING'), '20', 'the ring time is set on the channel first')

  const phone = standIn.dialBegin(caller, 'PJSIP/1001')
  standIn.answer(caller, phone, 'PJSIP/1001')
  await until(() => app.agents.get('a-anna')?.state.status === 'busy')
  clock.now += 42_000
  standIn.hangup(phone)
  standIn.hangup(caller)

  await until(async () => (await records()).length === 1)
  const [record] = await records()
  t.match(record, { id: caller.linkedid, channel: 'ami', outcome: 'answered', agent_id: 'a-anna', caller: CALLERS.ivan })
  t.equal(Number(record!.talk_seconds), 42)
  t.match(await steps(caller.linkedid), ['routed', 'offered', 'ringing', 'answered', 'ended'])
})

t.test('when the owner does not answer, the next agent is offered', async (t) => {
  const { standIn, records } = await amiTestApp(t)
  const caller = standIn.newChannel({ callerNum: CALLERS.ivan })
  standIn.routeRequest(caller, SPRING_CRM_LINE)
  await nthAction(standIn, 'Redirect')
  const phone = standIn.dialBegin(caller, 'PJSIP/1001')
  standIn.noAnswer(caller, phone, 'PJSIP/1001', '1001')

  const second = await nthAction(standIn, 'Redirect', 2)
  t.match(second.fields, { channel: caller.name, context: 'cti-agents', exten: '1006' }, 'the support team (a-fedor) next')
  const fedor = standIn.dialBegin(caller, 'PJSIP/1006')
  standIn.answer(caller, fedor, 'PJSIP/1006')
  standIn.hangup(caller)
  await until(async () => (await records()).length === 1)
  t.match((await records())[0], { outcome: 'answered', agent_id: 'a-fedor' })
})

t.test('a caller who hangs up while waiting is recorded as abandoned', async (t) => {
  const { standIn, records } = await amiTestApp(t)
  const caller = standIn.newChannel({ callerNum: CALLERS.stranger })
  standIn.routeRequest(caller, SPRING_CRM_LINE)
  await nthAction(standIn, 'Redirect')
  standIn.hangup(caller, 16, 'Normal Clearing')
  await until(async () => (await records()).length === 1)
  t.match((await records())[0], { id: caller.linkedid, outcome: 'abandoned', end_cause: '16 Normal Clearing' })
})

t.test('a Redirect that Asterisk refuses (channel gone) ends the call as failed, with the reason', async (t) => {
  const { standIn, records, steps } = await amiTestApp(t)
  const caller = standIn.newChannel({ callerNum: CALLERS.ivan })
  standIn.override('redirect', (fields) => `Response: Error\r\nActionID: ${fields.actionid}\r\nMessage: Channel does not exist: ${fields.channel}\r\n\r\n`)
  standIn.routeRequest(caller, SPRING_CRM_LINE)
  await until(async () => (await records()).length === 1)
  const [record] = await records()
  t.match(record, { outcome: 'failed', end_cause: /Channel does not exist/ })
  t.ok((await steps(caller.linkedid)).includes('redirect-failed'))
  standIn.hangup(caller)
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal((await records()).length, 1, 'the later Hangup adds nothing')
})

t.test('a dropped AMI connection: calls that ended meanwhile are closed, calls that arrived meanwhile are routed, none twice', async (t) => {
  const { standIn, records, app } = await amiTestApp(t)
  const first = standIn.newChannel({ callerNum: CALLERS.stranger })
  standIn.routeRequest(first, SPRING_CRM_LINE)
  await nthAction(standIn, 'Redirect')

  standIn.dropConnections()
  // While the server is away: the first caller hangs up, a second one arrives and waits.
  standIn.channels.delete(first.name)
  const second = standIn.newChannel({ callerNum: CALLERS.ivan })
  second.vars.set('CTI_DIALED', SPRING_CRM_LINE)
  second.context = 'cti-wait'

  await until(() => standIn.logins >= 2)
  await app.ami!.whenSynced()
  const redirect = await nthAction(standIn, 'Redirect', 2)
  t.match(redirect.fields, { channel: second.name, exten: '1001' }, 'the call that arrived meanwhile is routed to its owner')

  // The UserEvent of a route request seen again after the re-sync changes nothing.
  standIn.routeRequest(second, SPRING_CRM_LINE)
  standIn.hangup(second)
  await until(async () => (await records()).length === 2)
  const rows = await records()
  t.same(rows.map((r) => [r.id, r.outcome]).sort(), [[first.linkedid, 'abandoned'], [second.linkedid, 'abandoned']].sort())
  t.equal(standIn.actions.filter((a) => a.name === 'redirect').length, 2, 'no second Redirect for the duplicate')
})

t.test('a Redirect lost with the connection is sent again once the re-sync finds the call still waiting', async (t) => {
  const { standIn, records, app } = await amiTestApp(t)
  // Asterisk takes the Redirect but the connection drops before it answers.
  standIn.override('redirect', () => {
    standIn.override('redirect', () => null)
    setImmediate(() => standIn.dropConnections())
    return ''
  })
  const caller = standIn.newChannel({ callerNum: CALLERS.ivan })
  standIn.routeRequest(caller, SPRING_CRM_LINE)
  await until(() => standIn.logins >= 2)
  await app.ami!.whenSynced()
  const again = await nthAction(standIn, 'Redirect', 2)
  t.match(again.fields, { channel: caller.name, exten: '1001' }, 'the same agent, again')
  const phone = standIn.dialBegin(caller, 'PJSIP/1001')
  standIn.answer(caller, phone, 'PJSIP/1001')
  standIn.hangup(caller)
  await until(async () => (await records()).length === 1)
  t.match((await records())[0], { outcome: 'answered', agent_id: 'a-anna' })
})

t.test('a caller Asterisk knows no name for ("<unknown>") is routed with no name, so the CRM\'s name is used', async (t) => {
  const { standIn, app } = await amiTestApp(t)
  const names: (string | null)[] = []
  app.interactions.onEvent((event) => void (event.type === 'routed' && names.push(event.request.callerName)))
  const caller = standIn.newChannel({ callerNum: CALLERS.ivan, callerName: '<unknown>' })
  standIn.routeRequest(caller, SPRING_CRM_LINE)
  await nthAction(standIn, 'Redirect')
  t.same(names, [null])
})
