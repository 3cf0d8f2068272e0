import t from 'tap'
import type { Kysely } from 'kysely'
import type { CallRecord } from '../../src/calls/call-record.js'
import { writeCallRecords } from '../../src/calls/call-record.repository.js'
import { convertLead } from '../../src/crm/lead-conversion.js'
import { getLead } from '../../src/crm/lead.repository.js'
import type { Database } from '../../src/crm/schema.js'
import { testDatabase } from '../helpers/test-app.js'

const T0 = Date.parse('2026-11-23T08:00:00Z')
const IVAN = '+79161234567'
const NEWCOMER = '+79035550101'
const SETTINGS = { lastAgentMinTalkSeconds: 10 }

/** A call answered `answeredAfterS` seconds after T0 that lasted `talkS` seconds. */
function call(id: string, o: { agentId: string; answeredAfterS: number; talkS: number; customerId?: number | null; leadId?: number | null }): CallRecord {
  const answeredAt = T0 + o.answeredAfterS * 1000
  return {
    id, kind: 'call', channel: 'http', direction: 'inbound', caller: IVAN, callerName: null, dialed: null,
    customerId: o.customerId ?? null, leadId: o.leadId ?? null, agentId: o.agentId, rule: 'known customers', source: null, campaign: null,
    outcome: 'answered', endCause: null, finalAction: null, degraded: false,
    offeredAt: answeredAt - 5000, routedAt: answeredAt - 5000, ringingAt: null, answeredAt, endedAt: answeredAt + o.talkS * 1000,
    trace: null, steps: []
  }
}

function missed(id: string, o: { agentId: string; afterS: number; customerId: number }): CallRecord {
  const at = T0 + o.afterS * 1000
  return { ...call(id, { agentId: o.agentId, answeredAfterS: o.afterS, talkS: 0, customerId: o.customerId }), outcome: 'missed', answeredAt: null, endedAt: at + 20_000 }
}

async function crm(db: Kysely<Database>) {
  await db.insertInto('agents').values([{ id: 'a-anna', name: 'Anna', extension: '1001' }, { id: 'a-boris', name: 'Boris', extension: '1002' }]).execute()
  const customer = await db.insertInto('customers').values({ name: 'Ivan Petrov' }).returning('id').executeTakeFirstOrThrow()
  await db.insertInto('customer_phones').values({ phone: IVAN, customer_id: customer.id }).execute()
  const lead = await db.insertInto('leads').values({ phone: NEWCOMER }).returning('id').executeTakeFirstOrThrow()
  return { customerId: Number(customer.id), leadId: Number(lead.id) }
}

const customerOf = (db: Kysely<Database>, id: number) => db.selectFrom('customers').select(['last_agent_id', 'last_contact_at']).where('id', '=', id).executeTakeFirstOrThrow()

t.test('an answered talk of at least the minimum makes its agent the last agent, and sets the last contact', async (t) => {
  const { db } = await testDatabase(t)
  const { customerId } = await crm(db)
  const written = await writeCallRecords(db, [call('c-1', { agentId: 'a-anna', answeredAfterS: 0, talkS: 10, customerId })], SETTINGS)
  t.same(written.customers, [customerId], 'the customer is named as changed')
  t.same(await customerOf(db, customerId), { last_agent_id: 'a-anna', last_contact_at: new Date(T0) })
})

t.test('a shorter talk moves the last contact but not the last agent', async (t) => {
  const { db } = await testDatabase(t)
  const { customerId } = await crm(db)
  await writeCallRecords(db, [call('c-1', { agentId: 'a-anna', answeredAfterS: 0, talkS: 120, customerId })], SETTINGS)
  await writeCallRecords(db, [call('c-2', { agentId: 'a-boris', answeredAfterS: 600, talkS: 9, customerId })], SETTINGS)
  t.same(await customerOf(db, customerId), { last_agent_id: 'a-anna', last_contact_at: new Date(T0 + 600_000) })
})

t.test('a missed ring changes neither', async (t) => {
  const { db } = await testDatabase(t)
  const { customerId } = await crm(db)
  await writeCallRecords(db, [call('c-1', { agentId: 'a-anna', answeredAfterS: 0, talkS: 120, customerId })], SETTINGS)
  const written = await writeCallRecords(db, [missed('c-2', { agentId: 'a-boris', afterS: 600, customerId })], SETTINGS)
  t.same(written.customers, [])
  t.same(await customerOf(db, customerId), { last_agent_id: 'a-anna', last_contact_at: new Date(T0) })
})

t.test('in one batch the latest long talk wins, and a record written late never moves the contact back', async (t) => {
  const { db } = await testDatabase(t)
  const { customerId } = await crm(db)
  await writeCallRecords(db, [
    call('c-2', { agentId: 'a-boris', answeredAfterS: 600, talkS: 60, customerId }),
    call('c-1', { agentId: 'a-anna', answeredAfterS: 0, talkS: 60, customerId })
  ], SETTINGS)
  t.same(await customerOf(db, customerId), { last_agent_id: 'a-boris', last_contact_at: new Date(T0 + 600_000) })
  await writeCallRecords(db, [call('c-0', { agentId: 'a-anna', answeredAfterS: -600, talkS: 60, customerId })], SETTINGS)
  t.same(await customerOf(db, customerId), { last_agent_id: 'a-boris', last_contact_at: new Date(T0 + 600_000) })
})

t.test("an agent who is no longer in the CRM is not named, and the call is still written", async (t) => {
  const { db } = await testDatabase(t)
  const { customerId } = await crm(db)
  await writeCallRecords(db, [call('c-1', { agentId: 'a-gone', answeredAfterS: 0, talkS: 60, customerId })], SETTINGS)
  t.same(await customerOf(db, customerId), { last_agent_id: null, last_contact_at: new Date(T0) })
  t.ok(await db.selectFrom('calls').select('id').where('id', '=', 'c-1').executeTakeFirst())
})

t.test("a lead's answered calls set the lead's last agent and last contact", async (t) => {
  const { db } = await testDatabase(t)
  const { leadId } = await crm(db)
  await writeCallRecords(db, [call('c-1', { agentId: 'a-boris', answeredAfterS: 0, talkS: 45, leadId })], SETTINGS)
  const lead = await db.selectFrom('leads').select(['last_agent_id', 'last_contact_at']).where('id', '=', leadId).executeTakeFirstOrThrow()
  t.same(lead, { last_agent_id: 'a-boris', last_contact_at: new Date(T0) })
})

t.test('a lead converted to a customer hands over its last agent and last contact', async (t) => {
  const { db } = await testDatabase(t)
  const { leadId } = await crm(db)
  await db.updateTable('leads').set({ agent_id: 'a-anna' }).where('id', '=', leadId).execute()
  await writeCallRecords(db, [call('c-1', { agentId: 'a-boris', answeredAfterS: 0, talkS: 45, leadId })], SETTINGS)
  t.match(await getLead(db, leadId), { lastAgentId: 'a-boris', lastContactAt: new Date(T0).toISOString() }, 'the lead shows them')
  const { customer } = await convertLead(db, leadId, { name: 'Petr' }, T0 + 3_600_000)
  t.same(await customerOf(db, customer.id), { last_agent_id: 'a-boris', last_contact_at: new Date(T0) }, 'the agent who talked with them, not the one first routed to')
})

t.test('a call routed while the CRM was unreachable is linked to the customer its number belongs to', async (t) => {
  const { db } = await testDatabase(t)
  const { customerId } = await crm(db)
  const degraded = { ...call('c-1', { agentId: 'a-anna', answeredAfterS: 0, talkS: 60 }), degraded: true }
  const unknown = { ...call('c-2', { agentId: 'a-anna', answeredAfterS: 0, talkS: 60 }), degraded: true, caller: '+79990001122' }
  const written = await writeCallRecords(db, [degraded, unknown], SETTINGS)
  const rows = await db.selectFrom('calls').select(['id', 'customer_id', 'degraded']).orderBy('id').execute()
  t.same(rows, [
    { id: 'c-1', customer_id: customerId, degraded: true },
    { id: 'c-2', customer_id: null, degraded: true }
  ])
  t.same(written.customers, [customerId], 'and its answered talk counts for that customer')
  t.equal((await customerOf(db, customerId)).last_agent_id, 'a-anna')
})
