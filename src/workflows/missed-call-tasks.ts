import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { CallRecord } from '../calls/call-record.js'
import { findOpenLeadByPhone, type Lead } from '../crm/lead.repository.js'
import type { Database } from '../crm/schema.js'
import { closeCallBackTasks, openCallBackTask, responsibleForCustomer } from '../crm/task-callback.repository.js'
import type { ScreenPopEvent } from '../screenpop/card-events.js'
import type { BackgroundJobs } from './background-jobs.js'

export interface MissedCallTasksOptions {
  db: Kysely<Database>
  jobs: BackgroundJobs
  /** The lead the capture found or made for an interaction, when it saw it. */
  leadOf: (callId: string) => Promise<Lead | null> | undefined
  notify: (agentId: string, event: ScreenPopEvent) => void
  logger: Logger
  now: () => number
  /** Minutes after the missed call within which it must be called back. */
  dueMinutes: number
}

const UNANSWERED = new Set(['missed', 'abandoned'])

/**
 * Turns every inbound call that ended unanswered (missed or abandoned) into a
 * call-back task for the customer's owner (else the agent who last worked with
 * them), or for a lead, the agent the call was last offered to. One open
 * call-back task per customer or lead: more tries count on it. A later
 * answered call with the same customer or number closes it. Fed the finished
 * call records; the database work runs in the background.
 */
export class MissedCallTasks {
  private readonly closeJob: (context: Record<string, unknown>, call: FinishedCall) => Promise<void>
  private readonly openJob: (context: Record<string, unknown>, call: FinishedCall) => Promise<void>

  constructor(private readonly options: MissedCallTasksOptions) {
    this.closeJob = options.jobs.define('close-call-back-tasks', (call: FinishedCall) => this.close(call))
    this.openJob = options.jobs.define('missed-call-task', (call: FinishedCall) => this.open(call))
  }

  /** The CallRecorder's finished-record listener. */
  readonly handle = (record: Readonly<CallRecord>): void => {
    const call = { callId: record.id, kind: record.kind, direction: record.direction, outcome: record.outcome, customerId: record.customerId, leadId: record.leadId, caller: record.caller, callerName: record.callerName, agentId: record.agentId, endedAt: record.endedAt, degraded: record.degraded }
    if (call.outcome === 'answered') {
      void this.closeJob({ callId: call.callId }, call)
      return
    }
    if (call.direction !== 'inbound' || call.kind !== 'call' || !UNANSWERED.has(call.outcome ?? '')) return
    void this.openJob({ callId: call.callId }, call)
  }

  private async open(call: FinishedCall): Promise<void> {
    const { db, logger, now, dueMinutes } = this.options
    const log = logger.child({ callId: call.callId })
    let assignee: string | null
    let leadId: number | null = null
    // Routed while the CRM was unreachable: the caller may be a customer after all.
    const customerId = call.customerId ?? (call.degraded && call.caller ? await customerOfPhone(db, call.caller) : null)
    if (customerId !== null) {
      assignee = (await responsibleForCustomer(db, customerId)) ?? call.agentId
    } else {
      const lead = call.leadId !== null ? { id: call.leadId, agentId: null } : await this.leadOfCall(call)
      if (!lead) {
        log.info({ caller: call.caller }, 'missed call from a withheld or unusable number: nobody to call back')
        return
      }
      leadId = lead.id
      assignee = call.agentId ?? lead.agentId
    }
    const who = call.callerName ?? call.caller ?? 'the caller'
    const { task, created } = await openCallBackTask(db, {
      customerId,
      leadId,
      assigneeAgentId: assignee,
      title: `Call back ${who} (missed call)`,
      dueAt: (call.endedAt ?? now()) + dueMinutes * 60_000,
      callId: call.callId
    })
    log.info({ taskId: task.id, assignee, customerId, leadId, attempts: task.attempts, created }, created ? 'call-back task created' : 'call-back task already open; try counted')
    if (created && assignee) this.options.notify(assignee, { type: 'task', callId: call.callId, task, why: 'missed-call' })
  }

  private async close(call: FinishedCall): Promise<void> {
    const closed = await closeCallBackTasks(this.options.db, { customerId: call.customerId, phone: call.caller }, this.options.now(), call.callId)
    for (const task of closed) {
      this.options.logger.info({ callId: call.callId, taskId: task.id }, 'call-back task closed by an answered call')
      if (task.assigneeAgentId) this.options.notify(task.assigneeAgentId, { type: 'task-closed', callId: call.callId, taskId: task.id, why: 'answered call' })
    }
  }

  private async leadOfCall(call: FinishedCall): Promise<{ id: number; agentId: string | null } | null> {
    const seen = this.options.leadOf(call.callId)
    const lead = seen ? await seen : null
    if (lead) return lead
    return call.caller ? findOpenLeadByPhone(this.options.db, call.caller) : null
  }
}

/** What a call-back task job needs, as plain data (it may wait in the journal across a restart). */
interface FinishedCall {
  callId: string
  kind: string
  direction: string
  outcome: string | null
  customerId: number | null
  leadId: number | null
  caller: string | null
  callerName: string | null
  agentId: string | null
  endedAt: number | null
  /** Routed while the CRM was unreachable (the caller was taken for unknown). */
  degraded?: boolean
}

async function customerOfPhone(db: Kysely<Database>, phone: string): Promise<number | null> {
  const row = await db.selectFrom('customer_phones').select('customer_id').where('phone', '=', phone).executeTakeFirst()
  return row ? Number(row.customer_id) : null
}
