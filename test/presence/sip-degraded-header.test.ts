import { randomBytes } from 'node:crypto'
import t from 'tap'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { request } from '../helpers/test-app.js'
import { sipDemo } from '../telephony/sip/sip-fixture.js'
import { header, invite, statusOf } from '../telephony/sip/sip-text.js'
import { deleteKeys, eventually, TEST_REDIS_URL } from './cluster.js'

const IVAN = '"Ivan Petrov" <sip:+79161234567@127.0.0.1:5090>;tag=ivan'
const SPRING_LINE = '+74951234567'

t.test('a 302 routed while Redis is unreachable tells the PBX so in X-Route-Degraded', async (t) => {
  const proxy = await startTcpProxy(Number(new URL(TEST_REDIS_URL).port || 6379))
  t.teardown(() => proxy.close())
  const prefix = `cti-test-${randomBytes(4).toString('hex')}:`
  t.teardown(() => deleteKeys(prefix))
  const sip = await sipDemo(t, { SIP_MODE: 'redirect', REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_KEY_PREFIX: prefix })
  await eventually(async () => (await request(`${sip.url}/ready`)).status === 200, 10_000, 'ready with Redis')

  const healthy = await sip.standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: 'redirect-healthy' })).final()
  t.equal(statusOf(healthy), 302)
  t.equal(header(healthy, 'X-Route-Degraded'), undefined, 'nothing to report while Redis confirms')

  proxy.down()
  await eventually(async () => (await request(`${sip.url}/ready`)).status === 503, 5_000, '/ready says degraded')
  const degraded = await sip.standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: 'redirect-degraded' })).final()
  t.equal(statusOf(degraded), 302, 'the call is still redirected to its agents')
  t.equal(header(degraded, 'X-Route-Degraded'), 'redis')
  proxy.up()
})
