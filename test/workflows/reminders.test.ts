import t from 'tap'
import { testApp, MONDAY_11_MSK, request } from '../helpers/test-app.js'
import { eventsOf } from './workflow-fixture.js'

async function appWithClock(t: any) {
  let clock = MONDAY_11_MSK
  const server = await testApp(t, { DEMO_DATA: 'true', TASK_ESCALATE_AFTER_MINUTES: '30' }, { now: () => clock })
  await request(`${server.url}/v1/demo-data`, { method: 'POST' })
  const db = server.app.database.db
  const task = await db
    .insertInto('tasks')
    .values({ kind: 'callback', title: 'Call back Ivan', assignee_agent_id: 'a-dmitri', due_at: new Date(MONDAY_11_MSK + 10 * 60_000) })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { ...server, taskId: Number(task.id), advance: (minutes: number) => (clock += minutes * 60_000) }
}

t.test('a task not yet due is not reminded', async (t) => {
  const { app, taskId } = await appWithClock(t)
  await app.workflows.reminders.tick()
  t.notOk(eventsOf(app, 'a-dmitri').some((e) => e.type === 'reminder' && e.task.id === taskId))
})

t.test('a task falling due is reminded to its assignee once', async (t) => {
  const { app, taskId, advance } = await appWithClock(t)
  advance(11)
  await app.workflows.reminders.tick()
  await app.workflows.reminders.tick()
  const reminders = eventsOf(app, 'a-dmitri').filter((e) => e.type === 'reminder' && e.task.id === taskId)
  t.equal(reminders.length, 1)
  t.match(reminders[0], { escalated: false, overdueMinutes: 1, task: { title: 'Call back Ivan' } })
})

t.test("a task overdue past the configured time goes to the assignee's team lead, once", async (t) => {
  const { app, taskId, advance } = await appWithClock(t)
  advance(11)
  await app.workflows.reminders.tick()
  t.notOk(eventsOf(app, 'a-boris').some((e) => e.type === 'reminder' && e.task.id === taskId), 'not before the escalation time')
  advance(30)
  await app.workflows.reminders.tick()
  await app.workflows.reminders.tick()
  const escalations = eventsOf(app, 'a-boris').filter((e) => e.type === 'reminder' && e.task.id === taskId)
  t.equal(escalations.length, 1, 'a-boris leads sales')
  t.match(escalations[0], { escalated: true, overdueMinutes: 31, task: { assigneeAgentId: 'a-dmitri' } })
})

t.test('a task done in time is neither reminded nor escalated', async (t) => {
  const { app, url, taskId, advance } = await appWithClock(t)
  const closed = await request(`${url}/v1/tasks/${taskId}/close`, { method: 'POST', body: {} })
  t.equal(closed.body.status, 'done')
  t.ok(eventsOf(app, 'a-dmitri').some((e) => e.type === 'task-closed' && e.taskId === taskId), 'the page drops it')
  advance(120)
  await app.workflows.reminders.tick()
  t.notOk([...eventsOf(app, 'a-dmitri'), ...eventsOf(app, 'a-boris')].some((e) => e.type === 'reminder' && e.task.id === taskId))
})
