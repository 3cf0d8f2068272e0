import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { openDatabase, type CrmDatabase } from '../../src/crm/database.js'
import { migrate } from '../../src/crm/migrate.js'
import { isConnectionError } from '../../src/errors.js'
import { CallerIdentifier } from '../../src/identify/identify-caller.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { freshSchema, MIGRATIONS, TEST_DATABASE_URL } from '../helpers/test-app.js'

const CUSTOMERS = 2000
const phoneOf = (i: number) => `+7916${String(4_000_000 + i)}`

/** A migrated schema holding CUSTOMERS customers with one phone each, opened with small pools. */
async function crm(t: Test, o: { url?: string; poolSize: number; identifyPoolSize: number; timeoutMs: number }): Promise<CrmDatabase> {
  const schema = await freshSchema(t)
  const setup = await openDatabase({ url: TEST_DATABASE_URL, dataDir: '', poolSize: 2, timeoutMs: 5000, schema })
  await migrate(setup.db, MIGRATIONS)
  await sql`insert into customers (id, name) select i, 'Customer ' || i from generate_series(1, ${CUSTOMERS}) i`.execute(setup.db)
  await sql`insert into customer_phones (phone, customer_id) select '+7916' || (4000000 + i), i from generate_series(1, ${CUSTOMERS}) i`.execute(setup.db)
  await setup.close()
  const database = await openDatabase({ url: o.url ?? TEST_DATABASE_URL, dataDir: '', poolSize: o.poolSize, identifyPoolSize: o.identifyPoolSize, timeoutMs: o.timeoutMs, schema })
  t.teardown(() => database.close())
  return database
}

/** Keeps every connection of the main pool busy with slow queries (and more waiting) until stopped. */
function saturate(db: CrmDatabase['db'], queries: number): () => Promise<void> {
  let stopped = false
  const loops = Array.from({ length: queries }, async () => {
    while (!stopped) {
      // Those that wait past the connect timeout fail: expected, the pool is full on purpose.
      await sql`select pg_sleep(0.3)`.execute(db).catch((err: unknown) => void err)
    }
  })
  return async () => {
    stopped = true
    await Promise.all(loops)
  }
}

t.test('2,000 callers at once with the main pool saturated by slow queries: every known customer is identified', async (t) => {
  const database = await crm(t, { poolSize: 2, identifyPoolSize: 2, timeoutMs: 150 })
  const stop = saturate(database.db, 6)
  await new Promise((resolve) => setTimeout(resolve, 50))
  const identifier = new CallerIdentifier(database.identify, 'RU', 0, { lookupsAtOnce: 2 })
  const started = Date.now()
  const results = await Promise.allSettled(Array.from({ length: CUSTOMERS }, (_, i) => identifier.identify(phoneOf(i + 1))))
  const elapsed = Date.now() - started
  await stop()
  const failed = results.filter((r) => r.status === 'rejected')
  const unknown = results.filter((r) => r.status === 'fulfilled' && r.value.customer === null)
  t.equal(failed.length, 0, `no lookup failed (${failed.length}; first: ${failed[0] && String((failed[0] as PromiseRejectedResult).reason)})`)
  t.equal(unknown.length, 0, 'no known customer taken for a new caller')
  t.ok(results.every((r, i) => r.status === 'fulfilled' && r.value.customer?.id === String(i + 1)), 'each caller is their own customer')
  t.comment(`2,000 lookups through 2 connections in ${elapsed} ms, far past the 150 ms connect timeout, none failed`)
})

t.test('a burst bigger than the identification pool waits its turn rather than timing out', async (t) => {
  const database = await crm(t, { poolSize: 2, identifyPoolSize: 1, timeoutMs: 100 })
  const identifier = new CallerIdentifier(database.identify, 'RU', 0, { lookupsAtOnce: 1 })
  const started = Date.now()
  const results = await Promise.allSettled(Array.from({ length: CUSTOMERS }, (_, i) => identifier.identify(phoneOf(i + 1))))
  const elapsed = Date.now() - started
  t.ok(elapsed > 100, `the last lookup waited ${elapsed} ms, longer than the 100 ms connect timeout`)
  t.equal(results.filter((r) => r.status === 'rejected').length, 0, 'none failed')
  t.equal(results.filter((r) => r.status === 'fulfilled' && r.value.customer !== null).length, CUSTOMERS)
})

t.test('callers of the same number at the same time share one lookup', async (t) => {
  const database = await crm(t, { poolSize: 2, identifyPoolSize: 2, timeoutMs: 1000 })
  let queries = 0
  const counted = database.identify.withPlugin({
    transformQuery: (args) => (queries++, args.node),
    transformResult: async (args) => args.result
  })
  const identifier = new CallerIdentifier(counted, 'RU', 0, { lookupsAtOnce: 2 })
  const results = await Promise.all(Array.from({ length: 50 }, () => identifier.identify(phoneOf(7))))
  t.ok(results.every((r) => r.customer?.id === '7'))
  t.equal(queries, 1, 'one query for 50 callers')
})

t.test('a real outage still degrades quickly: running and waiting lookups fail at once, and recover when it returns', async (t) => {
  const proxy = await startTcpProxy(5432)
  t.teardown(() => proxy.close())
  const url = TEST_DATABASE_URL.replace(/:5432\//, `:${proxy.port}/`)
  const database = await crm(t, { url, poolSize: 2, identifyPoolSize: 2, timeoutMs: 300 })
  const identifier = new CallerIdentifier(database.identify, 'RU', 0, { lookupsAtOnce: 2 })
  t.equal((await identifier.identify(phoneOf(1))).customer?.id, '1', 'identifies through the proxy')
  proxy.down()
  const started = Date.now()
  const results = await Promise.allSettled(Array.from({ length: 500 }, (_, i) => identifier.identify(phoneOf(i + 2))))
  const elapsed = Date.now() - started
  t.ok(results.every((r) => r.status === 'rejected' && isConnectionError(r.reason)), 'every lookup fails as "database unreachable": the router routes them degraded')
  t.ok(elapsed < 1500, `all 500 failed within ${elapsed} ms: not one connect timeout after another`)
  const fresh = Date.now()
  const during = await identifier.identify(phoneOf(600)).then(
    () => 'identified',
    (err: unknown) => (isConnectionError(err) ? 'unreachable' : String(err))
  )
  t.equal(during, 'unreachable', 'a new lookup during the outage fails too')
  t.ok(Date.now() - fresh < 1000, `and fast (${Date.now() - fresh} ms)`)
  proxy.up()
  let back = false
  for (let i = 0; i < 50 && !back; i++) {
    back = await identifier.identify(phoneOf(700)).then((r) => r.customer?.id === '700', () => false)
    if (!back) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.ok(back, 'identifies again once the database is back')
})
