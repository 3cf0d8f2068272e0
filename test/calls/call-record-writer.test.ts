import pino from 'pino'
import t from 'tap'
import type { CallRecord } from '../../src/calls/call-record.js'
import { writeCallRecords } from '../../src/calls/call-record.repository.js'
import { CallRecordWriter } from '../../src/calls/call-record-writer.js'
import { openDatabase } from '../../src/crm/database.js'
import { migrate } from '../../src/crm/migrate.js'
import { startTcpProxy } from '../helpers/tcp-proxy.js'
import { freshSchema, MIGRATIONS, testDatabase } from '../helpers/test-app.js'
import { answeredCall, T0 } from './answered-call.js'

const silent = pino({ level: 'silent' })

t.test('a finished call is written as one row with its steps, wait and talk time', async (t) => {
  const { db } = await testDatabase(t)
  const writer = new CallRecordWriter({ write: (r) => writeCallRecords(db, r), logger: silent })
  writer.enqueue(answeredCall('c-1'))
  await writer.flush()
  const row = await db.selectFrom('calls').selectAll().where('id', '=', 'c-1').executeTakeFirstOrThrow()
  t.equal(row.outcome, 'answered')
  t.equal(row.agent_id, 'a-anna')
  t.equal(row.wait_seconds, 8)
  t.equal(row.talk_seconds, 120)
  t.equal(row.campaign, 'spring-crm')
  const steps = await db.selectFrom('call_events').select(['kind', 'agent_id']).where('call_id', '=', 'c-1').orderBy('at').execute()
  t.same(steps.map((s) => s.kind), ['routed', 'answered', 'ended'])
})

t.test('the same call written twice stays one row', async (t) => {
  const { db } = await testDatabase(t)
  const writer = new CallRecordWriter({ write: (r) => writeCallRecords(db, r), logger: silent })
  writer.enqueue(answeredCall('c-1', { outcome: 'missed', answeredAt: null }))
  await writer.flush()
  writer.enqueue(answeredCall('c-1', { steps: [] }))
  await writer.flush()
  const rows = await db.selectFrom('calls').select(['outcome']).where('id', '=', 'c-1').execute()
  t.same(rows, [{ outcome: 'answered' }])
})

t.test('a record naming a customer that no longer exists is written without the customer', async (t) => {
  const { db } = await testDatabase(t)
  const writer = new CallRecordWriter({ write: (r) => writeCallRecords(db, r), logger: silent })
  writer.enqueue(answeredCall('c-good'))
  writer.enqueue(answeredCall('c-gone', { customerId: 987654 }))
  await writer.flush()
  const rows = await db.selectFrom('calls').select(['id', 'customer_id']).orderBy('id').execute()
  t.same(rows, [
    { id: 'c-gone', customer_id: null },
    { id: 'c-good', customer_id: null }
  ])
  const note = await db.selectFrom('call_events').select(['data']).where('call_id', '=', 'c-gone').where('kind', '=', 'reference-dropped').executeTakeFirstOrThrow()
  t.same(note.data, { customerId: 987654 })
  t.equal(writer.dropped, 0)
})

t.test('records wait through a database outage and are all written when it returns', async (t) => {
  const proxy = await startTcpProxy(5432)
  t.teardown(() => proxy.close())
  const schema = await freshSchema(t)
  const database = await openDatabase({ url: `postgres://postgres@127.0.0.1:${proxy.port}/test`, dataDir: '', poolSize: 2, timeoutMs: 300, schema, onIdleError: (err) => silent.warn({ err }, 'idle connection lost') })
  t.teardown(() => database.close())
  await migrate(database.db, MIGRATIONS)
  const writer = new CallRecordWriter({ write: (r) => writeCallRecords(database.db, r), logger: silent, batchSize: 50, retryMs: { first: 50, max: 200 } })

  proxy.down()
  for (let i = 0; i < 120; i++) writer.enqueue(answeredCall(`c-${i}`))
  await new Promise((resolve) => setTimeout(resolve, 700))
  t.equal(writer.pending, 120, 'nothing is written, nothing is lost while the database is away')

  proxy.up()
  await writer.flush()
  const { count } = await database.db.selectFrom('calls').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
  t.equal(Number(count), 120)
  t.equal(writer.pending, 0)
  t.equal(writer.dropped, 0)
})

t.test('a full queue drops the oldest record and says so', async (t) => {
  const logged: string[] = []
  const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line).msg) })
  const writer = new CallRecordWriter({ write: () => new Promise(() => {}), logger, maxQueue: 100, lingerMs: 10 })
  for (let i = 0; i < 101; i++) writer.enqueue(answeredCall(`c-${i}`))
  t.equal(writer.pending, 100)
  t.equal(writer.dropped, 1)
  t.match(logged, [/call record queue full/])
})

t.test('shutdown writes what it can and logs every record it could not', async (t) => {
  const logged: { msg: string; callId?: string }[] = []
  const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) })
  const failing = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
  const writer = new CallRecordWriter({ write: () => Promise.reject(failing), logger, retryMs: { first: 10, max: 10 } })
  writer.enqueue(answeredCall('c-kept'))
  await writer.close(100)
  t.ok(logged.some((l) => l.callId === 'c-kept' && /not written before shutdown/.test(l.msg)))
})
