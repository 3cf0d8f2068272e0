import { spawn } from 'node:child_process'
import { once } from 'node:events'
import net from 'node:net'
import t from 'tap'
import pino from 'pino'
import { App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { childEnv } from '../helpers/child-env.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { freshSchema, request, testApp } from '../helpers/test-app.js'

t.test('health and readiness on a migrated database', async (t) => {
  const { url } = await testApp(t)
  t.same((await request(`${url}/health`)).body, { status: 'ok' })
  const ready = await request(`${url}/ready`)
  t.equal(ready.status, 200)
  t.equal(ready.body.ready, true)
  t.same(ready.body.checks.database, { ok: true, detail: 'postgres' })
  t.equal(ready.body.checks.rules.ok, true)
})

t.test('the embedded default starts with no database configured and answers', async (t) => {
  const dataDir = t.testdir()
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: childEnv({ DATABASE_URL: '', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', RULES_WATCH: 'false' }),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => {
    child.kill('SIGTERM')
  })
  const url = `http://127.0.0.1:${port}`
  const ready = await waitFor(async () => (await request(`${url}/ready`).catch(() => ({ status: 0, body: null }))))
  t.equal(ready.status, 200)
  t.equal(ready.body.checks.database.detail, 'pglite')
  const created = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Ivan', phones: [{ phone: '+79161234567' }] } })
  t.equal(created.status, 201)
  t.equal((await request(`${url}/v1/customers/by-phone/89161234567/card`)).body.customer.name, 'Ivan')
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  t.equal(code, 0, 'a clean shutdown on SIGTERM')
})

t.test('a wrong setting stops start-up naming the variable', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: childEnv({ PORT: 'eighty', DEFAULT_COUNTRY: 'Russia' }),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const [code] = await once(child, 'exit')
  t.equal(code, 2)
  t.match(stderr, /PORT="eighty": expected a TCP port/)
  t.match(stderr, /DEFAULT_COUNTRY="Russia": expected an ISO 3166 two-letter country code/)
})

t.test('the database going away: not ready, fast 503s, and recovery when it returns', async (t) => {
  const proxy = await startTcpProxy(5432)
  t.teardown(() => proxy.close())
  const schema = await freshSchema(t)
  const config = loadConfig({ DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/test`, DB_TIMEOUT_MS: '500', RULES_WATCH: 'false' })
  const app = await App.create({ config, logger: pino({ level: 'silent' }), dbSchema: schema })
  await app.prepare()
  await app.server.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.stop())
  const address = app.server.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

  t.equal((await request(`${url}/ready`)).status, 200)
  proxy.down()
  const notReady = await request(`${url}/ready`)
  t.equal(notReady.status, 503)
  t.equal(notReady.body.checks.database.ok, false)
  const started = Date.now()
  const failed = await request(`${url}/v1/customers/by-phone/+79161234567/card`)
  t.equal(failed.status, 503)
  t.equal(failed.body.error, 'CTI_ERR_DB_UNAVAILABLE')
  t.ok(Date.now() - started < 10_000, 'fails instead of hanging')

  proxy.up()
  const back = await waitFor(() => request(`${url}/ready`))
  t.equal(back.status, 200, 'ready again without a restart')
  t.equal((await request(`${url}/v1/customers/by-phone/+79161234567/card`)).status, 404)
})

async function freePort(): Promise<number> {
  const server = net.createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as net.AddressInfo).port
  server.close()
  return port
}

async function waitFor<T extends { status: number }>(probe: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last = await probe()
  while (last.status !== 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    last = await probe()
  }
  return last
}

t.test('the demo data endpoint is closed on an external database unless enabled', async (t) => {
  const { url } = await testApp(t)
  t.equal((await request(`${url}/v1/demo-data`, { method: 'POST' })).status, 404)
})
