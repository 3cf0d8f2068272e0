import pino from 'pino'
import t, { type Test } from 'tap'
import { AmiClient } from '../../../src/telephony/ami/ami-client.js'
import { agentToken, request } from '../../helpers/test-app.js'
import { CALLERS, serverWithAmi, SPRING_CRM_LINE, until } from './ami-harness.js'

/**
 * Transfers and call-backs from the agent's page against a real Asterisk 22 running the shipped
 * sip-config/asterisk files with the test phones of sip-config/asterisk/testing/ (see
 * real-asterisk.test.ts for what it needs): set ASTERISK_AMI_TEST=host:port to run.
 */
const address = process.env.ASTERISK_AMI_TEST
if (!address) {
  t.comment('skipped: no real Asterisk configured (set ASTERISK_AMI_TEST=host:port to run against one)')
  t.pass('skipped: ASTERISK_AMI_TEST is not set')
} else {
  const [host, port] = address.split(':') as [string, string]
  const user = process.env.ASTERISK_AMI_USER ?? 'cti'
  const secret = process.env.ASTERISK_AMI_SECRET ?? 'cti-secret'
  const env = { AMI_HOST: host, AMI_PORT: port, AMI_USER: user, AMI_SECRET: secret, TRANSFER_RING_SECONDS: '5' }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  /** The trunk and the phones' switches: calls are Local channels originated into cti-inbound. */
  async function trunk(t: Test) {
    const client = new AmiClient({ host, port: Number(port), user, secret, logger: pino({ level: 'silent' }), actionTimeoutMs: 5000, reconnectMaxMs: 1000 })
    client.start()
    t.teardown(() => client.stop())
    await until(() => client.connected)
    return {
      call: (caller: string, dialed: string) => client.action({ Action: 'Originate', Channel: `Local/${dialed.replace('+', '')}@cti-inbound`, Application: 'Wait', Data: '60', CallerID: `"Test" <${caller}>`, Async: 'true' }),
      setGlobal: (name: string, value: string) => client.action({ Action: 'Setvar', Variable: name, Value: value })
    }
  }

  t.test('Anna transfers her call to Boris from the page: Boris answers, the record names him and keeps the transfer', async (t) => {
    const server = await serverWithAmi(t, env)
    const line = await trunk(t)
    const routedIds: string[] = []
    server.app.interactions.onEvent((event) => void (event.type === 'routed' && routedIds.push(event.callId)))
    for (const [name, value] of [['ANSWER_1001', 'yes'], ['TALK_1001', '30'], ['ANSWER_1002', 'yes'], ['TALK_1002', '2']] as const) await line.setGlobal(name, value)
    await line.call(CALLERS.ivan, SPRING_CRM_LINE)
    await until(() => server.app.agents.get('a-anna')?.state.status === 'busy', 20_000)
    const callId = routedIds[0]!
    const anna = await agentToken(server.url, 'a-anna')
    const started = Date.now()
    const res = await request(`${server.url}/v1/me/calls/${callId}/transfer`, { method: 'POST', headers: bearer(anna), body: { toAgentId: 'a-boris', note: 'wants a discount' } })
    t.equal(res.status, 202, JSON.stringify(res.body))
    t.equal(server.app.agents.get('a-anna')?.state.status, 'wrap-up', 'Anna is in wrap-up at once')
    await until(() => server.app.agents.get('a-boris')?.state.status === 'busy', 15_000)
    t.comment(`transfer → Boris talking: ${Date.now() - started} ms`)
    await until(async () => (await server.records()).some((r) => r.id === callId), 20_000)
    const record = (await server.records()).find((r) => r.id === callId)
    t.match(record, { outcome: 'answered', agent_id: 'a-boris', caller: CALLERS.ivan })
    const steps = await server.steps(callId)
    t.ok(steps.includes('transfer') && steps.includes('transfer-redirect'), steps.join(', '))
  })

  t.test('Boris does not answer: the call comes back to Anna, who answers again', async (t) => {
    const server = await serverWithAmi(t, env)
    const line = await trunk(t)
    const routedIds: string[] = []
    server.app.interactions.onEvent((event) => void (event.type === 'routed' && routedIds.push(event.callId)))
    for (const [name, value] of [['ANSWER_1001', 'yes'], ['TALK_1001', '30'], ['ANSWER_1002', 'no']] as const) await line.setGlobal(name, value)
    await line.call(CALLERS.ivan, SPRING_CRM_LINE)
    await until(() => server.app.agents.get('a-anna')?.state.status === 'busy', 20_000)
    const callId = routedIds[0]!
    const anna = await agentToken(server.url, 'a-anna')
    const res = await request(`${server.url}/v1/me/calls/${callId}/transfer`, { method: 'POST', headers: bearer(anna), body: { toAgentId: 'a-boris' } })
    t.equal(res.status, 202, JSON.stringify(res.body))
    await until(() => server.app.agents.get('a-boris')?.state.status === 'ringing', 5_000)
    await until(() => server.app.agents.get('a-anna')?.state.status === 'busy', 25_000)
    t.not(server.app.agents.get('a-boris')?.state.status, 'ringing', 'Boris is released')
    await line.setGlobal('TALK_1001', '3')
  })
}
