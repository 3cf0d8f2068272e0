import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pino from 'pino'
import t from 'tap'
import { App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { freshSchema, MONDAY_11_MSK, request } from '../helpers/test-app.js'
import { switchableRole } from './read-only-role.js'

const SPRING_LINE = '+74951234567'
const NEWCOMER = '+79035550101'
const IVAN = '+79161234567'

/** A whole server on the given database, schema and DATA_DIR, with the demo rules' clock; stopped at teardown unless the test stops it. */
async function server(t: Parameters<typeof freshSchema>[0], env: Record<string, string> & { DATA_DIR: string }, schema: string) {
  const config = loadConfig({ RULES_WATCH: 'false', DEMO_DATA: 'true', ...env })
  const app = await App.create({ config, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), dbSchema: schema, now: () => MONDAY_11_MSK })
  let stopped = false
  const stop = async () => {
    if (!stopped) await app.stop()
    stopped = true
  }
  t.teardown(stop)
  await app.prepare()
  await app.server.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return { app, url, stop }
}

/** A call from `caller` that nobody answers. */
async function missedCall(url: string, callId: string, caller: string) {
  await request(`${url}/v1/route`, { method: 'POST', body: { caller, dialed: SPRING_LINE, callId } })
  await request(`${url}/v1/interactions/${callId}/ended`, { method: 'POST', body: { outcome: 'missed' } })
}

t.test('a read-only database: /ready says so, nothing is lost, and records, leads and tasks are written once it is writable', async (t) => {
  const role = await switchableRole(t)
  const { app, url } = await server(t, { DATABASE_URL: role.url, DB_TIMEOUT_MS: '500', DATA_DIR: t.testdir() }, role.schema)
  t.equal((await request(`${url}/v1/demo-data`, { method: 'POST' })).status, 201)
  t.equal((await request(`${url}/ready`)).status, 200)

  await role.readOnly(true)
  for (let i = 0; i < 10; i++) await missedCall(url, `ro-${i}`, NEWCOMER)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const notReady = await request(`${url}/ready`)
  t.equal(notReady.status, 503)
  t.match(notReady.body.checks.database, { ok: false, detail: /read-only|not writable/ })

  await role.readOnly(false)
  await app.calls.flush()
  await app.workflows.settled()
  await app.calls.flush()
  const db = app.database.db
  const calls = await db.selectFrom('calls').select(['id', 'lead_id']).where('id', 'like', 'ro-%').execute()
  t.equal(calls.length, 10, 'every call record')
  const leads = await db.selectFrom('leads').select('id').where('phone', '=', NEWCOMER).execute()
  t.equal(leads.length, 1, 'the lead')
  const tasks = await db.selectFrom('tasks').select(['status', 'attempts']).where('lead_id', '=', leads[0]!.id).execute()
  t.same(tasks, [{ status: 'open', attempts: 10 }], 'its call-back task, counting every missed call')
  t.equal((await request(`${url}/ready`)).status, 200, 'ready again')
})

t.test('records past the queue wait in the journal file through a restart and are written by the next start', async (t) => {
  const proxy = await startTcpProxy(5432)
  t.teardown(() => proxy.close())
  const schema = await freshSchema(t)
  const env = { DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/test`, DB_TIMEOUT_MS: '300', CALL_RECORDS_MAX_QUEUE: '100', CALL_RECORDS_SHUTDOWN_MS: '300', DATA_DIR: t.testdir() }
  const first = await server(t, env, schema)
  t.equal((await request(`${first.url}/v1/demo-data`, { method: 'POST' })).status, 201)

  proxy.down()
  for (let i = 0; i < 150; i++) await missedCall(first.url, `j-${i}`, IVAN)
  await first.stop()
  const journal = (await readFile(join(env.DATA_DIR, 'call-records.journal'), 'utf8')).trim().split('\n')
  // A call still open at the in-progress turn is there twice (in progress, then ended).
  const ended = new Set(journal.map((line) => JSON.parse(line)).filter((record) => record.outcome !== null).map((record) => record.id))
  t.equal(ended.size, 150, 'every record is in the journal file, none dropped')

  proxy.up()
  const second = await server(t, env, schema)
  await second.app.calls.flush()
  const rows = await second.app.database.db.selectFrom('calls').select(['id', 'customer_id']).where('id', 'like', 'j-%').execute()
  t.equal(rows.length, 150, 'the next start wrote them all')
  t.ok(rows.every((row) => row.customer_id !== null), 'each linked to the customer the outage hid')
  t.equal((await readFile(join(env.DATA_DIR, 'call-records.journal'), 'utf8')).length, 0, 'and emptied the journal')
})

t.test('a customer created while the database refuses writes answers a coded 503, not a 500', async (t) => {
  const role = await switchableRole(t)
  const { url } = await server(t, { DATABASE_URL: role.url, DB_TIMEOUT_MS: '500', DATA_DIR: t.testdir() }, role.schema)
  await role.readOnly(true)
  // The first request may meet a pooled connection the role switch just closed: that is a 503 of its own kind.
  let created = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Пётр Волков', phones: [{ phone: '+79035550177' }] } })
  for (let i = 0; i < 5 && created.body.error === 'CTI_ERR_DB_UNAVAILABLE'; i++) {
    created = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Пётр Волков', phones: [{ phone: '+79035550177' }] } })
  }
  t.equal(created.status, 503)
  t.equal(created.body.error, 'CTI_ERR_DB_NOT_WRITABLE')
  t.match(created.body.message, /refuses writes/)
  await role.readOnly(false)
  t.equal((await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Пётр Волков', phones: [{ phone: '+79035550177' }] } })).status, 201)
})
