import { sql, type Kysely } from 'kysely'
import { Errors } from '../errors.js'
import { LeadErrors, toLead, type Lead } from './lead.repository.js'
import type { Database } from './schema.js'

/** What the new customer gets beyond the lead's number. */
export interface ConversionInput {
  name?: string
  company?: string | null
  /** The responsible agent; the lead's agent when not given. */
  ownerAgentId?: string | null
}

export interface Conversion {
  lead: Lead
  customer: { id: number; name: string; ownerAgentId: string | null; phone: string | null }
  /** How many of the lead's calls, deals and tasks now name the customer. */
  linked: { calls: number; deals: number; tasks: number }
}

/**
 * Turns a lead into a customer in one transaction: the customer gets the
 * lead's number, its calls, deals and tasks are linked to the customer, and
 * the lead keeps its source, campaign and cost with the customer's id, so
 * reports still count what each campaign brought.
 */
export async function convertLead(db: Kysely<Database>, leadId: number, input: ConversionInput, at: number): Promise<Conversion> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('leads').selectAll().where('id', '=', leadId).forUpdate().executeTakeFirst()
    if (!row) throw LeadErrors.notFound(leadId)
    if (row.customer_id !== null) throw LeadErrors.alreadyConverted(leadId, Number(row.customer_id))
    if (row.phone) {
      const taken = await trx.selectFrom('customer_phones').select('customer_id').where('phone', '=', row.phone).executeTakeFirst()
      if (taken) throw Errors.phoneTaken(row.phone, Number(taken.customer_id))
    }
    const name = input.name ?? row.name ?? row.phone ?? `lead ${leadId}`
    const owner = input.ownerAgentId === undefined ? row.agent_id : input.ownerAgentId
    const customer = await trx
      .insertInto('customers')
      // Who talked with the lead last goes on working with the customer; else whoever took its first call.
      .values({ name, company: input.company ?? null, owner_agent_id: owner, last_agent_id: row.last_agent_id ?? row.agent_id, last_contact_at: row.last_contact_at })
      .returning(['id', 'name', 'owner_agent_id'])
      .executeTakeFirstOrThrow()
    const customerId = Number(customer.id)
    if (row.phone) await trx.insertInto('customer_phones').values({ phone: row.phone, customer_id: customerId }).execute()
    const calls = await trx.updateTable('calls').set({ customer_id: customerId }).where('lead_id', '=', leadId).where('customer_id', 'is', null).executeTakeFirst()
    const deals = await trx.updateTable('deals').set({ customer_id: customerId, updated_at: sql`now()` }).where('lead_id', '=', leadId).where('customer_id', 'is', null).executeTakeFirst()
    const tasks = await trx.updateTable('tasks').set({ customer_id: customerId }).where('lead_id', '=', leadId).where('customer_id', 'is', null).executeTakeFirst()
    const converted = await trx
      .updateTable('leads')
      .set({ customer_id: customerId, converted_at: new Date(at), status: 'converted', name })
      .where('id', '=', leadId)
      .returningAll()
      .executeTakeFirstOrThrow()
    return {
      lead: toLead(converted),
      customer: { id: customerId, name: customer.name, ownerAgentId: customer.owner_agent_id, phone: row.phone },
      linked: { calls: Number(calls.numUpdatedRows), deals: Number(deals.numUpdatedRows), tasks: Number(tasks.numUpdatedRows) }
    }
  })
}
