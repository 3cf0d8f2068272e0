import pino from 'pino'
import t from 'tap'
import { findOrCreateLeads } from '../../src/crm/lead.repository.js'
import { closeCallBackTasksOf, openCallBackTasks } from '../../src/crm/task.repository.js'
import { DeadLetters } from '../../src/durability/dead-letters.js'
import { BackgroundJobs } from '../../src/workflows/background-jobs.js'
import { testDatabase } from '../helpers/test-app.js'

const silent = pino({ level: 'silent' })
const DUE = Date.parse('2026-11-23T09:00:00Z')

t.test('jobs of one kind waiting together are handed over in batches, each resolved with its own result', async (t) => {
  const jobs = new BackgroundJobs({ logger: silent, concurrency: 1 })
  const sizes: number[] = []
  const double = jobs.defineBatch('double', async (inputs: number[]) => {
    sizes.push(inputs.length)
    await new Promise((resolve) => setTimeout(resolve, 5))
    return inputs.map((n) => n * 2)
  }, 50)
  const results = await Promise.all(Array.from({ length: 120 }, (_, i) => double({ callId: `c-${i}` }, i)))
  t.same(results, Array.from({ length: 120 }, (_, i) => i * 2))
  t.ok(sizes.length < 120 && Math.max(...sizes) <= 50, `120 jobs in ${sizes.length} batches of at most 50`)
})

t.test('two jobs of one call never share a batch, and run in the order they came', async (t) => {
  const jobs = new BackgroundJobs({ logger: silent, concurrency: 1 })
  const seen: string[][] = []
  const step = jobs.defineBatch('step', async (inputs: string[]) => {
    seen.push(inputs)
    return inputs
  })
  await Promise.all([step({ callId: 'a' }, 'a1'), step({ callId: 'a' }, 'a2'), step({ callId: 'b' }, 'b1')])
  t.notOk(seen.some((batch) => batch.includes('a1') && batch.includes('a2')))
  t.ok(seen.flat().indexOf('a1') < seen.flat().indexOf('a2'))
})

t.test('a batch refused on one job\'s account leaves only that job in the dead letters', async (t) => {
  const { db } = await testDatabase(t)
  const jobs = new BackgroundJobs({ logger: silent, concurrency: 1, deadLetters: new DeadLetters({ db, dir: t.testdir(), logger: silent }) })
  const addTasks = jobs.defineBatch('add-tasks', async (statuses: string[]) => {
    await db.insertInto('tasks').values(statuses.map((status) => ({ kind: 'callback', title: 'call back', due_at: new Date(DUE), status: status as 'open' }))).execute()
    return statuses
  })
  const statuses = ['open', 'open', 'nonsense', 'open', 'done']
  const results = await Promise.all(statuses.map((status, i) => addTasks({ callId: `c-${i}` }, status)))
  t.same(results, ['open', 'open', undefined, 'open', 'done'])
  t.equal((await db.selectFrom('tasks').select('id').execute()).length, 4, 'the good jobs are done')
  const letters = await db.selectFrom('dead_letters').select(['ref', 'error_code']).execute()
  t.same(letters, [{ ref: 'c-2', error_code: '23514' }])
})

t.test('two new callers of one number in one batch make one lead, found again by the second call', async (t) => {
  const { db } = await testDatabase(t)
  const origin = (callId: string, phone: string) => ({ phone, line: null, agentId: null, callId, at: DUE })
  const found = await findOrCreateLeads(db, [origin('c1', '+79035550001'), origin('c2', '+79035550002'), origin('c3', '+79035550001')])
  t.same(found.map((f) => f.created), [true, true, false])
  t.equal(found[0]!.lead.id, found[2]!.lead.id)
  const again = await findOrCreateLeads(db, [origin('c4', '+79035550002')])
  t.same(again.map((f) => ({ id: f.lead.id, created: f.created })), [{ id: found[1]!.lead.id, created: false }])
})

t.test('missed calls of one caller in one batch make one call-back task counting each try, and an answered call closes it', async (t) => {
  const { db } = await testDatabase(t)
  const customer = await db.insertInto('customers').values({ name: 'Ivan' }).returning('id').executeTakeFirstOrThrow()
  const order = (callId: string) => ({ customerId: Number(customer.id), leadId: null, assigneeAgentId: null, title: 'Call back Ivan', dueAt: DUE, callId })
  const opened = await openCallBackTasks(db, [order('m1'), order('m2'), order('m3'), order('m3')])
  t.same(opened.map((o) => o.created), [true, false, false, false])
  t.equal(new Set(opened.map((o) => o.task.id)).size, 1, 'one task')
  t.equal(opened.at(-1)!.task.attempts, 3, 'three calls, the last one reported twice')
  const closed = await closeCallBackTasksOf(db, [
    { callId: 'a1', customerId: Number(customer.id), phone: null, at: DUE + 60_000 },
    { callId: 'a2', customerId: Number(customer.id), phone: null, at: DUE + 120_000 }
  ])
  t.same(closed.map((c) => ({ callId: c.callId, id: c.task.id, status: c.task.status })), [{ callId: 'a1', id: opened[0]!.task.id, status: 'done' }])
})
