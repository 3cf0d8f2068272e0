import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { isConnectionError } from '../../src/errors.js'
import { PGliteThread } from '../../src/crm/pglite-thread.js'

t.test('rows come back from the database thread with the same types as on PostgreSQL', async (t) => {
  const thread = await PGliteThread.open({ dataDir: t.testdir() })
  t.teardown(() => thread.close())
  const { rows } = await thread.query(`select 42::int8 as id, 10.5::numeric as amount, '2026-12-06'::date as due, '2026-12-06T10:00:00Z'::timestamptz as at, $1::jsonb as data`, [{ product: 'analytics' }])
  t.same(rows, [{ id: 42, amount: 10.5, due: '2026-12-06', at: new Date('2026-12-06T10:00:00Z'), data: { product: 'analytics' } }])
})

t.test('a script of statements runs in one request, with a result for each', async (t) => {
  const thread = await PGliteThread.open({ dataDir: t.testdir(), schema: 'crm' })
  t.teardown(() => thread.close())
  const results = await thread.exec(`create table agents (id int primary key, name text); insert into agents values (1, 'Anna'), (2, 'Boris'); select name from agents order by id`)
  t.equal(results.length, 3)
  t.same(results[2]!.rows, [{ name: 'Anna' }, { name: 'Boris' }])
  t.same((await thread.query('select current_schema() as schema', [])).rows, [{ schema: 'crm' }], 'works in the schema it was given')
})

t.test("a failed statement keeps PostgreSQL's error code and constraint, which callers act on", async (t) => {
  const thread = await PGliteThread.open({ dataDir: t.testdir() })
  t.teardown(() => thread.close())
  await thread.exec(`create table leads (phone text constraint leads_phone_key unique); insert into leads values ('+79161234567')`)
  const err = await thread.query('insert into leads values ($1)', ['+79161234567']).catch((e: unknown) => e)
  t.match(err, { message: /duplicate key/, code: '23505', constraint: 'leads_phone_key' })
  t.notOk(isConnectionError(err), 'a wrong statement is not an outage')
})

t.test('a long statement does not hold up the event loop', async (t) => {
  const thread = await PGliteThread.open({ dataDir: t.testdir() })
  t.teardown(() => thread.close())
  let ticks = 0
  const timer = setInterval(() => ticks++, 10)
  await thread.query('select count(*) as n from generate_series(1, 3000000)', [])
  clearInterval(timer)
  t.ok(ticks >= 3, `the timers kept firing while the statement ran (${ticks} ticks)`)
})

t.test('a thread that dies fails what was waiting as an outage, and the next statement starts a new one on the same data', async (t) => {
  const lost: Error[] = []
  const thread = await PGliteThread.open({ dataDir: t.testdir() }, { onLost: (err) => lost.push(err) })
  t.teardown(() => thread.close())
  await thread.exec(`create table calls (id text primary key); insert into calls values ('call-1')`)
  const waiting = thread.query('select count(*) as n from generate_series(1, 5000000)', []).catch((e: unknown) => e)
  await thread.kill()
  const err = await waiting
  t.ok(isConnectionError(err), 'the waiting statement fails as a lost connection (retried, journalled, /ready)')
  t.match(err, { message: /embedded database's thread stopped/ })
  t.same((await thread.query('select id from calls', [])).rows, [{ id: 'call-1' }], 'what was committed is there')
  t.equal(thread.restarts, 1)
  t.equal(lost.length, 1, 'the loss is told once (logged and counted as a reconnect)')
  t.match(lost[0], { code: '08006' })
})

t.test('a closed database refuses statements with a clear error', async (t) => {
  const thread = await PGliteThread.open({ dataDir: t.testdir() })
  await thread.close()
  t.equal(thread.closed, true)
  await t.rejects(thread.query('select 1', []), { message: 'the embedded database is closed', code: '08006' })
  await thread.close()
})

t.test('an idle database thread does not keep the process alive', async (t) => {
  const dir = t.testdir()
  const script = `import { PGliteThread } from ${JSON.stringify(fileURLToPath(new URL('../../src/crm/pglite-thread.ts', import.meta.url)))}
const thread = await PGliteThread.open({ dataDir: ${JSON.stringify(dir)} })
console.log(JSON.stringify((await thread.query('select 1 as one', [])).rows))`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  t.equal(code, 0, 'the process ended by itself after its last statement')
  t.equal(out.trim(), '[{"one":1}]')
})

t.test('a data directory that cannot be opened fails the start with the directory named', async (t) => {
  const file = `${t.testdir({ taken: 'not a directory' })}/taken`
  await t.rejects(PGliteThread.open({ dataDir: file }), { message: new RegExp(`the embedded database could not be opened in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), code: '08006' })
})
