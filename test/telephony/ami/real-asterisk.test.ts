import { connect, createServer, type Socket } from 'node:net'
import pino from 'pino'
import t, { type Test } from 'tap'
import { AmiClient } from '../../../src/telephony/ami/ami-client.js'
import { field, type AmiMessage } from '../../../src/telephony/ami/ami-message.js'
import { MONDAY_11_MSK, request, testApp } from '../../helpers/test-app.js'
import { CALLERS, seedCrm, serverWithAmi, SPRING_CRM_LINE, until } from './ami-harness.js'

/**
 * Against a real Asterisk 22 running the shipped sip-config/asterisk files, with
 * Local channels standing in for the trunk and the phones: set ASTERISK_AMI_TEST
 * to its AMI address (host:port), and ASTERISK_AMI_USER / ASTERISK_AMI_SECRET
 * (default cti / cti-secret). Its dialplan must also have the test contexts
 * [cti-test-phones] (extension answers after 1 s unless global ANSWER_<ext>=no)
 * and [cti-test-customers] (answers), with CTI_AGENT_TECH=Local,
 * CTI_AGENT_SUFFIX=@cti-test-phones, CTI_TRUNK_TECH=Local, CTI_TRUNK_SUFFIX=@cti-test-customers.
 * sip-config/asterisk/testing/ has that dialplan and the AMI logins, among them ASTERISK_AMI_LOSSY_USER
 * (default cti-lossy): the server's rights, but no Hangup event ever reaches it.
 */
const address = process.env.ASTERISK_AMI_TEST
if (!address) {
  t.comment('skipped: no real Asterisk configured (set ASTERISK_AMI_TEST=host:port to run against one)')
  t.pass('skipped: ASTERISK_AMI_TEST is not set')
} else {
  const [host, port] = address.split(':') as [string, string]
  const user = process.env.ASTERISK_AMI_USER ?? 'cti'
  const secret = process.env.ASTERISK_AMI_SECRET ?? 'cti-secret'
  const lossyUser = process.env.ASTERISK_AMI_LOSSY_USER ?? 'cti-lossy'
  const env = { AMI_HOST: host, AMI_PORT: port, AMI_USER: user, AMI_SECRET: secret }

  /** A second AMI session playing the trunk: an inbound call is a Local channel originated into cti-inbound. */
  async function trunk(t: Test) {
    const client = new AmiClient({ host, port: Number(port), user, secret, logger: pino({ level: 'silent' }), actionTimeoutMs: 5000, reconnectMaxMs: 1000 })
    client.start()
    t.teardown(() => client.stop())
    await until(() => client.connected)
    const hangups = new Map<string, number>()
    client.onEvent((event: AmiMessage) => {
      if (field(event, 'event') === 'Hangup') hangups.set(field(event, 'channel') ?? '', Date.now())
    })
    return {
      call: (caller: string, dialed: string, context = 'cti-inbound') =>
        client.action({ Action: 'Originate', Channel: `Local/${dialed.replace('+', '')}@${context}`, Application: 'Wait', Data: '40', CallerID: `"Test" <${caller}>`, Async: 'true' }),
      setGlobal: (name: string, value: string) => client.action({ Action: 'Setvar', Variable: name, Value: value }),
      /** When the trunk saw the Hangup of a channel whose name starts so, if it did. */
      hungUpAt: (prefix: string) => [...hangups].find(([name]) => name.startsWith(prefix))?.[1]
    }
  }

  t.test("a known customer's call is redirected to the owner, who answers: one answered call record", async (t) => {
    const server = await serverWithAmi(t, env)
    const line = await trunk(t)
    await line.setGlobal('ANSWER_1001', 'yes')
    await line.call(CALLERS.ivan, SPRING_CRM_LINE)
    await until(async () => (await server.records()).some((r) => r.outcome !== null), 20_000)
    const rows = await server.records()
    t.equal(rows.length, 1)
    t.match(rows[0], { outcome: 'answered', agent_id: 'a-anna', caller: CALLERS.ivan })
    t.match(await server.steps(rows[0]!.id), ['routed', 'offered', 'ringing', 'answered', 'ended'])
  })

  t.test('the owner does not answer: the next agent is offered and answers', { timeout: 60_000 }, async (t) => {
    const server = await serverWithAmi(t, env)
    const line = await trunk(t)
    await line.setGlobal('ANSWER_1001', 'no')
    t.teardown(() => line.setGlobal('ANSWER_1001', 'yes'))
    await line.call(CALLERS.ivan, SPRING_CRM_LINE)
    await until(async () => (await server.records()).some((r) => r.outcome !== null), 45_000)
    const [row] = await server.records()
    t.match(row, { outcome: 'answered', agent_id: 'a-fedor' })
    t.match(await server.steps(row!.id), ['routed', 'offered', 'ringing', 'offer-failed', 'offered', 'ringing', 'answered', 'ended'])
  })

  /** A loopback proxy to the AMI whose connections the test can cut, and refuse for a while. */
  async function cuttableProxy(t: Test) {
    const sockets = new Set<Socket>()
    let refusing = false
    const proxy = createServer((client) => {
      if (refusing) return void client.destroy()
      const upstream = connect(Number(port), host)
      for (const s of [client, upstream]) {
        sockets.add(s)
        s.on('error', () => s.destroy())
        s.on('close', () => (sockets.delete(s), client.destroy(), upstream.destroy()))
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    t.teardown(() => new Promise<void>((resolve) => (proxy.close(() => resolve()), sockets.forEach((s) => s.destroy()))))
    const address = proxy.address()
    return {
      port: String(typeof address === 'object' && address ? address.port : 0),
      cut(forMs: number) {
        refusing = true
        for (const s of sockets) s.destroy()
        setTimeout(() => (refusing = false), forMs)
      }
    }
  }

  t.test('the AMI connection cut while the agent answers: reconnect, re-sync, one answered record', async (t) => {
    const proxy = await cuttableProxy(t)
    const server = await serverWithAmi(t, { ...env, AMI_PORT: proxy.port, AMI_HOST: '127.0.0.1' })
    const line = await trunk(t)
    await line.setGlobal('ANSWER_1001', 'yes')
    await line.call(CALLERS.ivan, SPRING_CRM_LINE)
    await until(() => server.app.agents.get('a-anna')?.state.status === 'ringing', 10_000)
    // Away for 2 s: the phone answers after 1 s, so the answer happens while the server is not listening.
    proxy.cut(2000)
    await until(async () => (await server.records()).some((r) => r.outcome !== null), 20_000)
    const rows = await server.records()
    t.equal(rows.length, 1, 'one record')
    t.match(rows[0], { outcome: 'answered', agent_id: 'a-anna' })
  })

  t.test('nobody available: the call goes to the final action (voicemail) and is recorded as missed', async (t) => {
    const server = await serverWithAmi(t, env)
    const line = await trunk(t)
    for (const id of ['a-anna', 'a-boris', 'a-fedor']) await request(`${server.url}/v1/agents/${id}/state`, { method: 'PUT', body: { state: 'away' } })
    await line.call(CALLERS.ivan, SPRING_CRM_LINE)
    await until(async () => (await server.records()).some((r) => r.outcome !== null), 20_000)
    const [row] = await server.records()
    t.match(row, { outcome: 'missed', final_action: /^voicemail/ })
  })

  t.test('a call-back rings the owner first, then the customer', async (t) => {
    const server = await serverWithAmi(t, env)
    const line = await trunk(t)
    await line.setGlobal('ANSWER_1001', 'yes')
    const placed = await request(`${server.url}/v1/callbacks`, { method: 'POST', body: { phone: CALLERS.ivan } })
    t.equal(placed.status, 202)
    t.match(placed.body, { agentId: 'a-anna' })
    await until(async () => (await server.records()).some((r) => r.outcome !== null), 20_000)
    const [row] = await server.records()
    t.match(row, { id: placed.body.callId, direction: 'outbound', outcome: 'answered', agent_id: 'a-anna' })
  })

  t.test('a call-back the owner lets ring is a ring timeout, and the next agent takes it', { timeout: 60_000 }, async (t) => {
    const server = await serverWithAmi(t, env)
    const line = await trunk(t)
    await line.setGlobal('ANSWER_1001', 'no')
    t.teardown(() => line.setGlobal('ANSWER_1001', 'yes'))
    const placed = await request(`${server.url}/v1/callbacks`, { method: 'POST', body: { phone: CALLERS.ivan } })
    t.match(placed.body, { agentId: 'a-anna' })
    await until(async () => (await server.records()).some((r) => r.outcome !== null), 45_000)
    const [row] = await server.records()
    t.match(row, { id: placed.body.callId, outcome: 'answered' })
    t.not(row!.agent_id, 'a-anna')
    const failed = await server.app.database.db.selectFrom('call_events').select('data').where('call_id', '=', placed.body.callId).where('kind', '=', 'offer-failed').executeTakeFirst()
    t.match(failed?.data, { why: 'ring-timeout' }, 'Reason 0 of the unanswered Local channel')
  })

  t.test("agents' states follow their phones", async (t) => {
    const server = await serverWithAmi(t, env)
    const line = await trunk(t)
    await line.setGlobal('ANSWER_1002', 'yes')
    // A call straight to Boris's phone, not placed by the router.
    const direct = new AmiClient({ host, port: Number(port), user, secret, logger: pino({ level: 'silent' }), actionTimeoutMs: 5000, reconnectMaxMs: 1000 })
    direct.start()
    t.teardown(() => direct.stop())
    await until(() => direct.connected)
    await direct.action({ Action: 'Originate', Channel: 'Local/1002@cti-test-phones', Application: 'Wait', Data: '3', Async: 'true' })
    await until(() => server.app.agents.get('a-boris')?.state.status === 'busy', 10_000)
    await until(() => server.app.agents.get('a-boris')?.state.status !== 'busy', 15_000)
    t.pass('a-boris went busy with his phone and left busy when it hung up')
  })

  t.test('Hangup events lost while the connection stays up: the channel check ends the call, releases the agent, writes the record', { timeout: 60_000 }, async (t) => {
    const server = await serverWithAmi(t, { ...env, AMI_USER: lossyUser, AMI_RECONCILE_SECONDS: '1' })
    // The server's clock runs at the real pace from here, so that the talk time means something.
    const [base, started] = [server.clock.now, Date.now()]
    const ticking = setInterval(() => (server.clock.now = base + Date.now() - started), 5)
    t.teardown(() => clearInterval(ticking))
    const line = await trunk(t)
    await line.setGlobal('ANSWER_1001', 'yes')
    await line.call(CALLERS.ivan, SPRING_CRM_LINE)
    await until(() => server.app.agents.get('a-anna')?.state.status === 'busy', 10_000)
    // The phone hangs up after 3 s of talk; the server never hears a Hangup.
    await until(() => line.hungUpAt('Local/74951234567@cti-inbound') !== undefined, 15_000)
    const gone = line.hungUpAt('Local/74951234567@cti-inbound')!
    await until(() => server.app.agents.get('a-anna')?.state.status !== 'busy', 5000)
    const released = Date.now()
    await until(async () => (await server.records()).some((r) => r.outcome !== null), 5000)
    const [row] = await server.records()
    t.match(row, { outcome: 'answered', agent_id: 'a-anna', end_cause: /no Hangup/ })
    t.ok(Number(row!.talk_seconds) >= 2 && Number(row!.talk_seconds) <= 5, `talk time near the 3 s the phone talked (${row!.talk_seconds} s)`)
    t.comment(`agent released ${released - gone} ms after the channel was gone (checks every 1 s)`)
    t.ok(released - gone < 3000)
  })

  /** A server without AMI for the CURL dialplan: Asterisk asks it over HTTP. */
  async function curlServer(t: Test) {
    // Monday 11:00 in Moscow (business hours), running at the real pace.
    const started = Date.now()
    const server = await testApp(t, { AMI_DIAL_TEMPLATE: 'Local/{extension}@cti-test-phones' }, { now: () => MONDAY_11_MSK + Date.now() - started })
    await seedCrm(server.url)
    const line = await trunk(t)
    await line.setGlobal('CTI_HTTP_URL', server.url)
    await line.setGlobal('CTI_HTTP_TOKEN', '')
    const db = server.app.database.db
    const records = async () => {
      await server.app.calls.flush()
      return db.selectFrom('calls').selectAll().where('channel', '=', 'ami').execute()
    }
    const steps = async (id: string) => {
      await server.app.calls.flush()
      return (await db.selectFrom('call_events').selectAll().where('call_id', '=', id).orderBy('id').execute()).map((e) => e.kind)
    }
    return { ...server, line, records, steps }
  }

  t.test('the CURL dialplan reports answered and ended: one answered record, and nobody else reserved meanwhile', { timeout: 60_000 }, async (t) => {
    const server = await curlServer(t)
    await server.line.setGlobal('ANSWER_1001', 'yes')
    await server.line.setGlobal('TALK_1001', '25')
    t.teardown(() => server.line.setGlobal('TALK_1001', ''))
    await server.line.call(CALLERS.ivan, SPRING_CRM_LINE, 'cti-inbound-curl')
    await until(() => server.app.agents.get('a-anna')?.state.status === 'busy', 10_000)
    // Past the 20 s ring time, while Anna talks: the server reserved nobody else.
    await new Promise((resolve) => setTimeout(resolve, 21_000))
    t.equal(server.app.agents.get('a-anna')?.state.status, 'busy')
    t.same(['a-boris', 'a-fedor'].map((id) => server.app.agents.get(id)?.state.status), ['available', 'available'])
    await until(async () => (await server.records()).some((r) => r.outcome !== null), 15_000)
    const [row] = await server.records()
    t.match(row, { outcome: 'answered', agent_id: 'a-anna', caller: CALLERS.ivan })
    t.ok(Number(row!.talk_seconds) >= 24 && Number(row!.talk_seconds) <= 27, `talk time ${row!.talk_seconds} s`)
    t.match(await server.steps(row!.id), ['routed', 'offered', 'answered', 'ended'])
  })

  t.test('the CURL dialplan reports no answer and dials the next agent the server answers', { timeout: 60_000 }, async (t) => {
    const server = await curlServer(t)
    await server.line.setGlobal('ANSWER_1001', 'no')
    t.teardown(() => server.line.setGlobal('ANSWER_1001', 'yes'))
    await server.line.call(CALLERS.ivan, SPRING_CRM_LINE, 'cti-inbound-curl')
    await until(async () => (await server.records()).some((r) => r.outcome !== null), 45_000)
    const [row] = await server.records()
    t.match(row, { outcome: 'answered', agent_id: 'a-fedor' })
    t.match(await server.steps(row!.id), ['routed', 'offered', 'offer-failed', 'offered', 'answered', 'ended'])
  })
}
