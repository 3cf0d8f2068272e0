import t from 'tap'
import { PreparingClient } from '../../src/crm/preparing-client.js'
import { freshSchema, TEST_DATABASE_URL } from '../helpers/test-app.js'

t.test('one-off query texts counted on a connection stay bounded however many run', async (t) => {
  const schema = await freshSchema(t)
  const c = new PreparingClient({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` })
  await c.connect()
  t.teardown(() => c.end())
  for (let i = 0; i < 3000; i++) await c.query(`select $1::int + ${i} as n`, [1])
  const counted = (c as unknown as { uses: Map<string, number> }).uses.size
  t.ok(counted <= 1000, `${counted} texts counted`)
  for (let i = 0; i < 3; i++) await c.query('select $1::int as n', [i])
  t.equal((await c.query("select count(*)::int as n from pg_prepared_statements where name like 'cti_%'", [])).rows[0].n, 1, 'a repeated query is still prepared')
})
