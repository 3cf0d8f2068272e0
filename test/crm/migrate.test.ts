import t from 'tap'
import { sql } from 'kysely'
import { openDatabase } from '../../src/crm/database.js'
import { migrate, pendingMigrations } from '../../src/crm/migrate.js'
import { freshSchema, MIGRATIONS, TEST_DATABASE_URL } from '../helpers/test-app.js'

t.test('applies every migration once and records it', async (t) => {
  const schema = await freshSchema(t)
  const database = await openDatabase({ url: TEST_DATABASE_URL, dataDir: '', poolSize: 2, timeoutMs: 2000, schema })
  t.teardown(() => database.close())
  const first = await migrate(database.db, MIGRATIONS)
  t.ok(first.applied.includes('001_crm.sql'))
  t.same(await pendingMigrations(database.db, MIGRATIONS), [])
  const second = await migrate(database.db, MIGRATIONS)
  t.same(second.applied, [], 'running again applies nothing')
  t.ok(second.alreadyApplied.includes('001_crm.sql'))
})

t.test('two processes migrating at once do not collide', async (t) => {
  const schema = await freshSchema(t)
  const open = () => openDatabase({ url: TEST_DATABASE_URL, dataDir: '', poolSize: 2, timeoutMs: 2000, schema })
  const [a, b] = await Promise.all([open(), open()])
  t.teardown(async () => {
    await a.close()
    await b.close()
  })
  const [ra, rb] = await Promise.all([migrate(a.db, MIGRATIONS), migrate(b.db, MIGRATIONS)])
  t.equal(ra.applied.length + rb.applied.length, ra.applied.length + ra.alreadyApplied.length, 'each file applied exactly once')
})

t.test('the embedded database runs the same migrations', async (t) => {
  const dataDir = t.testdir()
  const database = await openDatabase({ dataDir, poolSize: 1, timeoutMs: 2000 })
  t.teardown(() => database.close())
  const result = await migrate(database.db, MIGRATIONS)
  t.ok(result.applied.includes('001_crm.sql'))
  t.same((await migrate(database.db, MIGRATIONS)).applied, [])
  await database.db.insertInto('customers').values({ name: 'Ivan', overdue_amount: 10.5 }).execute()
  const row = await database.db.selectFrom('customers').select(['id', 'overdue_amount']).executeTakeFirstOrThrow()
  t.same(row, { id: 1, overdue_amount: 10.5 }, 'bigint and numeric come back as numbers, as on PostgreSQL')
})

t.test('long work such as a migration backfill runs on a connection without the request timeouts', async (t) => {
  const schema = await freshSchema(t)
  const database = await openDatabase({ url: TEST_DATABASE_URL, dataDir: '', poolSize: 1, timeoutMs: 100, schema })
  t.teardown(() => database.close())
  await t.rejects(sql`select pg_sleep(0.8)`.execute(database.db), 'a request is cut off after five times DB_TIMEOUT_MS')
  const unhurried = await database.unhurried()
  t.teardown(() => unhurried.close())
  await sql`select pg_sleep(0.8)`.execute(unhurried.db)
  t.same((await migrate(unhurried.db, MIGRATIONS)).alreadyApplied, [])
})
