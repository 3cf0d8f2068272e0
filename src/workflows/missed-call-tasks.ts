import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { CallRecord } from '../calls/call-record.js'
import { findOpenLeadsByPhones, type Lead } from '../crm/lead.repository.js'
import type { Database } from '../crm/schema.js'
import { closeCallBackTasksOf, openCallBackTasks, type CallBackTaskOrder } from '../crm/task.repository.js'
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
 * call records; the database work runs in the background, a few statements
 * for a batch of calls.
 */
export class MissedCallTasks {
  private readonly closeJob: (context: Record<string, unknown>, call: FinishedCall) => Promise<void>
  private readonly openJob: (context: Record<string, unknown>, call: FinishedCall) => Promise<void>

  constructor(private readonly options: MissedCallTasksOptions) {
    this.closeJob = options.jobs.defineBatch('close-call-back-tasks', (calls: FinishedCall[]) => this.close(calls))
    this.openJob = options.jobs.defineBatch('missed-call-task', (calls: FinishedCall[]) => this.open(calls))
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

  private async open(calls: FinishedCall[]): Promise<void[]> {
    const { db, logger, now, dueMinutes } = this.options
    // Routed while the CRM was unreachable: the caller may be a customer after all.
    const degraded = calls.filter((c) => c.customerId === null && c.degraded && c.caller).map((c) => c.caller!)
    const customerOfPhone = await customersOfPhones(db, degraded)
    const customerOf = (c: FinishedCall) => c.customerId ?? (c.degraded && c.caller ? customerOfPhone.get(c.caller) ?? null : null)
    const responsible = await responsibleForCustomers(db, calls.flatMap((c) => customerOf(c) ?? []))
    const leads = await this.leadsOfCalls(calls.filter((c) => customerOf(c) === null))
    const orders: { call: FinishedCall; order: CallBackTaskOrder }[] = []
    for (const call of calls) {
      const customerId = customerOf(call)
      let assignee: string | null
      let leadId: number | null = null
      if (customerId !== null) {
        assignee = responsible.get(customerId) ?? call.agentId
      } else {
        const lead = leads.get(call)
        if (!lead) {
          logger.debug({ callId: call.callId, caller: call.caller }, 'missed call from a withheld or unusable number: nobody to call back')
          continue
        }
        leadId = lead.id
        assignee = call.agentId ?? lead.agentId
      }
      const who = call.callerName ?? call.caller ?? 'the caller'
      const dueAt = (call.endedAt ?? now()) + dueMinutes * 60_000
      orders.push({ call, order: { customerId, leadId, assigneeAgentId: assignee, title: `Call back ${who} (missed call)`, dueAt, callId: call.callId } })
    }
    const tasks = orders.length === 0 ? [] : await openCallBackTasks(db, orders.map((o) => o.order))
    tasks.forEach(({ task, created }, i) => {
      const { call, order } = orders[i]!
      const assignee = order.assigneeAgentId
      logger.debug({ callId: call.callId, taskId: task.id, assignee, customerId: order.customerId, leadId: order.leadId, attempts: task.attempts, created }, created ? 'call-back task created' : 'call-back task already open; try counted')
      if (created && assignee) this.options.notify(assignee, { type: 'task', callId: call.callId, task, why: 'missed-call' })
    })
    return calls.map(() => undefined)
  }

  private async close(calls: FinishedCall[]): Promise<void[]> {
    const at = this.options.now()
    const closed = await closeCallBackTasksOf(this.options.db, calls.map((c) => ({ callId: c.callId, customerId: c.customerId, phone: c.caller, at })))
    for (const { callId, task } of closed) {
      this.options.logger.debug({ callId, taskId: task.id }, 'call-back task closed by an answered call')
      if (task.assigneeAgentId) this.options.notify(task.assigneeAgentId, { type: 'task-closed', callId, taskId: task.id, why: 'answered call' })
    }
    return calls.map(() => undefined)
  }

  /** The lead of each call: the one the capture found or made, else the open lead of its number. */
  private async leadsOfCalls(calls: FinishedCall[]): Promise<Map<FinishedCall, { id: number; agentId: string | null }>> {
    const leads = new Map<FinishedCall, { id: number; agentId: string | null }>()
    const rest: FinishedCall[] = []
    for (const call of calls) {
      if (call.leadId !== null) {
        leads.set(call, { id: call.leadId, agentId: null })
        continue
      }
      const seen = this.options.leadOf(call.callId)
      const lead = seen ? await seen : null
      if (lead) leads.set(call, lead)
      else if (call.caller) rest.push(call)
    }
    const byPhone = await findOpenLeadsByPhones(this.options.db, [...new Set(rest.map((c) => c.caller!))])
    for (const call of rest) {
      const lead = byPhone.get(call.caller!)
      if (lead) leads.set(call, lead)
    }
    return leads
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

async function customersOfPhones(db: Kysely<Database>, phones: readonly string[]): Promise<Map<string, number>> {
  if (phones.length === 0) return new Map()
  const rows = await db.selectFrom('customer_phones').select(['phone', 'customer_id']).where('phone', 'in', [...new Set(phones)]).execute()
  return new Map(rows.map((row) => [row.phone, Number(row.customer_id)]))
}

/** Who each customer's call-back goes to: their owner, else the last agent who worked with them. */
async function responsibleForCustomers(db: Kysely<Database>, ids: readonly number[]): Promise<Map<number, string | null>> {
  if (ids.length === 0) return new Map()
  const rows = await db.selectFrom('customers').select(['id', 'owner_agent_id', 'last_agent_id']).where('id', 'in', [...new Set(ids)]).execute()
  return new Map(rows.map((row) => [Number(row.id), row.owner_agent_id ?? row.last_agent_id ?? null]))
}
