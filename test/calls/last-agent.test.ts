import t from 'tap'
import type { App } from '../../src/app.js'
import { MONDAY_11_MSK, request, testApp } from '../helpers/test-app.js'

const SPRING_LINE = '+74951234567'
const MARIA = '+79035550199'

/** A server with the demo CRM, a clock the test moves, and Maria: a customer with no owner. */
async function server(t: Parameters<typeof testApp>[0]) {
  let clock = MONDAY_11_MSK
  const { app, url } = await testApp(t, { DEMO_DATA: 'true' }, { now: () => clock })
  t.equal((await request(`${url}/v1/demo-data`, { method: 'POST' })).status, 201)
  const created = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Maria Ivanova', phones: [{ phone: MARIA }] } })
  t.equal(created.status, 201)
  return { app, url, pass: (seconds: number) => void (clock += seconds * 1000) }
}

async function card(url: string) {
  return (await request(`${url}/v1/customers/by-phone/${encodeURIComponent(MARIA)}/card`)).body.customer
}

async function settled(app: App) {
  await app.calls.flush()
  await app.workflows.settled()
}

t.test('an answered talk of 10 s or more makes its agent the last agent: the card shows them and the next call rings them first', async (t) => {
  const { app, url, pass } = await server(t)
  const first = await request(`${url}/v1/route`, { method: 'POST', body: { caller: MARIA, dialed: SPRING_LINE, callId: 'la-1' } })
  const agentId = first.body.decision.targets[0].agentId as string
  t.not(first.body.decision.targets[0].step, 'last-agent', 'nobody worked with her yet')
  pass(2)
  await request(`${url}/v1/interactions/la-1/answered`, { method: 'POST', body: { agentId } })
  pass(12)
  await request(`${url}/v1/interactions/la-1/ended`, { method: 'POST' })
  await settled(app)
  t.match(await card(url), { lastAgentId: agentId, lastContactAt: new Date(MONDAY_11_MSK + 2000).toISOString() })

  pass(120) // past the agent's wrap-up
  const next = await request(`${url}/v1/route`, { method: 'POST', body: { caller: MARIA, dialed: SPRING_LINE, callId: 'la-2' } })
  t.match(next.body.decision.targets[0], { agentId, step: 'last-agent' }, 'the next call goes to the agent who worked with her')
})

t.test('a short talk moves the last contact but not the last agent, and a missed ring changes neither', async (t) => {
  const { app, url, pass } = await server(t)
  const first = await request(`${url}/v1/route`, { method: 'POST', body: { caller: MARIA, dialed: SPRING_LINE, callId: 'sh-1' } })
  const lastAgent = first.body.decision.targets[0].agentId as string
  await request(`${url}/v1/interactions/sh-1/answered`, { method: 'POST', body: { agentId: lastAgent } })
  pass(30)
  await request(`${url}/v1/interactions/sh-1/ended`, { method: 'POST' })
  await settled(app)
  pass(120)

  // Her last agent does not pick up; somebody else answers and hangs up within seconds.
  const second = await request(`${url}/v1/route`, { method: 'POST', body: { caller: MARIA, dialed: SPRING_LINE, callId: 'sh-2' } })
  t.match(second.body.decision.targets[0], { agentId: lastAgent, step: 'last-agent' })
  const after = await request(`${url}/v1/interactions/sh-2/no-answer`, { method: 'POST', body: { agentId: lastAgent } })
  const other = after.body.decision.targets[0].agentId as string
  t.not(other, lastAgent)
  await request(`${url}/v1/interactions/sh-2/answered`, { method: 'POST', body: { agentId: other } })
  const shortAnsweredAt = new Date(MONDAY_11_MSK + 150_000).toISOString()
  pass(5)
  await request(`${url}/v1/interactions/sh-2/ended`, { method: 'POST' })
  await settled(app)
  t.match(await card(url), { lastAgentId: lastAgent, lastContactAt: shortAnsweredAt }, 'a 5 s talk is a contact, not a relationship')
  pass(120)

  // A call that only rang.
  let targets = (await request(`${url}/v1/route`, { method: 'POST', body: { caller: MARIA, dialed: SPRING_LINE, callId: 'sh-3' } })).body.decision.targets
  while (targets.length > 0) targets = (await request(`${url}/v1/interactions/sh-3/no-answer`, { method: 'POST', body: { agentId: targets[0].agentId } })).body.decision.targets
  await settled(app)
  t.match(await card(url), { lastAgentId: lastAgent, lastContactAt: shortAnsweredAt }, 'a missed ring counts for nothing')
})
