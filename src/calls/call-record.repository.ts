import { sql, type Insertable, type Kysely } from 'kysely'
import type { CallEventTable, CallTable, Database } from '../crm/schema.js'
import { durations, type CallRecord } from './call-record.js'

/**
 * Writes finished call records and their steps in one transaction. A record
 * written again (a call re-routed after it ended, a re-sync after a reconnect)
 * updates its row instead of adding one; its new steps are appended.
 */
export async function writeCallRecords(db: Kysely<Database>, records: readonly CallRecord[]): Promise<void> {
  if (records.length === 0) return
  const rows = records.map(toRow)
  const events = records.flatMap(toEventRows)
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('calls')
      .values(rows)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
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
      )
      .execute()
    if (events.length > 0) await trx.insertInto('call_events').values(events).execute()
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
