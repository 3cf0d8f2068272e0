import t from 'tap'
import { agentToken, request, testApp } from '../../helpers/test-app.js'
import { amiTestApp, CALLERS, until } from './ami-harness.js'

// An agent calls a customer back from the card or a task (POST /v1/me/callbacks): through
// Asterisk an Originate rings the agent's phone first, then the customer's number, and the call is
// recorded as outbound with the customer's card.

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

async function ivanId(url: string): Promise<number> {
  const card = await request(`${url}/v1/customers/by-phone/${encodeURIComponent(CALLERS.ivan)}/card`)
  return Number(card.body.customer.id)
}

t.test("an agent calls back their own customer: their phone rings first, then the customer's", async (t) => {
  const { url, standIn, records } = await amiTestApp(t)
  const anna = await agentToken(url, 'a-anna')
  const customerId = await ivanId(url)
  const placed = await request(`${url}/v1/me/callbacks`, { method: 'POST', headers: bearer(anna), body: { customerId } })
  t.equal(placed.status, 202, JSON.stringify(placed.body))
  t.match(placed.body, { phone: CALLERS.ivan, customerId, leadId: null, taskId: null, via: 'ami', status: 'ringing-agent' })
  const originate = standIn.actions.find((a) => a.name === 'originate')!
  t.match(originate.fields, { channel: 'Local/1001@cti-agents', context: 'cti-outbound', exten: '79161234567' })
  t.match(originate.fields.variable, new RegExp(`CTI_CUSTOMER_ID=${customerId}`))

  standIn.emit('OriginateResponse', [['Privilege', 'call,all'], ['ActionID', originate.fields.actionid!], ['Response', 'Success'], ['Channel', 'Local/1001@cti-agents-0000000c;1'], ['Context', 'cti-outbound'], ['Exten', '79161234567'], ['Reason', '4'], ['Uniqueid', '1795376800.40'], ['CallerIDNum', CALLERS.ivan], ['CallerIDName', 'Call-back']])
  standIn.emit('Hangup', [['Privilege', 'call,all'], ['Channel', 'Local/1001@cti-agents-0000000c;1'], ['Uniqueid', '1795376800.40'], ['Linkedid', '1795376800.40'], ['Cause', '16'], ['Cause-txt', 'Normal Clearing']])
  let record: Awaited<ReturnType<typeof records>>[number] | undefined
  await until(async () => (record = (await records()).find((r) => r.id === placed.body.callId)) !== undefined)
  t.match(record, { direction: 'outbound', agent_id: 'a-anna', customer_id: String(customerId) })
})

t.test("another agent's customer answers 404 and nothing is dialled", async (t) => {
  const { url, standIn } = await amiTestApp(t)
  const boris = await agentToken(url, 'a-boris')
  const refused = await request(`${url}/v1/me/callbacks`, { method: 'POST', headers: bearer(boris), body: { customerId: await ivanId(url) } })
  t.equal(refused.status, 404)
  t.equal(refused.body.error, 'CTI_ERR_CUSTOMER_NOT_FOUND')
  t.equal(standIn.actions.filter((a) => a.name === 'originate').length, 0)
})

t.test('a call-back from one of their tasks calls the task\'s customer and names the task', async (t) => {
  const { url, standIn } = await amiTestApp(t)
  const anna = await agentToken(url, 'a-anna')
  const customerId = await ivanId(url)
  const task = await request(`${url}/v1/me/tasks`, { method: 'POST', headers: bearer(anna), body: { customerId, title: 'Call Ivan about the invoice', dueAt: new Date(Date.now() + 3_600_000).toISOString() } })
  t.equal(task.status, 201, JSON.stringify(task.body))
  const placed = await request(`${url}/v1/me/callbacks`, { method: 'POST', headers: bearer(anna), body: { taskId: task.body.id } })
  t.equal(placed.status, 202, JSON.stringify(placed.body))
  t.match(placed.body, { customerId, taskId: task.body.id, phone: CALLERS.ivan })
  t.match(standIn.actions.find((a) => a.name === 'originate')!.fields.variable, new RegExp(`CTI_TASK_ID=${task.body.id}`))
})

t.test('a double click (the same Idempotency-Key twice) places one call', async (t) => {
  const { url, standIn } = await amiTestApp(t)
  const anna = await agentToken(url, 'a-anna')
  const customerId = await ivanId(url)
  const headers = { ...bearer(anna), 'idempotency-key': 'click-1' }
  const [first, second] = await Promise.all([
    request(`${url}/v1/me/callbacks`, { method: 'POST', headers, body: { customerId } }),
    request(`${url}/v1/me/callbacks`, { method: 'POST', headers, body: { customerId } })
  ])
  t.equal(first.status, 202)
  t.equal(second.status, 202)
  t.equal(first.body.callId, second.body.callId)
  t.equal(standIn.actions.filter((a) => a.name === 'originate').length, 1)
})

t.test('naming nobody, or two at once, answers 400', async (t) => {
  const { url } = await amiTestApp(t)
  const anna = await agentToken(url, 'a-anna')
  for (const body of [{}, { customerId: 1, leadId: 2 }]) {
    const res = await request(`${url}/v1/me/callbacks`, { method: 'POST', headers: bearer(anna), body })
    t.equal(res.status, 400, JSON.stringify(body))
    t.match(res.body.message, /one of customerId, leadId or taskId/)
  }
})

t.test('without Asterisk or drachtio the call-back is refused with what to configure', async (t) => {
  const { url } = await testApp(t)
  await request(`${url}/v1/agents/a-anna`, { method: 'PUT', body: { name: 'Anna', extension: '1001', team: 'sales' } })
  const customer = await request(`${url}/v1/customers`, { method: 'POST', body: { name: 'Ivan Petrov', ownerAgentId: 'a-anna', phones: [{ phone: CALLERS.ivan }] } })
  const anna = await agentToken(url, 'a-anna')
  const res = await request(`${url}/v1/me/callbacks`, { method: 'POST', headers: bearer(anna), body: { customerId: Number(customer.body.id) } })
  t.equal(res.status, 503)
  t.equal(res.body.error, 'CTI_ERR_NO_TELEPHONY')
  t.match(res.body.message, /AMI_HOST/)
})
