import { sql, type Insertable, type Kysely, type Transaction } from 'kysely'
import type { CallEventTable, CallTable, Database } from '../crm/schema.js'
import { writableValue } from '../durability/writable-text.js'
import { durations, type CallRecord } from './call-record.js'
import { recordCustomerContacts, recordLeadContacts } from './contact.repository.js'
import { contactsOf } from './contacts.js'

export interface CallRecordWriteSettings {
  /** A talk at least this long makes its agent the customer's (or lead's) last agent. */
  lastAgentMinTalkSeconds: number
}

/** What a write changed beyond the calls themselves. */
export interface CallRecordsWritten {
  /** Customers whose last contact or last agent the write changed: what is cached of them is stale. */
  customers: number[]
}

const DEFAULT_SETTINGS: CallRecordWriteSettings = { lastAgentMinTalkSeconds: 10 }

/**
 * Writes call records and their steps in one transaction. A record written
 * again (a call in progress, then ended; a re-sync after a reconnect) updates
 * its row instead of adding one, and its steps are appended — the caller hands
 * over each step once. A record without an outcome never overwrites one that
 * has it. In the same transaction: a call identified in degraded mode (the CRM
 * was unreachable) is linked to the customer its number belongs to, and
 * answered calls move their customer's and lead's last contact and last agent.
 * Strings PostgreSQL would refuse (a NUL byte) are cleaned first, so a record
 * is never lost to them.
 */
export async function writeCallRecords(db: Kysely<Database>, given: readonly CallRecord[], settings: CallRecordWriteSettings = DEFAULT_SETTINGS): Promise<CallRecordsWritten> {
  if (given.length === 0) return { customers: [] }
  const cleaned = given.map((record) => writableValue(record))
  return db.transaction().execute(async (trx) => {
    const records = await linkDegraded(trx, cleaned)
    for (const generation of generations(records)) await upsertCalls(trx, generation)
    const events = records.flatMap(toEventRows)
    if (events.length > 0) await trx.insertInto('call_events').values(events).execute()
    const contacts = contactsOf(records, settings.lastAgentMinTalkSeconds)
    await recordLeadContacts(trx, contacts.leads)
    return { customers: await recordCustomerContacts(trx, contacts.customers) }
  })
}

async function upsertCalls(trx: Transaction<Database>, records: readonly CallRecord[]): Promise<void> {
  await trx
    .insertInto('calls')
    .values(records.map(toRow))
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          offered_at: sql`least(calls.offered_at, ${eb.ref('excluded.offered_at')})`,
          routed_at: sql`coalesce(calls.routed_at, ${eb.ref('excluded.routed_at')})`,
          ringing_at: eb.ref('excluded.ringing_at'),
          answered_at: eb.ref('excluded.answered_at'),
          ended_at: eb.ref('excluded.ended_at'),
          wait_seconds: eb.ref('excluded.wait_seconds'),
          talk_seconds: eb.ref('excluded.talk_seconds'),
          outcome: eb.ref('excluded.outcome'),
          end_cause: eb.ref('excluded.end_cause'),
          final_action: eb.ref('excluded.final_action'),
          agent_id: sql`coalesce(${eb.ref('excluded.agent_id')}, calls.agent_id)`,
          customer_id: sql`coalesce(${eb.ref('excluded.customer_id')}, calls.customer_id)`,
          lead_id: sql`coalesce(${eb.ref('excluded.lead_id')}, calls.lead_id)`,
          rule: sql`coalesce(${eb.ref('excluded.rule')}, calls.rule)`,
          trace: sql`coalesce(calls.trace, ${eb.ref('excluded.trace')})`
        }))
        // A call still in progress written after its end (a journal replayed late) must not undo the end.
        .where(sql<boolean>`excluded.outcome is not null or calls.outcome is null`)
    )
    .execute()
}

/**
 * The records in runs without a repeated id: one INSERT … ON CONFLICT may not
 * touch a row twice, and a call's in-progress and final records can share a batch.
 */
function generations(records: readonly CallRecord[]): CallRecord[][] {
  const runs: CallRecord[][] = []
  const seen = new Map<string, number>()
  for (const record of records) {
    const run = seen.get(record.id) ?? 0
    seen.set(record.id, run + 1)
    ;(runs[run] ??= []).push(record)
  }
  return runs
}

/** Calls routed while the CRM was unreachable, linked to the customer their number belongs to now that it answers. */
async function linkDegraded(trx: Transaction<Database>, records: CallRecord[]): Promise<CallRecord[]> {
  const phones = [...new Set(records.filter((r) => r.degraded && r.customerId === null && r.caller !== null).map((r) => r.caller!))]
  if (phones.length === 0) return records
  const owners = await trx.selectFrom('customer_phones').select(['phone', 'customer_id']).where('phone', 'in', phones).execute()
  if (owners.length === 0) return records
  const customerOf = new Map(owners.map((o) => [o.phone, Number(o.customer_id)]))
  return records.map((r) => {
    const customerId = r.degraded && r.customerId === null && r.caller !== null ? customerOf.get(r.caller) : undefined
    return customerId === undefined ? r : { ...r, customerId }
  })
}

function toRow(record: CallRecord): Insertable<CallTable> {
  const { waitSeconds, talkSeconds } = durations(record)
  return {
    id: record.id,
    kind: record.kind,
    channel: record.channel,
    direction: record.direction,
    caller: record.caller,
    caller_name: record.callerName,
    dialed: record.dialed,
    customer_id: record.customerId,
    lead_id: record.leadId,
    agent_id: record.agentId,
    rule: record.rule,
    source: record.source,
    campaign: record.campaign,
    outcome: record.outcome,
    end_cause: record.endCause,
    final_action: record.finalAction,
    degraded: record.degraded,
    offered_at: new Date(record.offeredAt),
    routed_at: date(record.routedAt),
    ringing_at: date(record.ringingAt),
    answered_at: date(record.answeredAt),
    ended_at: date(record.endedAt),
    wait_seconds: waitSeconds,
    talk_seconds: talkSeconds,
    trace: record.trace === null || record.trace === undefined ? null : JSON.stringify(record.trace)
  }
}

function toEventRows(record: CallRecord): Insertable<CallEventTable>[] {
  return record.steps.map((step) => ({
    call_id: record.id,
    at: new Date(step.at),
    kind: step.kind,
    agent_id: step.agentId,
    data: step.data === null ? null : JSON.stringify(step.data)
  }))
}

function date(epochMs: number | null): Date | null {
  return epochMs === null ? null : new Date(epochMs)
}
