import t, { type Test } from 'tap'
import { sql } from 'kysely'
import { openDatabase } from '../../src/crm/database.js'

async function embedded(t: Test) {
  const database = await openDatabase({ dataDir: t.testdir(), poolSize: 1, timeoutMs: 2000 })
  t.teardown(() => database.close())
  await sql`create table calls (id text primary key)`.execute(database.db)
  return database
}

t.test("a statement of another holder never runs inside an open transaction, and waits for its end", async (t) => {
  const { db, identify } = await embedded(t)
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  const order: string[] = []
  const transaction = db
    .transaction()
    .execute(async (trx) => {
      await trx.insertInto('calls' as never).values({ id: 'c-1' } as never).execute()
      order.push('inserted')
      await held
      throw new Error('the batch is given up')
    })
    .catch(() => order.push('rolled back'))
  while (order.length === 0) await new Promise((resolve) => setImmediate(resolve))
  const counted = sql<{ n: number }>`select count(*)::int as n from calls`.execute(identify).then((r) => (order.push('counted'), r.rows[0]!.n))
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(order, ['inserted'], 'the count waits while the transaction is open')
  release()
  await transaction
  t.equal(await counted, 0, 'it never saw the row of the transaction that was rolled back')
  t.same(order, ['inserted', 'rolled back', 'counted'])
})

t.test('many statements at once, from both holders and outside transactions, all run', async (t) => {
  const { db, identify } = await embedded(t)
  const inserts = Array.from({ length: 50 }, (_, i) => db.insertInto('calls' as never).values({ id: `c-${i}` } as never).execute())
  const lookups = Array.from({ length: 50 }, () => sql`select 1`.execute(identify))
  await Promise.all([...inserts, ...lookups])
  t.equal((await sql<{ n: number }>`select count(*)::int as n from calls`.execute(db)).rows[0]!.n, 50)
})

t.test('a transaction whose statement fails leaves the session usable', async (t) => {
  const { db } = await embedded(t)
  await t.rejects(
    db.transaction().execute(async (trx) => {
      await trx.insertInto('calls' as never).values({ id: 'c-1' } as never).execute()
      await trx.insertInto('calls' as never).values({ id: 'c-1' } as never).execute()
    }),
    { code: '23505' }
  )
  await db.insertInto('calls' as never).values({ id: 'c-2' } as never).execute()
  t.same((await sql<{ id: string }>`select id from calls`.execute(db)).rows, [{ id: 'c-2' }], 'the failed transaction was rolled back, the next statement ran outside it')
})
