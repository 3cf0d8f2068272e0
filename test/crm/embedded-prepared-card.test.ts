import { inspect } from 'node:util'
import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { buildCustomerCard } from '../../src/crm/customer-card.js'
import { openDatabase } from '../../src/crm/database.js'
import { DEMO_CALLERS, loadDemoData } from '../../src/crm/demo-data.js'
import { migrate } from '../../src/crm/migrate.js'
import { PreparedStatements } from '../../src/crm/prepared-statements.js'
import { findCustomerSummaryByPhone } from '../../src/crm/customer.repository.js'
import { MIGRATIONS, testDatabase } from '../helpers/test-app.js'

const NOW = Date.parse('2026-11-20T10:00:00Z')

/** The same demo data on an embedded database and on PostgreSQL. */
async function demoOnBoth(t: Test) {
  const embedded = await openDatabase({ dataDir: t.testdir(), poolSize: 1, timeoutMs: 5000 })
  t.teardown(() => embedded.close())
  await migrate(embedded.db, MIGRATIONS)
  await loadDemoData(embedded.db, NOW)
  const postgres = await testDatabase(t)
  await loadDemoData(postgres.db, NOW)
  return { embedded, postgres }
}

t.test('numbers run as an EXECUTE of a statement prepared once per text', async (t) => {
  const sent: string[] = []
  const statements = new PreparedStatements(async (text) => void sent.push(text))
  t.equal(await statements.execute('select $1::bigint + $2', [41, 1n]), 'execute embedded_1(41, 1)')
  t.equal(await statements.execute('select $1::bigint + $2', [-3, 2.5]), 'execute embedded_1(-3, 2.5)')
  t.equal(await statements.execute('select 1', []), 'execute embedded_2')
  t.same(sent, ['prepare embedded_1 as select $1::bigint + $2', 'prepare embedded_2 as select 1'])
})

t.test("a string is written as a literal with its quotes doubled, so it stays one value", async (t) => {
  const statements = new PreparedStatements(async () => undefined)
  t.equal(await statements.execute('select $1::text', ['+79161234567']), "execute embedded_1('+79161234567')")
  t.equal(await statements.execute('select $1::text', ["1'); drop table calls; --"]), "execute embedded_1('1''); drop table calls; --')")
})

t.test('a value that cannot be written as a literal safely is never written into the statement: it is sent as it is', async (t) => {
  const sent: string[] = []
  const statements = new PreparedStatements(async (text) => void sent.push(text))
  for (const value of ['a\\', 'a\u0000b', Number.NaN, Infinity, null, new Date(NOW)]) t.equal(await statements.execute('select $1', [value]), null, inspect(value))
  t.same(sent, [], 'nothing prepared')
})

t.test('the embedded database reads the card as a prepared statement, and it is the card PostgreSQL reads', async (t) => {
  const { embedded, postgres } = await demoOnBoth(t)
  for (const phone of [DEMO_CALLERS.ivanPetrov, DEMO_CALLERS.olgaSmirnova, DEMO_CALLERS.ivanPetrov]) {
    const [mine, theirs] = await Promise.all([embedded, postgres].map(async ({ db }) => buildCustomerCard(db, Number((await findCustomerSummaryByPhone(db, phone))!.id), '2026-11-20')))
    t.ok(mine?.lastCalls.length, `${phone}: a card with its calls`)
    t.same(mine, theirs, `${phone}: the same card as PostgreSQL's`)
  }
  const prepared = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(embedded.db)
  t.equal(prepared.rows.filter((row) => /^prepare embedded_\d+ as\s+select c\.\*/.test(row.statement)).length, 1, 'one card statement kept prepared, for every customer')
})

t.test("the embedded database looks callers up through a prepared statement, and a quote in a number stays part of the number", async (t) => {
  const { embedded, postgres } = await demoOnBoth(t)
  for (const phone of [DEMO_CALLERS.ivanPetrov, DEMO_CALLERS.olgaSmirnova, DEMO_CALLERS.ivanPetrov]) {
    t.same(await findCustomerSummaryByPhone(embedded.db, phone), await findCustomerSummaryByPhone(postgres.db, phone), `${phone}: the summary PostgreSQL gives`)
  }
  t.equal(await findCustomerSummaryByPhone(embedded.db, "+7916'; drop table customers; --"), null)
  const customers = await sql<{ n: number }>`select count(*)::int as n from customers`.execute(embedded.db)
  t.ok(customers.rows[0]!.n > 0, 'the customers are all there')
  const prepared = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(embedded.db)
  t.equal(prepared.rows.filter((row) => /customer_phones/.test(row.statement) && !/select c\.\*/.test(row.statement)).length, 1, 'one lookup statement kept prepared')
})
