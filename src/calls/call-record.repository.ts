import { sql, type Insertable, type Kysely, type RawBuilder, type Transaction } from 'kysely'
import type { CallEventTable, CallTable, Database } from '../crm/schema.js'
import { writableValue } from '../durability/writable-text.js'
import { durations, type CallRecord } from './call-record.js'
import { customerContactsUpdate, leadContactsUpdate, recordCustomerContacts, recordLeadContacts, toContactRecorded, type ContactRecorded, type ContactRow } from './contact.repository.js'
import { contactsOf } from './contacts.js'

export interface CallRecordWriteSettings {
  /** A talk at least this long makes its agent the customer's (or lead's) last agent. */
  lastAgentMinTalkSeconds: number
}

/** What a write changed beyond the calls themselves. */
export interface CallRecordsWritten {
  /** Customers whose last contact or last agent the write changed: what is cached of them is stale. */
  customers: number[]
  /** The same customers' last agent and last contact as now on file: what is cached of them can be brought up to date. */
  contacts: ContactRecorded[]
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
  if (given.length === 0) return { customers: [], contacts: [] }
  const cleaned = given.map((record) => writableValue(record))
  const runs = generations(cleaned)
  // Nothing to read first and no call twice: one statement (its own transaction), one round trip,
  // and on the embedded database nothing else waits behind a transaction held open.
  if (runs.length === 1 && !cleaned.some(needsLink)) return writeInOneStatement(db, cleaned, settings)
  return db.transaction().execute(async (trx) => {
    const records = await linkDegraded(trx, cleaned)
    for (const generation of generations(records)) await upsertCalls(generation).execute(trx)
    const events = records.flatMap(toEventRows)
    if (events.length > 0) await insertEvents(events).execute(trx)
    const contacts = contactsOf(records, settings.lastAgentMinTalkSeconds)
    await recordLeadContacts(trx, contacts.leads)
    const recorded = await recordCustomerContacts(trx, contacts.customers)
    return { customers: recorded.map((c) => c.customerId), contacts: recorded }
  })
}

/** The calls, their steps and their contacts as data-modifying parts of one statement. */
async function writeInOneStatement(db: Kysely<Database>, records: readonly CallRecord[], settings: CallRecordWriteSettings): Promise<CallRecordsWritten> {
  const events = records.flatMap(toEventRows)
  const contacts = contactsOf(records, settings.lastAgentMinTalkSeconds)
  const parts = [sql`written as (${upsertCalls(records)} returning 1)`]
  if (events.length > 0) parts.push(sql`steps as (${insertEvents(events)} returning 1)`)
  if (contacts.leads.length > 0) parts.push(sql`lead_contacts as (${leadContactsUpdate(contacts.leads)} returning 1)`)
  if (contacts.customers.length === 0) {
    await sql`with ${sql.join(parts)} select 1`.execute(db)
    return { customers: [], contacts: [] }
  }
  parts.push(sql`customer_contacts as (${customerContactsUpdate(contacts.customers)})`)
  const { rows } = await sql<ContactRow>`with ${sql.join(parts)} select * from customer_contacts`.execute(db)
  const recorded = rows.map(toContactRecorded)
  return { customers: recorded.map((c) => c.customerId), contacts: recorded }
}

/** The columns of a call row and their types: each goes over as one array, so a batch of any size is one statement text (prepared once). */
const CALL_COLUMNS = [
  ['id', 'text'], ['kind', 'text'], ['channel', 'text'], ['direction', 'text'], ['caller', 'text'], ['caller_name', 'text'], ['dialed', 'text'],
  ['customer_id', 'bigint'], ['lead_id', 'bigint'], ['agent_id', 'text'], ['rule', 'text'], ['source', 'text'], ['campaign', 'text'],
  ['outcome', 'text'], ['end_cause', 'text'], ['final_action', 'text'], ['degraded', 'boolean'], ['offered_at', 'timestamptz'],
  ['routed_at', 'timestamptz'], ['ringing_at', 'timestamptz'], ['answered_at', 'timestamptz'], ['ended_at', 'timestamptz'],
  ['wait_seconds', 'numeric'], ['talk_seconds', 'numeric'], ['trace', 'jsonb']
] as const satisfies readonly (readonly [keyof CallTable, string])[]

function upsertCalls(records: readonly CallRecord[]): RawBuilder<unknown> {
  const rows = records.map(toRow)
  const arrays = CALL_COLUMNS.map(([column, type]) => sql`${rows.map((row) => row[column] ?? null)}::${sql.raw(type)}[]`)
  return sql`
    insert into calls (${sql.join(CALL_COLUMNS.map(([column]) => sql.id(column)))})
    select * from unnest(${sql.join(arrays)})
    on conflict (id) do update set
      offered_at = least(calls.offered_at, excluded.offered_at),
      routed_at = coalesce(calls.routed_at, excluded.routed_at),
      ringing_at = excluded.ringing_at,
      answered_at = excluded.answered_at,
      ended_at = excluded.ended_at,
      wait_seconds = excluded.wait_seconds,
      talk_seconds = excluded.talk_seconds,
      outcome = excluded.outcome,
      end_cause = excluded.end_cause,
      final_action = excluded.final_action,
      agent_id = coalesce(excluded.agent_id, calls.agent_id),
      customer_id = coalesce(excluded.customer_id, calls.customer_id),
      lead_id = coalesce(excluded.lead_id, calls.lead_id),
      rule = coalesce(excluded.rule, calls.rule),
      trace = coalesce(calls.trace, excluded.trace)
    -- A call still in progress written after its end (a journal replayed late) must not undo the end.
    where excluded.outcome is not null or calls.outcome is null`
}

/** A batch's steps in one statement of fixed text, whatever their number. */
function insertEvents(events: readonly Insertable<CallEventTable>[]): RawBuilder<unknown> {
  return sql`
    insert into call_events (call_id, at, kind, agent_id, data)
    select * from unnest(${events.map((e) => e.call_id)}::text[], ${events.map((e) => e.at)}::timestamptz[], ${events.map((e) => e.kind)}::text[],
      ${events.map((e) => e.agent_id ?? null)}::text[], ${events.map((e) => e.data ?? null)}::jsonb[])`
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

/** A call routed while the CRM was unreachable, whose customer (if any) is still to be found by its number. */
const needsLink = (r: CallRecord): boolean => r.degraded && r.customerId === null && r.caller !== null

/** Calls routed while the CRM was unreachable, linked to the customer their number belongs to now that it answers. */
async function linkDegraded(trx: Transaction<Database>, records: CallRecord[]): Promise<CallRecord[]> {
  const phones = [...new Set(records.filter(needsLink).map((r) => r.caller!))]
  if (phones.length === 0) return records
  const owners = await trx.selectFrom('customer_phones').select(['phone', 'customer_id']).where('phone', 'in', phones).execute()
  if (owners.length === 0) return records
  const customerOf = new Map(owners.map((o) => [o.phone, Number(o.customer_id)]))
  return records.map((r) => {
    const customerId = needsLink(r) ? customerOf.get(r.caller!) : undefined
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
