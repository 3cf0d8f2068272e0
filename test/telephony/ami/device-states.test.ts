import t from 'tap'
import { adapterOnStandIn } from './adapter-harness.js'
import { until } from './ami-harness.js'

t.test("an agent's phone in use makes them busy, and idle again makes them available", async (t) => {
  const { standIn, index } = await adapterOnStandIn(t)
  standIn.deviceState('PJSIP/1001', 'INUSE')
  await until(() => index.get('a-anna')?.state.status === 'busy')
  standIn.deviceState('PJSIP/1001', 'NOT_INUSE')
  await until(() => index.get('a-anna')?.state.status === 'available')
})

t.test('after a call the router did not place, the agent wraps up for the configured time', async (t) => {
  const { standIn, index } = await adapterOnStandIn(t, 1)
  standIn.deviceState('PJSIP/1001', 'INUSE')
  await until(() => index.get('a-anna')?.state.status === 'busy')
  standIn.deviceState('PJSIP/1001', 'NOT_INUSE')
  await until(() => index.get('a-anna')?.state.status === 'wrap-up')
  await until(() => index.get('a-anna')?.state.status === 'available', 3000)
})

t.test('an unregistered phone takes the agent offline; registered and idle brings them back', async (t) => {
  const { standIn, index } = await adapterOnStandIn(t)
  standIn.deviceState('PJSIP/1002', 'UNAVAILABLE')
  await until(() => index.get('a-boris')?.state.status === 'offline')
  standIn.deviceState('PJSIP/1002', 'NOT_INUSE')
  await until(() => index.get('a-boris')?.state.status === 'available')
})

t.test('a call the router placed is not counted again when the phone reports it', async (t) => {
  const { standIn, index } = await adapterOnStandIn(t)
  index.reserve('a-anna', Date.now())
  standIn.deviceState('PJSIP/1001', 'RINGING')
  standIn.deviceState('PJSIP/1001', 'INUSE')
  standIn.deviceState('PJSIP/1002', 'INUSE')
  await until(() => index.get('a-boris')?.state.status === 'busy')
  t.match(index.get('a-anna')?.state, { status: 'ringing', activeCalls: 1 })
})

t.test('an agent who chose away stays away when their phone goes idle', async (t) => {
  const { standIn, index } = await adapterOnStandIn(t)
  index.setAgentState('a-anna', 'away', Date.now())
  standIn.deviceState('PJSIP/1001', 'NOT_INUSE')
  standIn.deviceState('PJSIP/1002', 'UNAVAILABLE')
  await until(() => index.get('a-boris')?.state.status === 'offline')
  t.equal(index.get('a-anna')?.state.status, 'away')
})

t.test('states found by the re-sync after a reconnection are applied', async (t) => {
  const { standIn, index, adapter } = await adapterOnStandIn(t)
  standIn.dropConnections()
  standIn.devices.set('PJSIP/1002', 'INUSE')
  await until(() => standIn.logins >= 2)
  await adapter.whenSynced()
  await until(() => index.get('a-boris')?.state.status === 'busy')
})

t.test('a queue member paused in Asterisk is away until unpaused', async (t) => {
  const { standIn, index } = await adapterOnStandIn(t)
  const member = (paused: string): [string, string][] => [['Privilege', 'agent,all'], ['Queue', 'support'], ['MemberName', 'Anna'], ['Interface', 'PJSIP/1001'], ['StateInterface', 'PJSIP/1001'], ['Paused', paused], ['PausedReason', 'lunch']]
  standIn.emit('QueueMemberPause', member('1'))
  await until(() => index.get('a-anna')?.state.status === 'away')
  standIn.emit('QueueMemberPause', member('0'))
  await until(() => index.get('a-anna')?.state.status === 'available')
})
