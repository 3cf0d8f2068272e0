import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { TaskReminders } from '../../src/workflows/task-reminders.js'
import { testDatabase } from '../helpers/test-app.js'

const NOW = Date.parse('2026-11-23T08:00:00Z')

/** A logger whose lines are kept, parsed. */
function capturingLogger() {
  const lines: any[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line))
      done()
    }
  })
  return { logger: pino({ level: 'info' }, stream), lines }
}

/** 1,200 open tasks nobody is assigned to, all a day overdue: nobody to remind, no team lead to escalate to. */
async function overdueTasksWithNobody(t: any, clock: { now: number }) {
  const database = await testDatabase(t)
  const dueAt = new Date(NOW - 24 * 3600_000)
  const rows = Array.from({ length: 1200 }, (_, i) => ({ kind: 'callback', title: `Call back ${i}`, due_at: dueAt }))
  await database.db.insertInto('tasks').values(rows).execute()
  const { logger, lines } = capturingLogger()
  const reminders = new TaskReminders({ db: database.db, notify: () => undefined, logger, now: () => clock.now, pollMs: 5000, escalateAfterMs: 60 * 60_000 })
  return { reminders, lines }
}

t.test('overdue tasks without a team lead are warned about once, not once per task, and each is counted', async (t) => {
  const clock = { now: NOW }
  const { reminders, lines } = await overdueTasksWithNobody(t, clock)
  const counted: string[] = []
  reminders.onUndelivered((cause) => counted.push(cause))
  for (let poll = 0; poll < 4; poll++) {
    await reminders.tick()
    clock.now += 5000
  }
  const noLead = lines.filter((l) => l.cause === 'no-team-lead')
  t.equal(noLead.length, 1, 'one line for 1,200 tasks')
  t.match(noLead[0].msg, /overdue task has no team lead to escalate to/)
  t.equal(reminders.undelivered('no-team-lead'), 1200)
  t.equal(counted.filter((c) => c === 'no-team-lead').length, 1200, 'the metrics see every task')
})

t.test('tasks falling due with nobody assigned are warned about once and counted', async (t) => {
  const clock = { now: NOW }
  const { reminders, lines } = await overdueTasksWithNobody(t, clock)
  for (let poll = 0; poll < 4; poll++) await reminders.tick()
  t.equal(lines.filter((l) => l.cause === 'no-assignee').length, 1)
  t.equal(reminders.undelivered('no-assignee'), 1200)
})

t.test('later tasks of the same cause are summed up in one line once the summary time has passed', async (t) => {
  const clock = { now: NOW }
  const { reminders, lines } = await overdueTasksWithNobody(t, clock)
  await reminders.tick()
  clock.now += 11 * 60_000
  for (let poll = 0; poll < 3; poll++) await reminders.tick()
  const noLead = lines.filter((l) => l.cause === 'no-team-lead')
  t.equal(noLead.length, 2, 'the first one, then one summary')
  // Written at the end of the first poll past the summary time: 499 + 500 since the first line.
  t.equal(noLead[1].count, 999)
  t.equal(noLead[1].total, 1000)
})
