import { sql, type Kysely } from 'kysely'
import { findOpenLeadByPhone } from '../crm/lead.repository.js'
import type { Database } from '../crm/schema.js'
import type { InteractionEvent } from '../interactions/interaction-types.js'

/** Calls remembered at most, live or ended lately: enough for every call of a busy day's last hours. */
const REMEMBERED = 20_000

/** A call an agent took, with whom it was about. */
export interface TakenCall {
  callId: string
  customerId: number | null
  leadId: number | null
}

interface Followed {
  customerId: number | null
  /** The caller's number in E.164, for the open lead of a returning unknown caller. */
  phone: string | null
  answeredBy: Set<string>
}

/**
 * Who took each call: the agents who answered it. A call in progress (or ended a moment ago, its
 * record not written yet) is known from the InteractionRouter's events; older ones from the call
 * records. An agent's action on a call (its outcome, a follow-up) is theirs only when they took it.
 * Steps of an agent's action go straight into the call's events when its record is written, else
 * into the record being kept (the call still in its first second).
 */
export class CallAgents {
  private readonly followed = new Map<string, Followed>()

  constructor(
    private readonly db: Kysely<Database>,
    private readonly interactions: { onEvent(listener: (event: InteractionEvent) => unknown): void; note(callId: string, kind: string, data: Record<string, unknown> | null, agentId: string | null): void }
  ) {
    interactions.onEvent(this.handle)
  }

  private readonly handle = (event: InteractionEvent): void => {
    if (event.type === 'routed') {
      if (this.followed.has(event.callId)) return
      if (this.followed.size >= REMEMBERED) this.followed.delete(this.followed.keys().next().value!)
      const customer = event.routed.caller.customer
      const phone = event.routed.caller.phone.ok ? event.routed.caller.phone.e164 : null
      this.followed.set(event.callId, { customerId: customer ? Number(customer.id) : null, phone, answeredBy: new Set() })
    } else if (event.type === 'answered') {
      this.followed.get(event.callId)?.answeredBy.add(event.agentId)
    }
  }

  /** The call if `agentId` took it (answered it), else null: a call of someone else is as good as absent. */
  async takenBy(callId: string, agentId: string): Promise<TakenCall | null> {
    const live = this.followed.get(callId)
    const row = await this.db.selectFrom('calls').select(['customer_id', 'lead_id', 'agent_id', 'answered_at']).where('id', '=', callId).executeTakeFirst()
    const lead = row?.lead_id ?? (await this.db.selectFrom('leads').select('id').where('first_call_id', '=', callId).executeTakeFirst())?.id ?? (await this.returningLead(live))
    const subject = { callId, customerId: row?.customer_id != null ? Number(row.customer_id) : (live?.customerId ?? null), leadId: lead === null ? null : Number(lead) }
    if (live?.answeredBy.has(agentId)) return subject
    if (!row) return null
    if (row.agent_id === agentId && row.answered_at !== null) return subject
    const answered = await this.db.selectFrom('call_events').select('id').where('call_id', '=', callId).where('kind', '=', 'answered').where('agent_id', '=', agentId).executeTakeFirst()
    return answered ? subject : null
  }

  /** A live call of an unknown caller who is already a lead: the lead is linked only when the record is written. */
  private async returningLead(live: Followed | undefined): Promise<number | null> {
    if (!live || live.customerId !== null || live.phone === null) return null
    return (await findOpenLeadByPhone(this.db, live.phone))?.id ?? null
  }

  /** Adds an agent's step to the call's events. */
  async record(callId: string, kind: string, agentId: string, data: Record<string, unknown>, at: number): Promise<void> {
    const inserted = await sql`
      insert into call_events (call_id, at, kind, agent_id, data)
      select id, ${new Date(at)}::timestamptz, ${kind}::text, ${agentId}::text, ${JSON.stringify(data)}::jsonb from calls where id = ${callId}`.execute(this.db)
    // Not written yet (the call began a moment ago): the step joins the record the recorder keeps.
    if (!inserted.numAffectedRows) this.interactions.note(callId, kind, data, agentId)
  }
}
