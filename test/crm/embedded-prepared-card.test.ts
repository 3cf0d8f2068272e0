import { sql } from 'kysely'
import t from 'tap'
import { buildCustomerCard } from '../../src/crm/customer-card.js'
import { openDatabase } from '../../src/crm/database.js'
import { DEMO_CALLERS, loadDemoData } from '../../src/crm/demo-data.js'
import { migrate } from '../../src/crm/migrate.js'
import { PreparedStatements } from '../../src/crm/prepared-statements.js'
import { findCustomerSummaryByPhone } from '../../src/crm/customer.repository.js'
import { MIGRATIONS, testDatabase } from '../helpers/test-app.js'

const NOW = Date.parse('2026-11-20T10:00:00Z')

t.test('numbers run as an EXECUTE of a statement prepared once per text', async (t) => {
  const sent: string[] = []
  const statements = new PreparedStatements(async (text) => void sent.push(text))
  t.equal(await statements.execute('select $1::bigint + $2', [41, 1n]), 'execute embedded_1(41, 1)')
  t.equal(await statements.execute('select $1::bigint + $2', [-3, 2.5]), 'execute embedded_1(-3, 2.5)')
  t.equal(await statements.execute('select 1', []), 'execute embedded_2')
  t.same(sent, ['prepare embedded_1 as select $1::bigint + $2', 'prepare embedded_2 as select 1'])
})

t.test('a value that is not a number is never written into the statement: it is sent as it is', async (t) => {
  const sent: string[] = []
  const statements = new PreparedStatements(async (text) => void sent.push(text))
  for (const value of ["1); drop table calls; --", Number.NaN, Infinity, null, new Date(NOW)]) t.equal(await statements.execute('select $1', [value]), null, String(value))
  t.same(sent, [], 'nothing prepared')
})

t.test('the embedded database reads the card as a prepared statement, and it is the card PostgreSQL reads', async (t) => {
  const embedded = await openDatabase({ dataDir: t.testdir(), poolSize: 1, timeoutMs: 5000 })
  t.teardown(() => embedded.close())
  await migrate(embedded.db, MIGRATIONS)
  await loadDemoData(embedded.db, NOW)
  const postgres = await testDatabase(t)
  await loadDemoData(postgres.db, NOW)
  for (const phone of [DEMO_CALLERS.ivanPetrov, DEMO_CALLERS.olgaSmirnova, DEMO_CALLERS.ivanPetrov]) {
    const [mine, theirs] = await Promise.all([embedded, postgres].map(async ({ db }) => buildCustomerCard(db, Number((await findCustomerSummaryByPhone(db, phone))!.id), '2026-11-20')))
    t.ok(mine?.lastCalls.length, `${phone}: a card with its calls`)
    t.same(mine, theirs, `${phone}: the same card as PostgreSQL's`)
  }
  const prepared = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(embedded.db)
  t.equal(prepared.rows.length, 1, 'one statement kept prepared, for every customer')
  t.match(prepared.rows[0]!.statement, /^prepare embedded_1 as\s+select c\.\*/)
})
