import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pino from 'pino'
import t from 'tap'
import { openDatabase } from '../../src/crm/database.js'
import { migrate } from '../../src/crm/migrate.js'
import { DeadLetters } from '../../src/durability/dead-letters.js'
import { SpillJournal } from '../../src/durability/spill-journal.js'
import { WriteHealth } from '../../src/durability/write-health.js'
import { BackgroundJobs, type JobEntry } from '../../src/workflows/background-jobs.js'
import { switchableRole } from '../calls/read-only-role.js'
import { MIGRATIONS, testDatabase } from '../helpers/test-app.js'

const silent = pino({ level: 'silent' })
const DUE = new Date('2026-11-23T09:00:00Z')

t.test('a job the read-only database refuses is kept and done once it is writable again', async (t) => {
  const role = await switchableRole(t)
  const database = await openDatabase({ url: role.url, dataDir: '', poolSize: 2, timeoutMs: 1000, schema: role.schema, onIdleError: () => undefined })
  t.teardown(() => database.close())
  await migrate(database.db, MIGRATIONS)
  const health = new WriteHealth()
  const jobs = new BackgroundJobs({ logger: silent, health, retryMs: { first: 50, max: 200 } })
  const addTask = jobs.define('add-task', async (title: string) => {
    await database.db.insertInto('tasks').values({ kind: 'callback', title, due_at: DUE }).execute()
    return title
  })

  await role.readOnly(true)
  const results = Array.from({ length: 20 }, (_, i) => addTask({ callId: `c-${i}` }, `task ${i}`))
  await new Promise((resolve) => setTimeout(resolve, 600))
  t.equal(jobs.pending, 20, 'every job is still waiting')
  t.equal(health.state().ok, false, 'the refusal is reported')

  await role.readOnly(false)
  t.same(await Promise.all(results), Array.from({ length: 20 }, (_, i) => `task ${i}`), 'each job resolves with its result')
  const tasks = await database.db.selectFrom('tasks').select('title').execute()
  t.equal(tasks.length, 20, 'none lost')
  t.equal(health.state().ok, true)
})

t.test('a job that fails on its own account goes to the dead letters, not to a log line', async (t) => {
  const { db } = await testDatabase(t)
  const jobs = new BackgroundJobs({ logger: silent, deadLetters: new DeadLetters({ db, dir: t.testdir(), logger: silent }) })
  const addTask = jobs.define('add-task', async (status: string) => {
    await db.insertInto('tasks').values({ kind: 'callback', title: 'call back', due_at: DUE, status: status as 'open' }).execute()
  })
  t.equal(await addTask({ callId: 'c-bad' }, 'nonsense'), undefined)
  const letter = await db.selectFrom('dead_letters').selectAll().executeTakeFirstOrThrow()
  t.match(letter, { source: 'workflow-job', kind: 'add-task', ref: 'c-bad', error_code: '23514' })
  t.same(JSON.parse(letter.payload), { kind: 'add-task', context: { callId: 'c-bad' }, input: 'nonsense' })
})

t.test('jobs past the limit wait in the journal, and a later start runs them', async (t) => {
  const { db } = await testDatabase(t)
  const dir = t.testdir()
  const journal = () => new SpillJournal<JobEntry>({ dir, name: 'workflow-jobs', logger: silent })
  const addTask = (jobs: BackgroundJobs) =>
    jobs.define('add-task', async (title: string) => {
      await db.insertInto('tasks').values({ kind: 'callback', title, due_at: DUE }).execute()
    })

  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const first = new BackgroundJobs({ logger: silent, maxPending: 5, concurrency: 1, journal: journal() })
  const blocked = first.define('blocked', () => gate)
  const add = addTask(first)
  void blocked({}, null)
  for (let i = 0; i < 12; i++) void add({ callId: `c-${i}` }, `task ${i}`)
  t.equal(first.pending, 5, 'memory holds its limit')
  const closing = first.close()
  release()
  await closing
  const lines = (await readFile(join(dir, 'workflow-jobs.journal'), 'utf8')).trim().split('\n')
  t.equal(lines.length, 12, 'jobs past the limit, then those not started by shutdown, are in the journal')

  const second = new BackgroundJobs({ logger: silent, journal: journal() })
  addTask(second)
  await second.start()
  await second.settled()
  const titles = (await db.selectFrom('tasks').select('title').execute()).map((r) => r.title)
  t.same(titles.sort(), Array.from({ length: 12 }, (_, i) => `task ${i}`).sort(), 'each job once')
  t.equal((await readFile(join(dir, 'workflow-jobs.journal'), 'utf8')).length, 0, 'the journal is emptied once done')
  await second.close()
})

t.test('the jobs of one call run one after the other, while other calls go on beside them', async (t) => {
  const jobs = new BackgroundJobs({ logger: silent, concurrency: 4 })
  const log: string[] = []
  const step = jobs.define('step', async (input: { name: string; ms: number }) => {
    log.push(`start ${input.name}`)
    await new Promise((resolve) => setTimeout(resolve, input.ms))
    log.push(`end ${input.name}`)
  })
  void step({ callId: 'c-1' }, { name: 'c-1 lead', ms: 50 })
  void step({ callId: 'c-1' }, { name: 'c-1 task', ms: 1 })
  void step({ callId: 'c-2' }, { name: 'c-2 lead', ms: 1 })
  await jobs.settled()
  t.ok(log.indexOf('end c-1 lead') < log.indexOf('start c-1 task'), 'the second job of a call starts once the first is done')
  t.ok(log.indexOf('end c-2 lead') < log.indexOf('end c-1 lead'), 'another call does not wait for it')
})
