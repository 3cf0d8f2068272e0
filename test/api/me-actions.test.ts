import t, { type Test } from 'tap'
import { agentToken, MONDAY_11_MSK, request, testDemoApp } from '../helpers/test-app.js'

// The agent's actions from the card, through the real server: a call's outcome,
// follow-up tasks, snoozing, rescheduling and closing their own tasks, and a lead
// turned into a customer. Each acts on what is the agent's own, once per Idempotency-Key.

const IVAN = '+79161234567'
const SPRING_LINE = '+74951234567'
const NEW_CALLER = '+79160001122'
/** The demo clock is Monday 23 Nov 2026, 11:00 in Moscow; this is the next morning. */
const TOMORROW_10_MSK = '2026-11-24T10:00:00+03:00'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** A call routed to `agentId` and answered by them, as a PBX asking over HTTP reports it. */
async function answeredCall(url: string, callId: string, caller: string, agentId: string): Promise<void> {
  const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller, dialed: SPRING_LINE, callId } })
  if (routed.body.decision?.targets?.[0]?.agentId !== agentId) throw new Error(`${callId} went elsewhere: ${JSON.stringify(routed.body)}`)
  const answered = await request(`${url}/v1/interactions/${callId}/answered`, { method: 'POST', body: { agentId } })
  if (answered.status >= 300) throw new Error(`${callId} not answered: ${JSON.stringify(answered.body)}`)
}

async function demoWithAgents(t: Test) {
  const { url } = await testDemoApp(t)
  return { url, anna: bearer(await agentToken(url, 'a-anna')), boris: bearer(await agentToken(url, 'a-boris')) }
}

/** Asks until `check` holds (the call record and a lead are written in the background), at most ~5 s. */
async function eventually<T>(ask: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  let value = await ask()
  for (let i = 0; i < 100 && !check(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    value = await ask()
  }
  return value
}

async function followUp(url: string, headers: Record<string, string>, callId: string, title = 'Send the offer') {
  return request(`${url}/v1/me/tasks`, { method: 'POST', headers, body: { callId, title, dueAt: TOMORROW_10_MSK, note: 'after the call' } })
}

t.test("an outcome on a call the agent answered joins the call's events", async (t) => {
  const { url, anna } = await demoWithAgents(t)
  const customerId = (await request(`${url}/v1/customers/by-phone/${encodeURIComponent(IVAN)}/card`)).body.customer.id
  const deal = (await request(`${url}/v1/me/deals`, { method: 'POST', headers: anna, body: { customerId, title: 'CRM seats' } })).body
  await answeredCall(url, 'outcome-1', IVAN, 'a-anna')

  const saved = await request(`${url}/v1/me/calls/outcome-1/outcome`, { method: 'POST', headers: anna, body: { stage: 'offer', dealId: deal.id, note: 'wants a discount' } })
  t.equal(saved.status, 201)
  t.match(saved.body, { callId: 'outcome-1', stage: 'offer', refusalReason: null, note: 'wants a discount', deal: { id: deal.id, stage: 'offer' } })

  await request(`${url}/v1/interactions/outcome-1/ended`, { method: 'POST' })
  const story = await eventually(
    () => request(`${url}/v1/calls/outcome-1`),
    (res) => res.status === 200 && res.body.events.some((e: { kind: string }) => e.kind === 'outcome')
  )
  t.equal(story.status, 200)
  const outcome = story.body.events.find((e: { kind: string }) => e.kind === 'outcome')
  t.match(outcome, { agentId: 'a-anna', data: { stage: 'offer', note: 'wants a discount', dealId: deal.id, dealStage: 'offer' } })
})

t.test("an outcome on a call another agent answered answers 404, and nothing is recorded", async (t) => {
  const { url, boris } = await demoWithAgents(t)
  await answeredCall(url, 'outcome-2', IVAN, 'a-anna')
  const refused = await request(`${url}/v1/me/calls/outcome-2/outcome`, { method: 'POST', headers: boris, body: { note: 'not my call' } })
  t.equal(refused.status, 404)
  t.equal(refused.body.error, 'CTI_ERR_CALL_NOT_FOUND')
  t.type(refused.body.message, 'string')

  await request(`${url}/v1/interactions/outcome-2/ended`, { method: 'POST' })
  const story = await eventually(() => request(`${url}/v1/calls/outcome-2`), (res) => res.status === 200)
  t.notOk(story.body.events.some((e: { kind: string }) => e.kind === 'outcome'), 'no outcome among the events')
})

t.test('a follow-up task set on an answered call is listed in GET /v1/me/tasks', async (t) => {
  const { url, anna } = await demoWithAgents(t)
  await answeredCall(url, 'follow-1', IVAN, 'a-anna')
  const created = await followUp(url, anna, 'follow-1')
  t.equal(created.status, 201)
  t.match(created.body, { title: 'Send the offer', status: 'open', assigneeAgentId: 'a-anna', callId: 'follow-1', note: 'after the call' })
  t.equal(Date.parse(created.body.dueAt), Date.parse(TOMORROW_10_MSK))

  const listed = (await request(`${url}/v1/me/tasks`, { headers: anna })).body.tasks
  t.match(
    listed.find((task: { id: number }) => task.id === created.body.id),
    { title: 'Send the offer', customer: { name: 'Ivan Petrov' }, overdue: false }
  )
})

t.test('the same Idempotency-Key twice makes one task; the second answer is the first one replayed', async (t) => {
  const { url, anna } = await demoWithAgents(t)
  await answeredCall(url, 'follow-2', IVAN, 'a-anna')
  const headers = { ...anna, 'idempotency-key': 'click-1' }
  const body = { callId: 'follow-2', title: 'Call back about seats', dueAt: TOMORROW_10_MSK }
  const first = await fetch(`${url}/v1/me/tasks`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const second = await fetch(`${url}/v1/me/tasks`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  t.equal(first.status, 201)
  t.equal(second.status, 201)
  t.equal(first.headers.get('idempotent-replayed'), null)
  t.equal(second.headers.get('idempotent-replayed'), 'true')
  t.same(await second.json(), await first.json(), 'the same task')

  const listed = (await request(`${url}/v1/me/tasks`, { headers: anna })).body.tasks
  t.equal(listed.filter((task: { title: string }) => task.title === 'Call back about seats').length, 1, 'one task')
})

t.test('an agent snoozes their own task: it falls due that many minutes from now', async (t) => {
  const { url, anna } = await demoWithAgents(t)
  await answeredCall(url, 'snooze-1', IVAN, 'a-anna')
  const task = (await followUp(url, anna, 'snooze-1')).body
  const snoozed = await request(`${url}/v1/me/tasks/${task.id}/snooze`, { method: 'POST', headers: anna, body: { minutes: 15 } })
  t.equal(snoozed.status, 200)
  t.equal(snoozed.body.dueAt, '2026-11-23T08:15:00.000Z', '15 minutes after the server clock (11:00 Moscow)')
  const listed = (await request(`${url}/v1/me/tasks`, { headers: anna })).body.tasks
  t.equal(listed.find((t2: { id: number }) => t2.id === task.id).dueAt, '2026-11-23T08:15:00.000Z')
})

t.test('an agent reschedules their own task to another due time', async (t) => {
  const { url, anna } = await demoWithAgents(t)
  await answeredCall(url, 'move-1', IVAN, 'a-anna')
  const task = (await followUp(url, anna, 'move-1')).body
  const moved = await request(`${url}/v1/me/tasks/${task.id}/reschedule`, { method: 'POST', headers: anna, body: { dueAt: '2026-11-25T15:30:00+03:00' } })
  t.equal(moved.status, 200)
  t.equal(moved.body.dueAt, '2026-11-25T12:30:00.000Z')
  const past = await request(`${url}/v1/me/tasks/${task.id}/reschedule`, { method: 'POST', headers: anna, body: { dueAt: '2026-11-20T10:00:00+03:00' } })
  t.equal(past.status, 400, 'not into the past')
  t.match(past.body.message, /in the past/)
})

t.test('an agent marks their own task done: it leaves their open tasks', async (t) => {
  const { url, anna } = await demoWithAgents(t)
  await answeredCall(url, 'done-1', IVAN, 'a-anna')
  const task = (await followUp(url, anna, 'done-1')).body
  const done = await request(`${url}/v1/me/tasks/${task.id}/done`, { method: 'POST', headers: anna })
  t.equal(done.status, 200)
  t.equal(done.body.status, 'done')
  const listed = (await request(`${url}/v1/me/tasks`, { headers: anna })).body.tasks
  t.notOk(listed.some((t2: { id: number }) => t2.id === task.id))
})

t.test("another agent's task can be neither snoozed, rescheduled nor closed: 404, and it stays as it was", async (t) => {
  const { url, anna, boris } = await demoWithAgents(t)
  await answeredCall(url, 'theirs-1', IVAN, 'a-anna')
  const task = (await followUp(url, anna, 'theirs-1')).body
  for (const [action, body] of [
    ['snooze', { minutes: 60 }],
    ['reschedule', { dueAt: '2026-11-26T10:00:00+03:00' }],
    ['done', undefined]
  ] as const) {
    const res = await request(`${url}/v1/me/tasks/${task.id}/${action}`, { method: 'POST', headers: boris, body })
    t.equal(res.status, 404, action)
    t.equal(res.body.error, 'CTI_ERR_TASK_NOT_FOUND', action)
  }
  const after = (await request(`${url}/v1/me/tasks`, { headers: anna })).body.tasks.find((t2: { id: number }) => t2.id === task.id)
  t.equal(Date.parse(after.dueAt), Date.parse(TOMORROW_10_MSK), 'still open and due as set')
})

t.test('a lead on a call the agent answered becomes their customer', async (t) => {
  const { url, boris } = await demoWithAgents(t)
  await answeredCall(url, 'lead-1', NEW_CALLER, 'a-boris')
  // The lead is written by a background job shortly after the call is routed.
  const lead = await eventually(() => request(`${url}/v1/leads/by-phone/${encodeURIComponent(NEW_CALLER)}`), (res) => res.status === 200)
  const leadId = lead.body.id
  const converted = await request(`${url}/v1/me/leads/${leadId}/convert`, { method: 'POST', headers: boris, body: { name: 'Pavel Orlov', company: 'Orlov & Co', callId: 'lead-1' } })
  t.equal(converted.status, 201)
  t.match(converted.body, { lead: { id: leadId }, customer: { name: 'Pavel Orlov', ownerAgentId: 'a-boris', phone: NEW_CALLER } })
  const card = await request(`${url}/v1/customers/by-phone/${encodeURIComponent(NEW_CALLER)}/card`)
  t.equal(card.body.customer.name, 'Pavel Orlov', 'the next call finds the customer')
  const again = await request(`${url}/v1/me/leads/${leadId}/convert`, { method: 'POST', headers: boris, body: { callId: 'lead-1' } })
  t.equal(again.status, 409, 'a lead is converted once')
})

// Known server bugs, found while building the page's actions: these two fail until the server is fixed.

t.test("a returning lead's call answered by another agent can be converted while it is live", async (t) => {
  const { url, app } = await testDemoApp(t)
  // The first call makes the lead, Boris's; with Boris away the second call goes to someone else.
  await answeredCall(url, 'first-contact', NEW_CALLER, 'a-boris')
  await request(`${url}/v1/interactions/first-contact/ended`, { method: 'POST' })
  const lead = await eventually(() => request(`${url}/v1/leads/by-phone/${encodeURIComponent(NEW_CALLER)}`), (res) => res.status === 200)
  app.agents.setAgentState('a-boris', 'away', MONDAY_11_MSK)
  const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: NEW_CALLER, dialed: SPRING_LINE, callId: 'second-contact' } })
  const agentId: string = routed.body.decision.targets[0].agentId
  t.not(agentId, 'a-boris')
  await request(`${url}/v1/interactions/second-contact/answered`, { method: 'POST', body: { agentId } })
  const headers = bearer(await agentToken(url, agentId))

  // Within the call's first second its record is not written yet, and CallAgents.takenBy finds the lead
  // only in calls.lead_id or as leads.first_call_id (the first call's id): the call has no lead for it.
  const converted = await request(`${url}/v1/me/leads/${lead.body.id}/convert`, { method: 'POST', headers, body: { callId: 'second-contact', name: 'Pavel Orlov' } })
  t.equal(converted.status, 201, `the lead of the call they took is theirs to convert (got ${converted.status} ${converted.body.message})`)
})

t.test('a due time without an offset is refused rather than read in the server\'s own time zone', async (t) => {
  const { url, anna } = await demoWithAgents(t)
  await answeredCall(url, 'no-offset', IVAN, 'a-anna')
  // "2026-11-24T10:00" is a wall-clock time with no zone: Date.parse reads it in the server process's
  // time zone, which is neither the agent's nor stated anywhere. The schema asks for an offset.
  const res = await request(`${url}/v1/me/tasks`, { method: 'POST', headers: anna, body: { callId: 'no-offset', title: 'Which 10:00?', dueAt: '2026-11-24T10:00' } })
  t.equal(res.status, 400, `refused (got ${res.status}, due ${res.body.dueAt})`)
})
