import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import pino from 'pino'
import t, { type Test } from 'tap'
import { isAdminPath } from '../../src/api/admin-auth.js'
import { App } from '../../src/app.js'
import { ConfigError, loadConfig } from '../../src/config.js'
import { openPage } from '../screenpop/fixtures/page-client.js'
import { freshSchema, request, TEST_DATABASE_URL } from '../helpers/test-app.js'

const ADMIN_TOKEN = 'admin-7f3c9a1e5b2d4f60'
const MONDAY_11_MSK = Date.parse('2026-11-23T11:00:00+03:00')

/** A whole server whose every log line (debug and up) is kept for the test to read. */
async function loggedApp(t: Test, env: Record<string, string>) {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    }
  })
  const schema = await freshSchema(t)
  const config = loadConfig({ DATABASE_URL: TEST_DATABASE_URL, RULES_WATCH: 'false', DEMO_DATA: 'true', ...env })
  const app = await App.create({ config, logger: pino({ level: 'debug' }, stream), dbSchema: schema, now: () => MONDAY_11_MSK })
  t.teardown(() => app.stop())
  await app.prepare()
  await app.server.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(app.server.server.address() as AddressInfo).port}`
  return { app, url, lines }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('which paths are admin endpoints', async (t) => {
  for (const path of ['/v1/customers/1', '/v1/customers/by-phone/x/card', '/v1/agents', '/v1/agents/a-anna/token', '/v1/agents/states', '/v1/lines', '/v1/rules', '/v1/route', '/v1/route/explain', '/v1/interactions/c/ended', '/v1/demo-data', '/v1/mentions', '/v1/agents/socket/x']) {
    t.ok(isAdminPath(path), path)
  }
  for (const path of ['/health', '/ready', '/v1/agents/socket', '/v1/me', '/v1/me/calls', '/v1']) t.notOk(isAdminPath(path), path)
})

t.test('with ADMIN_TOKEN: admin endpoints need the bearer token, agent and health endpoints do not', async (t) => {
  const { url } = await loggedApp(t, { ADMIN_TOKEN })

  const none = await request(`${url}/v1/agents`)
  t.equal(none.status, 401)
  t.same(none.body, { error: 'CTI_ERR_UNAUTHORIZED', message: 'send the admin token as Authorization: Bearer <ADMIN_TOKEN>' })
  const wrong = await request(`${url}/v1/agents`, { headers: bearer(`${ADMIN_TOKEN}x`) })
  t.same(wrong, { status: 401, body: { error: 'CTI_ERR_UNAUTHORIZED', message: 'the bearer token is not the admin token' } })
  t.equal((await request(`${url}/v1/agents`, { headers: { authorization: ADMIN_TOKEN } })).status, 401, 'the scheme is required')
  t.equal((await request(`${url}/v1/agents`, { headers: { authorization: `Basic ${ADMIN_TOKEN}` } })).status, 401)

  // demo:load's request: refused without the token, accepted with it.
  t.equal((await request(`${url}/v1/demo-data`, { method: 'POST' })).status, 401)
  t.equal((await request(`${url}/v1/demo-data`, { method: 'POST', headers: bearer(ADMIN_TOKEN) })).status, 201)

  const admin = { headers: bearer(ADMIN_TOKEN) }
  const refusedWithout: [string, string, unknown?][] = [
    ['GET', '/v1/customers/1'],
    ['GET', '/v1/customers/by-phone/+79161234567/card'],
    ['POST', '/v1/customers', { name: 'X' }],
    ['GET', '/v1/agents/a-anna'],
    ['PUT', '/v1/agents/a-new', { name: 'New', extension: '100' }],
    ['GET', '/v1/agents/states'],
    ['PUT', '/v1/agents/a-anna/state', { state: 'away' }],
    ['POST', '/v1/agents/a-anna/token'],
    ['GET', '/v1/lines'],
    ['GET', '/v1/rules'],
    ['POST', '/v1/route', { caller: '+79161234567', dialed: '+74951234567' }],
    ['POST', '/v1/route/explain', { caller: '+79161234567' }],
    ['POST', '/v1/interactions/c-1/ended'],
    ['GET', '/v1/no-such-endpoint']
  ]
  for (const [method, path, body] of refusedWithout) {
    t.equal((await request(`${url}${path}`, { method, body })).status, 401, `${method} ${path} without the token`)
  }
  t.equal((await request(`${url}/v1/agents/a-anna`, admin)).status, 200)
  t.equal((await request(`${url}/v1/agents/states`, { headers: { authorization: `bearer  ${ADMIN_TOKEN} ` } })).status, 200, 'the scheme in any case')
  t.equal((await request(`${url}/v1/route/explain`, { ...admin, method: 'POST', body: { caller: '+79161234567', dialed: '+74951234567' } })).status, 200)
  t.equal((await request(`${url}/v1/no-such-endpoint`, admin)).status, 404)

  t.equal((await request(`${url}/health`)).status, 200)
  t.equal((await request(`${url}/ready`)).status, 200)
  for (const path of ['/v1/me', '/v1/me/tasks']) {
    const res = await request(`${url}${path}`)
    t.notMatch(String(res.body?.message), /ADMIN_TOKEN|admin token/, `${path}: agents' own paths are left to their routes`)
  }

  // The agent page authenticates with its agent token, not the admin's.
  const agentToken = (await request(`${url}/v1/agents/a-anna/token`, { ...admin, method: 'POST' })).body.token
  const page = await openPage(url, { token: agentToken })
  t.teardown(() => page.socket.close())
  t.match(await page.next((m) => m.type === 'hello'), { type: 'hello', agentId: 'a-anna' })
})

t.test('neither the admin token nor a wrong one reaches the log', async (t) => {
  const { url, lines } = await loggedApp(t, { ADMIN_TOKEN })
  const wrongToken = 'not-the-admin-token-4a1b2c'
  await request(`${url}/v1/agents`, { headers: bearer(wrongToken) })
  await request(`${url}/v1/agents`, { headers: bearer(ADMIN_TOKEN) })
  await request(`${url}/v1/nothing`, { headers: bearer(ADMIN_TOKEN) })
  const log = lines.join('\n')
  t.match(log, /admin request refused/)
  t.notMatch(log, ADMIN_TOKEN)
  t.notMatch(log, wrongToken)
  t.notMatch(log, /ADMIN_TOKEN is not set/)
})

t.test('without ADMIN_TOKEN the endpoints stay open and start-up warns', async (t) => {
  const { url, lines } = await loggedApp(t, {})
  t.equal((await request(`${url}/v1/agents`)).status, 200)
  t.equal((await request(`${url}/v1/demo-data`, { method: 'POST' })).status, 201)
  const warning = lines.map((l) => JSON.parse(l)).find((l) => /ADMIN_TOKEN is not set/.test(l.msg))
  t.match(warning, { level: 40, msg: /admin endpoints .* are open to anyone/ })
})

t.test('a short ADMIN_TOKEN is refused at start-up without being shown', async (t) => {
  const err = t.throws(() => loadConfig({ ADMIN_TOKEN: 'secret123' })) as ConfigError
  t.same(err.problems, ['ADMIN_TOKEN=(hidden, 9 characters): expected a secret of at least 16 characters, no spaces: admin endpoints then require Authorization: Bearer <ADMIN_TOKEN>'])
})
