import t from 'tap'
import { adapterOnStandIn } from './adapter-harness.js'
import { until } from './ami-harness.js'

t.test("a call-back originates the agent's leg through the agents context, then the customer's number", async (t) => {
  const { standIn, adapter, lifecycle } = await adapterOnStandIn(t)
  const placed = await adapter.placeCallBack({ phone: '+79161234567' })
  t.match(placed, { agentId: 'a-anna', phone: '+79161234567', ringSeconds: 20 })
  const originate = standIn.actions.find((a) => a.name === 'originate')!
  t.match(originate.fields, { channel: 'Local/1001@cti-agents', context: 'cti-outbound', exten: '79161234567', priority: '1', async: 'true' })
  t.match(originate.fields.variable, /CTI_CALLBACK=1/)

  standIn.emit('OriginateResponse', [['Privilege', 'call,all'], ['ActionID', originate.fields.actionid!], ['Response', 'Success'], ['Channel', 'Local/1001@cti-agents-0000000c;1'], ['Context', 'cti-outbound'], ['Exten', '79161234567'], ['Reason', '4'], ['Uniqueid', '1795376800.40'], ['CallerIDNum', '+79161234567'], ['CallerIDName', 'Call-back']])
  await until(() => lifecycle.of('answered').length === 1)
  standIn.emit('Hangup', [['Privilege', 'call,all'], ['Channel', 'Local/1001@cti-agents-0000000c;1'], ['Uniqueid', '1795376800.40'], ['Linkedid', '1795376800.40'], ['Cause', '16'], ['Cause-txt', 'Normal Clearing']])
  await until(() => lifecycle.of('ended').length === 1)
  t.match(lifecycle.of('route')[0], ['route', placed.callId, '+79161234567'])
})

t.test('an agent who does not take the call-back is replaced by the next', async (t) => {
  const { standIn, adapter, lifecycle } = await adapterOnStandIn(t)
  await adapter.placeCallBack({ phone: '+79161234567' })
  const first = standIn.actions.find((a) => a.name === 'originate')!
  standIn.emit('OriginateResponse', [['Privilege', 'call,all'], ['ActionID', first.fields.actionid!], ['Response', 'Failure'], ['Channel', 'Local/1001@cti-agents'], ['Reason', '3'], ['Uniqueid', '<null>']])
  await until(() => standIn.actions.filter((a) => a.name === 'originate').length === 2)
  t.match(lifecycle.of('failed')[0], ['failed', /^cb-/, 'a-anna', 'ring-timeout'])
  t.match(standIn.actions.filter((a) => a.name === 'originate')[1]!.fields, { channel: 'Local/1002@cti-agents' })
})

t.test('an Originate that Asterisk refuses is reported to the requester, and the call ends as failed', async (t) => {
  const { standIn, adapter, lifecycle } = await adapterOnStandIn(t)
  standIn.override('originate', (fields) => `Response: Error\r\nActionID: ${fields.actionid}\r\nMessage: Originate failed\r\n\r\n`)
  await t.rejects(adapter.placeCallBack({ phone: '+79161234567' }), { code: 'CTI_ERR_AMI_REFUSED', httpStatus: 502 })
  t.match(lifecycle.of('ended')[0], ['ended', /^cb-/, { outcome: 'failed' }])
})

t.test('with Asterisk unreachable, a call-back is refused at once as unavailable', async (t) => {
  const { standIn, adapter } = await adapterOnStandIn(t)
  await standIn.close()
  await until(async () => !(await adapter.ready()).ok)
  await t.rejects(adapter.placeCallBack({ phone: '+79161234567' }), { code: 'CTI_ERR_AMI_UNAVAILABLE', httpStatus: 503 })
})

t.test("an agent's leg that rang unanswered (OriginateResponse Reason 0 of a Local channel) is a ring timeout", async (t) => {
  const { standIn, adapter, lifecycle } = await adapterOnStandIn(t)
  await adapter.placeCallBack({ phone: '+79161234567' })
  const first = standIn.actions.find((a) => a.name === 'originate')!
  // As Asterisk 22.10 sends it when the Local channel's Dial gave up after the ring time.
  standIn.emit('OriginateResponse', [['Privilege', 'call,all'], ['ActionID', first.fields.actionid!], ['Response', 'Failure'], ['Channel', 'Local/1001@cti-agents'], ['Context', 'cti-outbound'], ['Exten', '79161234567'], ['Reason', '0'], ['Uniqueid', '<unknown>'], ['CallerIDNum', '+79161234567'], ['CallerIDName', 'Call-back']])
  await until(() => lifecycle.of('failed').length === 1)
  t.match(lifecycle.of('failed')[0], ['failed', /^cb-/, 'a-anna', 'ring-timeout'])
})

t.test('a call-back whose channel vanished without a Hangup is ended by the periodic channel check', async (t) => {
  const { standIn, adapter, lifecycle } = await adapterOnStandIn(t, 0, { reconcileSeconds: 1 })
  await adapter.placeCallBack({ phone: '+79161234567' })
  const originate = standIn.actions.find((a) => a.name === 'originate')!
  const leg = standIn.newChannel({ name: 'Local/1001@cti-agents-0000000c;1', callerNum: '+79161234567', context: 'cti-outbound', exten: '79161234567' })
  standIn.emit('OriginateResponse', [['Privilege', 'call,all'], ['ActionID', originate.fields.actionid!], ['Response', 'Success'], ['Channel', leg.name], ['Context', 'cti-outbound'], ['Exten', '79161234567'], ['Reason', '4'], ['Uniqueid', leg.uniqueid], ['CallerIDNum', '+79161234567'], ['CallerIDName', 'Call-back']])
  await until(() => lifecycle.of('answered').length === 1)
  standIn.vanish(leg)
  await until(() => lifecycle.of('ended').length === 1, 4000)
  t.match(lifecycle.of('ended')[0], ['ended', /^cb-/, { cause: /no Hangup/ }])
})
