import t from 'tap'
import { loadConfig } from '../../../src/config.js'
import { AgentDirectory } from '../../../src/telephony/ami/agent-directory.js'
import { deviceOf } from '../../../src/telephony/ami/channel-name.js'

t.test('a channel name gives its device', async (t) => {
  t.equal(deviceOf('PJSIP/1001-0000002a'), 'PJSIP/1001')
  t.equal(deviceOf('PJSIP/trunk-provider-00000001'), 'PJSIP/trunk-provider')
  t.equal(deviceOf('Local/1001@cti-agents-0000000c;1'), 'Local/1001@cti-agents')
  t.equal(deviceOf('Local/100@incoming-00000008;2'), 'Local/100@incoming')
  t.equal(deviceOf('PJSIP/1001'), 'PJSIP/1001', 'a device name stays as it is')
})

t.test("an agent is found by their extension on any technology, or by their SIP URI's user part", async (t) => {
  const directory = new AgentDirectory()
  directory.load([
    { id: 'a-anna', name: 'Anna', sipUri: null, extension: '1001', team: null, capacity: 1, active: true, skills: {} },
    { id: 'a-boris', name: 'Boris', sipUri: 'sip:1002@pbx.example.com', extension: null, team: null, capacity: 1, active: true, skills: {} },
    { id: 'a-gone', name: 'Gone', sipUri: null, extension: '1009', team: null, capacity: 1, active: false, skills: {} }
  ])
  t.equal(directory.byDeviceName('PJSIP/1001'), 'a-anna')
  t.equal(directory.byDeviceName('SIP/1001'), 'a-anna')
  t.equal(directory.byDeviceName('Local/1001@cti-test-phones'), 'a-anna')
  t.equal(directory.byExten('1002'), 'a-boris')
  t.equal(directory.line('a-boris')?.extension, '1002')
  t.equal(directory.byExten('1009'), undefined, 'inactive agents are left out')
  t.equal(directory.byDeviceName('PJSIP/7777'), undefined)
})

t.test('an agent whose extension changes is found under the new one only', async (t) => {
  const directory = new AgentDirectory()
  const anna = { id: 'a-anna', name: 'Anna', sipUri: null, extension: '1001', team: null, capacity: 1, active: true, skills: {} }
  directory.set(anna)
  directory.set({ ...anna, extension: '2001' })
  t.equal(directory.byExten('1001'), undefined)
  t.equal(directory.byExten('2001'), 'a-anna')
})

t.test('AMI settings: off without AMI_HOST; with it, user and secret are required', async (t) => {
  t.equal(loadConfig({}).AMI_HOST, undefined)
  t.throws(() => loadConfig({ AMI_HOST: '127.0.0.1' }), { message: /AMI_USER=[\s\S]*AMI_SECRET=/ })
  const config = loadConfig({ AMI_HOST: '127.0.0.1', AMI_USER: 'cti', AMI_SECRET: 's3cret' })
  t.match(config, { AMI_PORT: 5038, AMI_AGENTS_CONTEXT: 'cti-agents', AMI_WAIT_CONTEXT: 'cti-wait' })
  const err = (() => {
    try {
      loadConfig({ AMI_HOST: 'h', AMI_USER: 'cti', AMI_SECRET: 'hidden-value', AMI_PORT: 'x' })
    } catch (e) {
      return e as Error
    }
  })()
  t.match(err?.message, /AMI_PORT/)
  t.notMatch(err?.message, /hidden-value/, 'the secret never appears in messages')
})
