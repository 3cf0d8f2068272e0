import pino from 'pino'
import t, { type Test } from 'tap'
import { AmiClient } from '../../../src/telephony/ami/ami-client.js'
import { field, type AmiMessage } from '../../../src/telephony/ami/ami-message.js'
import { peakHourRulesDir } from '../queue-rules.js'
import { serverWithAmi, SPRING_CRM_LINE, until } from './ami-harness.js'

/**
 * Waiting calls in a real Asterisk 22 running the shipped dialplan with sip-config/asterisk/testing/
 * (see real-asterisk.test.ts for the set-up): calls wait in [cti-queue-hold], which announces the
 * position and wait the server set on the channel (seen here as its CtiQueueAnnounce UserEvents),
 * and are Redirected to the seller who frees up. Runs with ASTERISK_AMI_TEST set; skips otherwise.
 */
const address = process.env.ASTERISK_AMI_TEST
const IVAN = '+79161234567'
const stranger = (n: number) => `+7903555${String(n).padStart(4, '0')}`

if (!address) {
  t.comment('skipped: no real Asterisk configured (set ASTERISK_AMI_TEST=host:port to run against one)')
  t.pass('skipped: ASTERISK_AMI_TEST is not set')
} else {
  const [host, port] = address.split(':') as [string, string]
  const user = process.env.ASTERISK_AMI_USER ?? 'cti'
  const secret = process.env.ASTERISK_AMI_SECRET ?? 'cti-secret'
  t.setTimeout(120_000)

  /** A second AMI session playing the trunk, which also hears the holding context's announcements. */
  async function trunk(t: Test) {
    const client = new AmiClient({ host, port: Number(port), user, secret, logger: pino({ level: 'silent' }), actionTimeoutMs: 5000, reconnectMaxMs: 1000 })
    client.start()
    // At the end the phones talk their default time again and every test channel hangs up, so the next test finds them idle.
    t.teardown(async () => {
      for (const ext of ['1001', '1002']) await client.action({ Action: 'Setvar', Variable: `TALK_${ext}`, Value: '' }).catch(() => undefined)
      await client.action({ Action: 'Hangup', Channel: '/^Local\\//' }).catch(() => undefined)
      client.stop()
    })
    await until(() => client.connected)
    const announced: { caller: string; channel: string; position: string; wait: string }[] = []
    client.onEvent((event: AmiMessage) => {
      if (field(event, 'event') !== 'UserEvent' || field(event, 'userevent') !== 'CtiQueueAnnounce') return
      announced.push({ caller: field(event, 'calleridnum') ?? '', channel: field(event, 'channel') ?? '', position: field(event, 'position') ?? '', wait: field(event, 'wait') ?? '' })
    })
    const setGlobal = (name: string, value: string) => client.action({ Action: 'Setvar', Variable: name, Value: value })
    return {
      announced,
      setGlobal,
      call: (caller: string, wait = 60) =>
        client.action({ Action: 'Originate', Channel: `Local/${SPRING_CRM_LINE.replace('+', '')}@cti-inbound`, Application: 'Wait', Data: String(wait), CallerID: `"Test" <${caller}>`, Async: 'true' }),
      hangUp: (channel: string) => client.action({ Action: 'Hangup', Channel: channel }),
      lastAnnounced: (caller: string) => announced.filter((a) => a.caller === caller).at(-1)
    }
  }

  /** The peak-hour server on this Asterisk, and both sellers (1001, 1002) on calls of `talk` seconds. */
  async function sellersTalking(t: Test, talk: [number, number]) {
    const server = await serverWithAmi(t, { AMI_HOST: host, AMI_PORT: port, AMI_USER: user, AMI_SECRET: secret, RULES_DIR: await peakHourRulesDir(t, { announceEvery: '10s' }), WRAP_UP_SECONDS: '0' })
    const line = await trunk(t)
    for (const [ext, seconds] of [['1001', talk[0]], ['1002', talk[1]]] as const) {
      await line.setGlobal(`ANSWER_${ext}`, 'yes')
      await line.setGlobal(`TALK_${ext}`, String(seconds))
    }
    await line.call(stranger(1))
    await until(() => server.app.agents.get('a-anna')?.state.status === 'busy' || server.app.agents.get('a-boris')?.state.status === 'busy', 15_000)
    await line.call(stranger(2))
    await until(() => ['a-anna', 'a-boris'].every((id) => server.app.agents.get(id)?.state.status === 'busy'), 15_000)
    return { server, line }
  }

  t.test('both sellers talking: callers wait in the holding context with their position announced; the known customer goes first to the seller who frees up', { timeout: 110_000 }, async (t) => {
    const started = Date.now()
    const { server, line } = await sellersTalking(t, [12, 100])
    await line.call(stranger(3))
    await until(() => line.lastAnnounced(stranger(3))?.position === '1', 15_000)
    t.match(line.lastAnnounced(stranger(3)), { position: '1', wait: /^\d+$/ }, 'the first caller hears they are next')
    await line.call(IVAN)
    await until(() => line.lastAnnounced(IVAN)?.position === '1', 15_000)
    t.pass('the known customer hears they are next')
    await until(() => line.lastAnnounced(stranger(3))?.position === '2', 15_000)
    t.pass('the first caller hears they are second now, without being moved')
    // The seller whose call ends first (after 12 s of talk) takes Ivan; the other talks on.
    const freedFrom = Date.now()
    await until(() => server.app.router.positions().size === 1, 40_000)
    const servedAfter = Date.now() - freedFrom
    t.equal([...server.app.router.positions().values()][0]?.priority, 0, 'the one still waiting is the new caller, not Ivan')
    await until(() => line.lastAnnounced(stranger(3))?.position === '1', 15_000)
    t.pass('the new caller hears they are next again')
    await until(async () => (await server.records()).some((r) => r.caller === IVAN && r.outcome !== null), 40_000)
    const ivan = (await server.records()).find((r) => r.caller === IVAN)!
    t.match(ivan, { outcome: 'answered' })
    t.ok(['a-anna', 'a-boris'].includes(ivan.agent_id ?? ''), `answered by ${ivan.agent_id}`)
    const steps = await server.steps(ivan.id)
    t.ok(steps.includes('queued') && steps.indexOf('queued') < steps.lastIndexOf('offered'), `waited, then offered: ${steps.join(', ')}`)
    t.comment(`Ivan served ${servedAfter} ms after the first seller's 12 s call could end; the scene took ${Date.now() - started} ms`)
  })

  t.test('a caller who hangs up while waiting in the holding context is recorded as abandoned', { timeout: 60_000 }, async (t) => {
    const { server, line } = await sellersTalking(t, [40, 40])
    await line.call(stranger(4))
    await until(() => line.lastAnnounced(stranger(4)) !== undefined, 15_000)
    await line.hangUp(line.lastAnnounced(stranger(4))!.channel)
    await until(async () => (await server.records()).some((r) => r.caller === stranger(4) && r.outcome !== null), 15_000)
    const row = (await server.records()).find((r) => r.caller === stranger(4))
    t.match(row, { outcome: 'abandoned' })
    t.equal(server.app.router.positions().size, 0, 'nobody waits any more')
  })
}
