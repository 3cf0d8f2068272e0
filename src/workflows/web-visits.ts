import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { phonesOfCustomer } from '../crm/customer.repository.js'
import type { Database } from '../crm/schema.js'
import { openCallBackTask, responsibleForCustomer } from '../crm/task-callback.repository.js'
import { CtiError, Errors } from '../errors.js'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import type { ScreenPopEvent } from '../screenpop/card-events.js'
import type { LeadCapture } from './lead-capture.js'
import type { VisitPage } from './notices.js'

/** A visit to the web site, as the site reports it. */
export interface WebVisit {
  visitorId?: string
  phone?: string
  customerId?: number
  pages: VisitPage[]
  product?: string | null
  /** The visitor asked to be called back. */
  callbackRequested?: boolean
}

/** What became of a visit. */
export interface VisitResult {
  callId: string | null
  attended: boolean
  /** Why not, when not attended; the decision's reason otherwise. */
  reason: string
  agentId: string | null
  rule: string | null
  customerId: number | null
  leadId: number | null
  callback: { placed: true; callId: string; agentId: string } | { placed: false; taskId: number; assigneeAgentId: string | null } | null
}

export interface WebVisitsOptions {
  db: Kysely<Database>
  interactions: Pick<InteractionRouter, 'route' | 'ended'>
  leads: Pick<LeadCapture, 'expectVisitor' | 'leadOf'>
  notify: (agentId: string, event: ScreenPopEvent) => void
  /** Places a call-back through the telephony side (POST /v1/callbacks' own path); null when none is configured. */
  placeCallBack: ((request: { phone: string; agentId: string | null; product: string | null }) => Promise<{ callId: string; agentId: string }>) | null
  logger: Logger
  now: () => number
  /** Pages a visit must show before an agent is told. */
  minPages: number
  /** Minutes within which a requested call-back falls due when it becomes a task. */
  dueMinutes: number
}

/**
 * Web visits worth attention (enough pages, or a call-back request) are routed
 * by the same core as calls — a returning customer to the agent who works with
 * them, a first visitor to the best expert for the product viewed — and shown
 * on that agent's page with the pages looked at. Nobody rings: the offer is
 * withdrawn at once. A call-back request is placed through the telephony side
 * when there is one, and otherwise becomes a call-back task.
 */
export class WebVisits {
  constructor(private readonly options: WebVisitsOptions) {}

  async visit(visit: WebVisit): Promise<VisitResult> {
    const { interactions, leads, notify, logger, minPages } = this.options
    const phone = visit.phone ?? (visit.customerId !== undefined ? await this.phoneOfCustomer(visit.customerId) : null)
    if (visit.callbackRequested && !phone) throw Errors.badRequest('a call-back request needs the phone to call (phone, or a customerId with a number on file)')
    const worth = visit.callbackRequested === true || visit.pages.length >= minPages
    if (!worth) {
      return { callId: null, attended: false, reason: `${visit.pages.length} page(s) viewed; an agent is told from ${minPages}`, agentId: null, rule: null, customerId: null, leadId: null, callback: null }
    }
    const callId = `web-${randomUUID()}`
    if (visit.visitorId) leads.expectVisitor(callId, visit.visitorId)
    const routed = await interactions.route({ caller: phone, dialed: null, callId, kind: 'web-visit', channel: 'web', product: visit.product ?? null, ringTimer: false })
    const target = routed.decision.targets[0] ?? null
    // Showing a visit reserves nobody: the agent is not ringing.
    interactions.ended(callId, target ? { outcome: 'redirected', cause: 'shown on the agent page' } : { outcome: 'missed', cause: routed.decision.reason })
    const customer = routed.caller.customer ? { id: Number(routed.caller.customer.id), name: routed.caller.customer.name } : null
    const lead = customer ? null : await leads.leadOf(callId)
    const log = logger.child({ callId })
    log.info({ agentId: target?.agentId ?? null, customerId: customer?.id ?? null, leadId: lead?.id ?? null, pages: visit.pages.length }, 'web visit routed')
    if (target) {
      notify(target.agentId, {
        type: 'visit',
        callId,
        title: customer ? `${customer.name} is on the web site` : `web visitor${visit.product ? ` looking at ${visit.product}` : ''}`,
        customer,
        leadId: lead?.id ?? null,
        visitorId: visit.visitorId ?? null,
        phone,
        product: visit.product ?? null,
        pages: visit.pages,
        callbackRequested: visit.callbackRequested === true,
        reason: target.reason
      })
    }
    const callback = visit.callbackRequested && phone ? await this.callBack(phone, visit.product ?? null, target?.agentId ?? null, customer?.id ?? null, lead?.id ?? null, callId) : null
    return {
      callId,
      attended: target !== null,
      reason: routed.decision.reason,
      agentId: target?.agentId ?? null,
      rule: routed.decision.rule,
      customerId: customer?.id ?? null,
      leadId: lead?.id ?? null,
      callback
    }
  }

  private async callBack(phone: string, product: string | null, agentId: string | null, customerId: number | null, leadId: number | null, callId: string): Promise<VisitResult['callback']> {
    const { placeCallBack, logger, db, now, dueMinutes, notify } = this.options
    if (placeCallBack) {
      try {
        const placed = await placeCallBack({ phone, agentId: null, product })
        return { placed: true, callId: placed.callId, agentId: placed.agentId }
      } catch (err) {
        if (!(err instanceof CtiError)) throw err
        logger.info({ callId, code: err.code }, 'call-back could not be placed now; it becomes a task')
      }
    }
    if (customerId === null && leadId === null) throw Errors.badRequest('the visitor could not be recorded as a customer or lead; try again shortly')
    const assignee = agentId ?? (customerId !== null ? await responsibleForCustomer(db, customerId) : null)
    const { task, created } = await openCallBackTask(db, { customerId, leadId, assigneeAgentId: assignee, title: `Call back ${phone} (asked on the web site)`, dueAt: now() + dueMinutes * 60_000, callId })
    if (created && assignee) notify(assignee, { type: 'task', callId, task, why: 'callback-request' })
    return { placed: false, taskId: task.id, assigneeAgentId: task.assigneeAgentId }
  }

  private async phoneOfCustomer(customerId: number): Promise<string> {
    const [phone] = await phonesOfCustomer(this.options.db, customerId)
    if (!phone) throw Errors.customerNotFound(`id ${customerId} with a phone number`)
    return phone
  }
}
