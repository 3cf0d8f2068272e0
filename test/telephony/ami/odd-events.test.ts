import t from 'tap'
import { adapterOnStandIn } from './adapter-harness.js'
import { until } from './ami-harness.js'

t.test('a message that is neither event nor response is ignored with a log line, and calls go on', async (t) => {
  const { standIn, lifecycle, logged } = await adapterOnStandIn(t)
  standIn.sendRaw('Garbage line without a colon\r\nAnother: field\r\n\r\n')
  standIn.sendRaw('Event: SomethingAsteriskInvents\r\nPrivilege: call,all\r\nFoo: bar\r\n\r\n')
  await until(() => logged('AMI message that is neither a response nor an event; ignored'))
  const caller = standIn.newChannel({ callerNum: '+79161234567' })
  standIn.routeRequest(caller, '+74951234567')
  await until(() => lifecycle.of('route').length === 1)
})

t.test('a route request without Channel or Uniqueid is refused with a log line, not routed', async (t) => {
  const { standIn, lifecycle, logged } = await adapterOnStandIn(t)
  standIn.emit('UserEvent', [['Privilege', 'user,all'], ['UserEvent', 'CtiRoute'], ['Caller', '+79161234567']])
  await until(() => logged('route request without Channel/Uniqueid; ignored'))
  t.equal(lifecycle.of('route').length, 0)
})

t.test('a route request seen twice routes the call once', async (t) => {
  const { standIn, lifecycle, logged } = await adapterOnStandIn(t)
  const caller = standIn.newChannel({ callerNum: '+79161234567' })
  standIn.routeRequest(caller, '+74951234567')
  standIn.routeRequest(caller, '+74951234567')
  await until(() => logged('route request for a call already routed; duplicate ignored'))
  t.equal(lifecycle.of('route').length, 1)
  t.equal(standIn.actions.filter((a) => a.name === 'redirect').length, 1)
})

t.test('a Hangup before DialEnd: the late answer still counts, the call ends once, and a second Hangup changes nothing', async (t) => {
  const { standIn, lifecycle, logged } = await adapterOnStandIn(t)
  const caller = standIn.newChannel({ callerNum: '+79161234567' })
  standIn.routeRequest(caller, '+74951234567')
  await until(() => standIn.actions.some((a) => a.name === 'redirect'))
  const phone = standIn.dialBegin(caller, 'PJSIP/1001')
  standIn.hangup(caller)
  standIn.answer(caller, phone, 'PJSIP/1001')
  standIn.emit('Hangup', [['Privilege', 'call,all'], ...standIn.channelFields(caller), ['Cause', '16'], ['Cause-txt', 'Normal Clearing']])
  await until(() => logged('hangup of a call already ended; duplicate ignored'))
  await until(() => lifecycle.of('ended').length === 1)
  t.match(lifecycle.of('answered'), [['answered', caller.linkedid, 'a-anna']], 'the answer that came after the Hangup counts')
  t.match(lifecycle.of('ended')[0], ['ended', caller.linkedid, { outcome: undefined, cause: '16 Normal Clearing' }])
  // Once the call has ended, what comes about it is dropped with a log line.
  standIn.emit('DialEnd', [['Privilege', 'call,all'], ...standIn.channelFields(caller), ...standIn.channelFields(phone, 'Dest'), ['DialStatus', 'ANSWER']])
  await until(() => logged('event of a call already ended (out of order); ignored'))
  t.equal(lifecycle.of('ended').length, 1)
  t.equal(lifecycle.of('answered').length, 1)
})

t.test('events about channels nobody routed are ignored', async (t) => {
  const { standIn, lifecycle } = await adapterOnStandIn(t)
  const stranger = standIn.newChannel({ callerNum: '100' })
  const phone = standIn.dialBegin(stranger, 'PJSIP/1001')
  standIn.answer(stranger, phone, 'PJSIP/1001')
  standIn.hangup(stranger)
  standIn.emit('DialEnd', [['Privilege', 'call,all'], ['DialStatus', 'ANSWER']])
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(lifecycle.calls, [])
})

t.test('a dial result for an agent who is not offered now is ignored with a log line', async (t) => {
  const { standIn, lifecycle, logged } = await adapterOnStandIn(t)
  const caller = standIn.newChannel({ callerNum: '+79161234567' })
  standIn.routeRequest(caller, '+74951234567')
  await until(() => standIn.actions.some((a) => a.name === 'redirect'))
  const phone = standIn.dialBegin(caller, 'PJSIP/1001')
  standIn.noAnswer(caller, phone, 'PJSIP/1001', '1001')
  await until(() => lifecycle.of('failed').length === 1)
  // Replayed: the owner's failure again while Boris is being offered.
  standIn.emit('UserEvent', [['Privilege', 'user,all'], ...standIn.channelFields(caller), ['UserEvent', 'CtiDialResult'], ['Status', 'NOANSWER'], ['Agent', '1001']])
  await until(() => logged('dial result for an agent not offered now; ignored'))
  t.equal(lifecycle.of('failed').length, 1)
  t.match(standIn.actions.filter((a) => a.name === 'redirect').map((a) => a.fields.exten), ['1001', '1002'], 'Boris reached through the user part of his SIP URI')
})
