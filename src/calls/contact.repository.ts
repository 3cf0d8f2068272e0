import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely'
import type { Database } from '../crm/schema.js'
import type { Contact } from './contacts.js'

/** A customer's last contact and last agent as a call record's write left them. */
export interface ContactRecorded {
  customerId: number
  lastAgentId: string | null
  /** Epoch ms. */
  lastContactAt: number | null
}

/**
 * Moves customers' last contact forward and sets their last agent, in the
 * transaction that writes the call records. A record written late never moves
 * a contact back: the last agent changes only for a talk no older than the
 * last contact on file. An agent removed meanwhile is not named (the column
 * references agents). Returns the customers changed, with the values now on file.
 */
export async function recordCustomerContacts(db: Kysely<Database> | Transaction<Database>, contacts: readonly Contact[]): Promise<ContactRecorded[]> {
  if (contacts.length === 0) return []
  const { rows } = await customerContactsUpdate(contacts).execute(db)
  return rows.map(toContactRecorded)
}

/** recordCustomerContacts' statement, to run on its own or inside another (a CTE of the records' write). */
export function customerContactsUpdate(contacts: readonly Contact[]): RawBuilder<ContactRow> {
  const { ids, contactAt, agentIds, agentAt } = columns(contacts)
  return sql<ContactRow>`
    update customers as c set
      last_contact_at = greatest(c.last_contact_at, v.contact_at),
      last_agent_id = case
        when v.agent_id is not null
         and (c.last_contact_at is null or v.agent_at >= c.last_contact_at)
         and exists (select 1 from agents a where a.id = v.agent_id)
        then v.agent_id else c.last_agent_id end
    from unnest(${ids}::bigint[], ${contactAt}::timestamptz[], ${agentIds}::text[], ${agentAt}::timestamptz[]) as v(id, contact_at, agent_id, agent_at)
    where c.id = v.id
    returning c.id, c.last_agent_id, c.last_contact_at`
}

export interface ContactRow {
  id: number
  last_agent_id: string | null
  last_contact_at: Date | null
}

export function toContactRecorded(row: ContactRow): ContactRecorded {
  return { customerId: Number(row.id), lastAgentId: row.last_agent_id, lastContactAt: row.last_contact_at === null ? null : new Date(row.last_contact_at).getTime() }
}

/** The same for leads not yet converted (a converted lead's calls count on its customer). */
export async function recordLeadContacts(db: Kysely<Database> | Transaction<Database>, contacts: readonly Contact[]): Promise<void> {
  if (contacts.length > 0) await leadContactsUpdate(contacts).execute(db)
}

/** recordLeadContacts' statement, to run on its own or inside another. */
export function leadContactsUpdate(contacts: readonly Contact[]): RawBuilder<unknown> {
  const { ids, contactAt, agentIds, agentAt } = columns(contacts)
  return sql`
    update leads as l set
      last_contact_at = greatest(l.last_contact_at, v.contact_at),
      last_agent_id = case
        when v.agent_id is not null
         and (l.last_contact_at is null or v.agent_at >= l.last_contact_at)
         and exists (select 1 from agents a where a.id = v.agent_id)
        then v.agent_id else l.last_agent_id end
    from unnest(${ids}::bigint[], ${contactAt}::timestamptz[], ${agentIds}::text[], ${agentAt}::timestamptz[]) as v(id, contact_at, agent_id, agent_at)
    where l.id = v.id and l.customer_id is null`
}

function columns(contacts: readonly Contact[]) {
  return {
    ids: contacts.map((c) => c.id),
    contactAt: contacts.map((c) => new Date(c.contactAt)),
    agentIds: contacts.map((c) => c.agentId),
    agentAt: contacts.map((c) => (c.agentAt === null ? null : new Date(c.agentAt)))
  }
}
