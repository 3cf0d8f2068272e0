import t from 'tap'
import { agentToken, request, testDemoApp } from '../helpers/test-app.js'
import { call, eventsOf, IVAN, NEWCOMER, settle } from './workflow-fixture.js'

const openCallBacks = (app: any, where: { customerId?: number; leadId?: number }) => {
  let q = app.database.db.selectFrom('tasks').selectAll().where('kind', '=', 'callback').where('status', '=', 'open').where('call_id', 'is not', null)
  if (where.customerId !== undefined) q = q.where('customer_id', '=', where.customerId)
  if (where.leadId !== undefined) q = q.where('lead_id', '=', where.leadId)
  return q.execute()
}

async function ivanId(app: any): Promise<number> {
  const row = await app.database.db.selectFrom('customer_phones').select('customer_id').where('phone', '=', IVAN).executeTakeFirstOrThrow()
  return Number(row.customer_id)
}

t.test("a missed call from a customer makes one call-back task for their owner, due within the configured time, on the owner's page", async (t) => {
  const { app, url } = await testDemoApp(t, { CALLBACK_TASK_DUE_MINUTES: '15' })
  await call(url, 'miss-1', IVAN, 'missed')
  await settle(app)
  const tasks = await openCallBacks(app, { customerId: await ivanId(app) })
  t.equal(tasks.length, 1)
  t.match(tasks[0], { assignee_agent_id: 'a-anna', call_id: 'miss-1', attempts: 1, title: /Call back/ })
  t.equal(tasks[0].due_at.toISOString(), '2026-11-23T08:15:00.000Z', 'due 15 minutes after the call ended')
  const mine = await request(`${url}/v1/me/tasks`, { headers: { authorization: `Bearer ${await agentToken(url, 'a-anna')}` } })
  t.ok(mine.body.tasks.some((task: any) => task.id === Number(tasks[0].id)), 'the task is on her page')
  const notice = eventsOf(app, 'a-anna').find((e) => e.type === 'task')
  t.match(notice, { callId: 'miss-1', why: 'missed-call', task: { id: Number(tasks[0].id), assigneeAgentId: 'a-anna' } }, 'she is told at once')
})

t.test('a caller who tries three times, and a missed call reported twice, still make one task that counts the tries', async (t) => {
  const { app, url } = await testDemoApp(t)
  await call(url, 'try-1', IVAN, 'missed')
  await settle(app)
  await call(url, 'try-2', IVAN, 'abandoned')
  await request(`${url}/v1/interactions/try-2/ended`, { method: 'POST', body: { outcome: 'abandoned' } })
  await settle(app)
  await call(url, 'try-3', IVAN, 'missed')
  await settle(app)
  const tasks = await openCallBacks(app, { customerId: await ivanId(app) })
  t.equal(tasks.length, 1)
  t.equal(tasks[0].attempts, 3)
  t.equal(eventsOf(app, 'a-anna').filter((e) => e.type === 'task').length, 1, 'the owner is told once')
})

t.test('a later answered call with the customer closes the call-back task by itself', async (t) => {
  const { app, url } = await testDemoApp(t)
  await call(url, 'close-1', IVAN, 'missed')
  await settle(app)
  await call(url, 'close-2', IVAN, 'answered')
  await settle(app)
  t.equal((await openCallBacks(app, { customerId: await ivanId(app) })).length, 0)
  const closed = await app.database.db.selectFrom('tasks').selectAll().where('call_id', '=', 'close-1').executeTakeFirstOrThrow()
  t.match(closed, { status: 'done', closed_by: 'call close-2' })
  t.ok(eventsOf(app, 'a-anna').some((e) => e.type === 'task-closed' && e.taskId === Number(closed.id)), 'the owner sees it go')
})

t.test("a missed call from a new caller makes the lead's call-back task for the agent it was offered to", async (t) => {
  const { app, url } = await testDemoApp(t)
  const { agentId } = await call(url, 'lead-miss', NEWCOMER, 'missed')
  await settle(app)
  const lead = await app.database.db.selectFrom('leads').selectAll().where('phone', '=', NEWCOMER).executeTakeFirstOrThrow()
  const tasks = await openCallBacks(app, { leadId: Number(lead.id) })
  t.equal(tasks.length, 1)
  t.equal(tasks[0].assignee_agent_id, agentId)
  t.equal(tasks[0].customer_id, null)
})

t.test('an answered call makes no task', async (t) => {
  const { app, url } = await testDemoApp(t)
  await call(url, 'ok-1', IVAN, 'answered')
  await settle(app)
  t.equal((await openCallBacks(app, {})).length, 0)
})
