import t from 'tap'
import type { CallRecord } from '../../src/calls/call-record.js'
import { writeCallRecords } from '../../src/calls/call-record.repository.js'
import { CallerIdentifier } from '../../src/identify/identify-caller.js'
import { testDatabase } from '../helpers/test-app.js'

const IVAN = '+79161234567'
const ANSWERED = Date.parse('2026-12-06T10:00:00Z')

const answeredByAnna = (customerId: number): CallRecord => ({
  id: 'c-1', kind: 'call', channel: 'http', direction: 'inbound', caller: IVAN, callerName: null, dialed: null,
  customerId, leadId: null, agentId: 'a-anna', rule: 'known customers', source: null, campaign: null,
  outcome: 'answered', endCause: null, finalAction: null, degraded: false,
  offeredAt: ANSWERED - 5000, routedAt: ANSWERED - 5000, ringingAt: null, answeredAt: ANSWERED, endedAt: ANSWERED + 60_000,
  trace: null, steps: []
})

t.test("a recorded call's new last agent reaches the cached caller without another lookup", async (t) => {
  const { db } = await testDatabase(t)
  await db.insertInto('agents').values({ id: 'a-anna', name: 'Anna Volkova', extension: '1001' }).execute()
  const { id } = await db.insertInto('customers').values({ name: 'Ivan Petrov' }).returning('id').executeTakeFirstOrThrow()
  await db.insertInto('customer_phones').values({ phone: IVAN, customer_id: id }).execute()
  const identifier = new CallerIdentifier(db, 'RU', 100)
  const changed: string[] = []
  identifier.onCustomerChanged((customerId) => changed.push(customerId))
  t.match((await identifier.identify('8 916 123-45-67')).customer, { name: 'Ivan Petrov', lastAgentId: null })

  const written = await writeCallRecords(db, [answeredByAnna(Number(id))], { lastAgentMinTalkSeconds: 10 })
  t.same(written.contacts, [{ customerId: Number(id), lastAgentId: 'a-anna', lastContactAt: ANSWERED }], 'the write reads back what is now on file')
  for (const change of written.contacts) identifier.contactRecorded(change)

  // Were the cache to look the number up again, it would find nobody now.
  await db.deleteFrom('customer_phones').where('phone', '=', IVAN).execute()
  t.match((await identifier.identify('+7 916 123 45 67')).customer, { name: 'Ivan Petrov', lastAgentId: 'a-anna', lastContactAt: ANSWERED })
  t.same(changed, [String(id)], 'the cards kept for calls in progress and the waiting calls are told')
})
