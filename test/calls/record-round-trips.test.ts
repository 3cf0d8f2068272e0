import t, { type Test } from 'tap'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { CallRecord } from '../../src/calls/call-record.js'
import { writeCallRecords } from '../../src/calls/call-record.repository.js'
import { migrate } from '../../src/crm/migrate.js'
import type { Database } from '../../src/crm/schema.js'
import { freshSchema, MIGRATIONS, TEST_DATABASE_URL } from '../helpers/test-app.js'

const T0 = Date.parse('2026-11-23T08:00:00Z')

/** A migrated schema reached through a Kysely that writes down every statement it sends, begin and commit included. */
async function countingDatabase(t: Test) {
  const schema = await freshSchema(t)
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2, options: `-c search_path=${schema}` })
  const sent: string[] = []
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: (event) => void sent.push(event.query.sql.trim().split(/\s+/)[0]!.toLowerCase()) })
  t.teardown(() => db.destroy())
  await migrate(db, MIGRATIONS)
  await db.insertInto('agents').values({ id: 'a-anna', name: 'Anna', extension: '1001' }).execute()
  const customer = await db.insertInto('customers').values({ name: 'Ivan Petrov' }).returning('id').executeTakeFirstOrThrow()
  const lead = await db.insertInto('leads').values({ phone: '+79035550101' }).returning('id').executeTakeFirstOrThrow()
  sent.length = 0
  return { db, sent, customerId: Number(customer.id), leadId: Number(lead.id) }
}

function answered(id: string, o: { customerId?: number; leadId?: number; degraded?: boolean }): CallRecord {
  return {
    id, kind: 'call', channel: 'http', direction: 'inbound', caller: '+79161234567', callerName: null, dialed: null,
    customerId: o.customerId ?? null, leadId: o.leadId ?? null, agentId: 'a-anna', rule: 'known customers', source: null, campaign: null,
    outcome: 'answered', endCause: 'hangup', finalAction: null, degraded: o.degraded ?? false,
    offeredAt: T0, routedAt: T0, ringingAt: T0 + 1000, answeredAt: T0 + 5000, endedAt: T0 + 65_000, trace: null,
    steps: [{ at: T0 + 1000, kind: 'offered', agentId: 'a-anna', data: null }, { at: T0 + 5000, kind: 'answered', agentId: 'a-anna', data: null }, { at: T0 + 65_000, kind: 'ended', agentId: null, data: null }]
  }
}

t.test("a batch of answered calls is written with its steps and its customers' and leads' last contact in one statement", async (t) => {
  const { db, sent, customerId, leadId } = await countingDatabase(t)
  const written = await writeCallRecords(db, [answered('rt-1', { customerId }), answered('rt-2', { leadId })])
  t.same(sent, ['with'], 'one round trip, no transaction around it')
  t.same(written.contacts, [{ customerId, lastAgentId: 'a-anna', lastContactAt: T0 + 5000 }], "the customer's contact as now on file")
  const steps = await db.selectFrom('call_events').select(['call_id', 'kind']).orderBy('call_id').orderBy('id').execute()
  t.same(steps.map((s) => `${s.call_id} ${s.kind}`), ['rt-1 offered', 'rt-1 answered', 'rt-1 ended', 'rt-2 offered', 'rt-2 answered', 'rt-2 ended'])
  const lead = await db.selectFrom('leads').select(['last_agent_id', 'last_contact_at']).where('id', '=', leadId).executeTakeFirstOrThrow()
  t.same([lead.last_agent_id, lead.last_contact_at?.toISOString()], ['a-anna', new Date(T0 + 5000).toISOString()], "the lead's contact too")
})

t.test('a batch that must read first (a call identified while the CRM was down) is written in one transaction', async (t) => {
  const { db, sent } = await countingDatabase(t)
  await writeCallRecords(db, [answered('rt-3', { degraded: true })])
  t.equal(sent[0], 'begin')
  t.equal(sent.at(-1), 'commit')
})

t.test("a call's in-progress and final records in one batch are written in one transaction, the final one last", async (t) => {
  const { db, sent, customerId } = await countingDatabase(t)
  const final = answered('rt-4', { customerId })
  const inProgress: CallRecord = { ...final, outcome: null, endCause: null, endedAt: null, steps: final.steps.slice(0, 2) }
  await writeCallRecords(db, [inProgress, { ...final, steps: final.steps.slice(2) }])
  t.same([sent[0], sent.at(-1)], ['begin', 'commit'])
  const row = await db.selectFrom('calls').select(['outcome']).where('id', '=', 'rt-4').executeTakeFirstOrThrow()
  t.equal(row.outcome, 'answered')
})
