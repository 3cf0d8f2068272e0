import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { findOrCreateLeads, linkCallsToLeads, type Lead } from '../crm/lead.repository.js'
import type { Database } from '../crm/schema.js'
import type { InteractionEvent } from '../interactions/interaction-router.js'
import type { LineInfo } from '../routing/types.js'
import type { ScreenPopEvent } from '../screenpop/card-events.js'
import type { BackgroundJobs } from './background-jobs.js'
import type { LeadNotice } from './notices.js'

export interface LeadCaptureOptions {
  db: Kysely<Database>
  jobs: BackgroundJobs
  /** The call recorder: a lead found while its call lasts goes into the call record. */
  calls: { attachLead(callId: string, leadId: number): boolean; flush(): Promise<void> }
  /** Publishes to an agent's page (and webhooks). */
  notify: (agentId: string, event: ScreenPopEvent) => void
  logger: Logger
}

/** Interactions whose lead is remembered at most (for the missed-call tasks that follow). */
const MAX_REMEMBERED = 10_000

/**
 * Makes every inbound call or web visit from somebody the CRM does not know a
 * lead at once, with the line it came in on (source, campaign, cost per lead),
 * the time and the agent it was routed to; a later call from the same number
 * finds the same lead. Listens to the InteractionRouter: the database work runs
 * as a background job, so routing never waits for it.
 */
export class LeadCapture {
  private readonly leads = new Map<string, Promise<Lead | null>>()
  private readonly visitors = new Map<string, string>()
  private readonly captureJob: (context: Record<string, unknown>, input: CaptureInput) => Promise<Lead | null | undefined>

  constructor(private readonly options: LeadCaptureOptions) {
    this.captureJob = options.jobs.defineBatch('lead-capture', (inputs: CaptureInput[]) => this.capture(inputs))
  }

  /** Tells the capture which web visitor the next routing of this interaction is for. */
  expectVisitor(callId: string, visitorId: string): void {
    this.visitors.set(callId, visitorId)
  }

  /** The lead of an interaction seen by the capture: null when its caller is a customer or could not be told apart. */
  leadOf(callId: string): Promise<Lead | null> | undefined {
    return this.leads.get(callId)
  }

  /** The InteractionRouter listener. */
  readonly handle = (event: InteractionEvent): void => {
    if (event.type !== 'routed') return
    const { routed, request } = event
    const visitorId = this.visitors.get(event.callId) ?? null
    this.visitors.delete(event.callId)
    if (request.direction !== 'inbound' || (request.kind !== 'call' && request.kind !== 'web-visit')) return
    // A caller the CRM knows is no lead; one routed while the CRM was unreachable is checked in the job.
    if (routed.caller.customer && !routed.degraded) return
    const phone = routed.caller.phone.ok ? routed.caller.phone.e164 : null
    if (!phone && !visitorId) return
    const callId = event.callId
    const agentId = routed.decision.targets[0]?.agentId ?? null
    const job = this.captureJob({ callId }, { callId, phone, visitorId, agentId, at: request.at, line: routed.line, web: request.kind === 'web-visit' })
    this.remember(callId, job.then((lead) => lead ?? null))
  }

  /** Captures the leads of a batch of interactions: a few statements for all of them (see findOrCreateLeads). */
  private async capture(inputs: CaptureInput[]): Promise<(Lead | null)[]> {
    const { db, logger } = this.options
    const phones = [...new Set(inputs.flatMap((input) => (input.phone ? [input.phone] : [])))]
    const known = new Set<string>()
    if (phones.length > 0) {
      const rows = await db.selectFrom('customer_phones').select('phone').where('phone', 'in', phones).execute()
      for (const row of rows) known.add(row.phone)
    }
    const unknown = inputs.filter((input) => !input.phone || !known.has(input.phone))
    const found = await findOrCreateLeads(
      db,
      unknown.map((input) => ({ phone: input.phone, visitorId: input.visitorId, line: input.line, agentId: input.agentId, callId: input.callId, at: input.at, fallbackSource: input.web ? 'web' : null }))
    )
    const leads = new Map(unknown.map((input, i) => [input, found[i]!]))
    // Calls that ended before their lead was made: linked once their records are written.
    const ended = unknown.filter((input) => !this.options.calls.attachLead(input.callId, leads.get(input)!.lead.id))
    if (ended.length > 0) {
      await this.options.calls.flush()
      await linkCallsToLeads(db, ended.map((input) => ({ callId: input.callId, leadId: leads.get(input)!.lead.id })))
    }
    return inputs.map((input) => {
      const result = leads.get(input)
      if (!result) return null
      const { lead, created } = result
      logger.debug({ callId: input.callId, leadId: lead.id, created, campaign: lead.campaign }, created ? 'lead created' : 'lead found again')
      if (created && input.agentId) this.options.notify(input.agentId, { type: 'lead', callId: input.callId, lead: leadNotice(lead), isNew: true })
      return lead
    })
  }

  private remember(callId: string, lead: Promise<Lead | null>): void {
    if (this.leads.size >= MAX_REMEMBERED) {
      const oldest = this.leads.keys().next().value
      if (oldest !== undefined) this.leads.delete(oldest)
    }
    this.leads.set(callId, lead)
  }
}

/** What a lead-capture job needs, as plain data (it may wait in the journal across a restart). */
interface CaptureInput {
  callId: string
  phone: string | null
  visitorId: string | null
  agentId: string | null
  at: number
  line: LineInfo | null
  web: boolean
}

export function leadNotice(lead: Lead): LeadNotice {
  return { id: lead.id, source: lead.source, campaign: lead.campaign, line: lead.line, agentId: lead.agentId, status: lead.status, since: lead.createdAt }
}
