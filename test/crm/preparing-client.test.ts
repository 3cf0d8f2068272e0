import t from 'tap'
import { PreparingClient } from '../../src/crm/preparing-client.js'
import { freshSchema, TEST_DATABASE_URL } from '../helpers/test-app.js'

async function client(t: Parameters<typeof freshSchema>[0]) {
  const schema = await freshSchema(t)
  const c = new PreparingClient({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` })
  await c.connect()
  t.teardown(() => c.end())
  await c.query('create table items (id int primary key, name text)')
  await c.query('insert into items values (1, $1), (2, $2)', ['one', 'two'])
  return c
}

const preparedNames = async (c: PreparingClient) =>
  (await c.query("select name from pg_prepared_statements where name like 'cti_%' order by name", [])).rows.map((r: { name: string }) => r.name)

t.test('a query run repeatedly becomes a prepared statement on its connection', async (t) => {
  const c = await client(t)
  for (let i = 0; i < 2; i++) await c.query('select name from items where id = $1', [1])
  t.same(await preparedNames(c), [], 'not after two uses')
  const third = await c.query('select name from items where id = $1', [2])
  t.same(third.rows, [{ name: 'two' }])
  t.same(await preparedNames(c), ['cti_0'])
  t.same((await c.query('select name from items where id = $1', [1])).rows, [{ name: 'one' }], 'the prepared statement answers with new values')
})

t.test('a statement made stale by a schema change runs again unprepared', async (t) => {
  const c = await client(t)
  for (let i = 0; i < 3; i++) await c.query('select * from items where id = $1', [1])
  await c.query('alter table items add column colour text')
  const after = await c.query('select * from items where id = $1', [1])
  t.same(after.rows, [{ id: 1, name: 'one', colour: null }])
})

t.test('errors other than a stale plan reach the caller', async (t) => {
  const c = await client(t)
  for (let i = 0; i < 3; i++) await c.query('insert into items values ($1, $2)', [10 + i, 'x'])
  await t.rejects(c.query('insert into items values ($1, $2)', [10, 'dup']), { code: '23505' })
})

t.test('a text of several statements without parameters runs every time, never prepared', async (t) => {
  const c = await client(t)
  const text = "insert into items (id, name) select coalesce(max(id), 0) + 1, 'again' from items; update items set name = upper(name) where name = 'again'"
  for (let i = 0; i < 4; i++) await c.query(text, [])
  t.equal((await c.query("select count(*)::int as n from items where name = 'AGAIN'", [])).rows[0].n, 4)
  t.same(await preparedNames(c), [])
})
