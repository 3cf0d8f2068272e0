import { durations, type CallRecord } from './call-record.js'
import { creditedAgent, talkSegments } from './talk-segments.js'

/** What one batch of records says about one customer's (or lead's) last contact and last agent. */
export interface Contact {
  id: number
  /** When the latest answered call was answered. */
  contactAt: number
  /** The agent of the latest answered talk long enough to count, and when it was answered. */
  agentId: string | null
  agentAt: number | null
}

/**
 * The last contact and last agent each customer and lead gets from these
 * records. A call counts once it ended answered; the agent of its last talk
 * of at least `minTalkSeconds` becomes the last agent (a call answered and
 * dropped at once, or a transfer taken for a moment, says nothing of who works
 * with them). A missed ring counts for nothing.
 */
export function contactsOf(records: readonly CallRecord[], minTalkSeconds: number): { customers: Contact[]; leads: Contact[] } {
  const customers = new Map<number, Contact>()
  const leads = new Map<number, Contact>()
  for (const record of records) {
    if (record.outcome !== 'answered' || record.answeredAt === null || record.endedAt === null) continue
    const segments = talkSegments(record.steps)
    // A record without its steps (imported history) credits its agent for the whole talk.
    const talkSeconds = durations(record).talkSeconds ?? 0
    const agentId = segments.length > 0 ? creditedAgent(segments, minTalkSeconds) : record.agentId !== null && talkSeconds >= minTalkSeconds ? record.agentId : null
    if (record.customerId !== null) add(customers, record.customerId, record.answeredAt, agentId)
    if (record.leadId !== null) add(leads, record.leadId, record.answeredAt, agentId)
  }
  return { customers: [...customers.values()], leads: [...leads.values()] }
}

function add(contacts: Map<number, Contact>, id: number, answeredAt: number, agentId: string | null): void {
  let contact = contacts.get(id)
  if (!contact) contacts.set(id, (contact = { id, contactAt: answeredAt, agentId: null, agentAt: null }))
  contact.contactAt = Math.max(contact.contactAt, answeredAt)
  if (agentId !== null && (contact.agentAt === null || answeredAt >= contact.agentAt)) {
    contact.agentId = agentId
    contact.agentAt = answeredAt
  }
}
