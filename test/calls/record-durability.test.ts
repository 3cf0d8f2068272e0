import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pino from 'pino'
import { sql } from 'kysely'
import t from 'tap'
import type { CallRecord } from '../../src/calls/call-record.js'
import { writeCallRecords } from '../../src/calls/call-record.repository.js'
import { CallRecordWriter } from '../../src/calls/call-record-writer.js'
import { openDatabase } from '../../src/crm/database.js'
import { migrate } from '../../src/crm/migrate.js'
import { DEAD_LETTER_FILE, DeadLetters } from '../../src/durability/dead-letters.js'
import { SpillJournal } from '../../src/durability/spill-journal.js'
import { WriteHealth } from '../../src/durability/write-health.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { freshSchema, MIGRATIONS, testDatabase } from '../helpers/test-app.js'
import { answeredCall, T0 } from './answered-call.js'
import { switchableRole } from './read-only-role.js'

const silent = pino({ level: 'silent' })

/** A record no retry can write: a clock that said 1970 when the call was offered makes a wait of 56 years, past numeric(10,3). */
function poisoned(id: string): CallRecord {
  return answeredCall(id, { offeredAt: 0 })
}

const count = async (db: Parameters<typeof writeCallRecords>[0], table: 'calls' | 'dead_letters') =>
  Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

t.test('a NUL byte in any string of a record is removed and the record is written', async (t) => {
  const { db } = await testDatabase(t)
  const record = answeredCall('c-\u0000nul', {
    caller: '+7916\u00001234567',
    callerName: 'Iv\u0000an',
    dialed: '+7495\u00001234567',
    endCause: 'BYE\u0000',
    trace: { rulesTried: [{ rule: 'VIP\u0000', matched: true }], steps: [] },
    steps: [{ at: T0 + 2, kind: 'sip-\u0000note', agentId: 'a-anna', data: { header: 'From: <sip:\u0000@x>', ['k\u0000']: 1 } }]
  })
  await writeCallRecords(db, [record])
  const row = await db.selectFrom('calls').selectAll().executeTakeFirstOrThrow()
  t.match(row, { id: 'c-nul', caller: '+79161234567', caller_name: 'Ivan', dialed: '+74951234567', end_cause: 'BYE' })
  t.same(row.trace, { rulesTried: [{ rule: 'VIP', matched: true }], steps: [] })
  const step = await db.selectFrom('call_events').select(['kind', 'data']).executeTakeFirstOrThrow()
  t.same(step, { kind: 'sip-note', data: { header: 'From: <sip:@x>', k: 1 } })
})

t.test('a record the database can never take goes to the dead letters; the rest of its batch is written', async (t) => {
  const { db } = await testDatabase(t)
  const deadLetters = new DeadLetters({ db, dir: t.testdir(), logger: silent })
  const writer = new CallRecordWriter({ write: (r) => writeCallRecords(db, r), logger: silent, deadLetters })
  writer.enqueue(answeredCall('c-1'))
  writer.enqueue(poisoned('c-bad'))
  writer.enqueue(answeredCall('c-2'))
  await writer.flush()
  t.same((await db.selectFrom('calls').select('id').orderBy('id').execute()).map((r) => r.id), ['c-1', 'c-2'])
  const letter = await db.selectFrom('dead_letters').selectAll().executeTakeFirstOrThrow()
  t.match(letter, { source: 'call-record', kind: 'sip', ref: 'c-bad', error_code: '22003' })
  t.same(JSON.parse(letter.payload), poisoned('c-bad'), 'the whole record, as it was')
  t.equal(writer.deadLettered, 1)
  t.equal(writer.dropped, 0)
})

t.test('when the dead-letter table cannot be written either, the record goes to the dead-letter file', async (t) => {
  const { db } = await testDatabase(t)
  await sql`drop table dead_letters`.execute(db)
  const dir = t.testdir()
  const writer = new CallRecordWriter({ write: (r) => writeCallRecords(db, r), logger: silent, deadLetters: new DeadLetters({ db, dir, logger: silent }) })
  writer.enqueue(poisoned('c-bad'))
  await writer.flush()
  const lines = (await readFile(join(dir, DEAD_LETTER_FILE), 'utf8')).trim().split('\n').map((line) => JSON.parse(line))
  t.equal(lines.length, 1)
  t.match(lines[0], { source: 'call-record', ref: 'c-bad', error_code: '22003' })
  t.same(JSON.parse(lines[0].payload).id, 'c-bad')
  t.equal(writer.dropped, 0)
})

t.test('a read-only database: records are kept and retried, /ready is told, and all are written once it is writable again', async (t) => {
  const role = await switchableRole(t)
  const database = await openDatabase({ url: role.url, dataDir: '', poolSize: 2, timeoutMs: 1000, schema: role.schema, onIdleError: () => undefined })
  t.teardown(() => database.close())
  await migrate(database.db, MIGRATIONS)
  const health = new WriteHealth()
  const writer = new CallRecordWriter({ write: (r) => writeCallRecords(database.db, r), logger: silent, health, retryMs: { first: 50, max: 200 }, deadLetters: new DeadLetters({ db: database.db, dir: t.testdir(), logger: silent }) })

  await role.readOnly(true)
  for (let i = 0; i < 30; i++) writer.enqueue(answeredCall(`c-${i}`))
  await new Promise((resolve) => setTimeout(resolve, 600))
  t.equal(writer.pending, 30, 'every record is still queued')
  const state = health.state()
  t.equal(state.ok, false)
  t.match(!state.ok && state.detail, /25006/, 'the refusal is reported with its code')

  await role.readOnly(false)
  await writer.flush()
  t.equal(await count(database.db, 'calls'), 30, 'none lost')
  t.equal(await count(database.db, 'dead_letters'), 0, 'none taken for a bad record')
  t.equal(health.state().ok, true)
})

t.test('a full queue spills to the journal file; a writer started later writes what it holds', async (t) => {
  const proxy = await startTcpProxy(5432)
  t.teardown(() => proxy.close())
  const schema = await freshSchema(t)
  const database = await openDatabase({ url: `postgres://postgres@127.0.0.1:${proxy.port}/test`, dataDir: '', poolSize: 2, timeoutMs: 300, schema, onIdleError: () => undefined })
  t.teardown(() => database.close())
  await migrate(database.db, MIGRATIONS)
  const dir = t.testdir()
  const journal = () => new SpillJournal<CallRecord>({ dir, name: 'call-records', logger: silent })
  const write = (r: readonly CallRecord[]) => writeCallRecords(database.db, r)

  proxy.down()
  const first = new CallRecordWriter({ write, logger: silent, maxQueue: 100, batchSize: 50, retryMs: { first: 50, max: 100 }, journal: journal() })
  for (let i = 0; i < 250; i++) first.enqueue(answeredCall(`c-${i}`))
  t.equal(first.pending, 100, 'the queue holds its limit')
  await first.close(200)
  const lines = (await readFile(join(dir, 'call-records.journal'), 'utf8')).trim().split('\n')
  t.equal(lines.length, 250, 'what did not fit, then what was left at shutdown, is in the journal')
  t.equal(first.dropped, 0)

  proxy.up()
  const second = new CallRecordWriter({ write, logger: silent, batchSize: 50, journal: journal() })
  await second.start()
  await second.flush()
  t.equal(await count(database.db, 'calls'), 250, 'every record written')
  t.equal((await readFile(join(dir, 'call-records.journal'), 'utf8')).length, 0, 'the journal is emptied once written')
  await second.close()
})

t.test('a call written in progress and then ended in one batch is one row with its end', async (t) => {
  const { db } = await testDatabase(t)
  const inProgress = answeredCall('c-1', { outcome: null, answeredAt: null, endedAt: null, endCause: null, steps: [answeredCall('c-1').steps[0]!] })
  const ended = answeredCall('c-1', { steps: answeredCall('c-1').steps.slice(1) })
  await writeCallRecords(db, [inProgress, ended])
  const rows = await db.selectFrom('calls').select(['id', 'outcome', 'talk_seconds']).execute()
  t.same(rows, [{ id: 'c-1', outcome: 'answered', talk_seconds: 120 }])
  const steps = await db.selectFrom('call_events').select('kind').orderBy('at').execute()
  t.same(steps.map((s) => s.kind), ['routed', 'answered', 'ended'], 'each step once')
})

t.test('an in-progress record written after the end (a late journal) does not undo the end', async (t) => {
  const { db } = await testDatabase(t)
  await writeCallRecords(db, [answeredCall('c-1', { steps: [] })])
  await writeCallRecords(db, [answeredCall('c-1', { outcome: null, answeredAt: null, endedAt: null, steps: [] })])
  const row = await db.selectFrom('calls').select(['outcome', 'ended_at']).executeTakeFirstOrThrow()
  t.equal(row.outcome, 'answered')
  t.ok(row.ended_at)
})
