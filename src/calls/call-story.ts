import { sql, type Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import { callsQuery, toListView } from './call-history.repository.js'
import { talkSegments } from './talk-segments.js'

interface StoryEvent {
  at: string
  kind: string
  agentId: string | null
  data: Record<string, unknown> | null
}

/** One offer to an agent and how it ended: answered, failed (with why), or still open when the call ended. */
interface Offer {
  agentId: string | null
  offeredAt: string
  ringSeconds: number | null
  reason: unknown
  ringingAt: string | null
  result: 'answered' | 'failed' | 'unanswered'
  why: unknown
  endedAt: string | null
}

/** A routing decision: the first with its whole trace (calls.trace), later ones (a queued call routed again) with their rule. */
interface Decision {
  at: string
  kind: string
  rule: unknown
  rulesVersion: unknown
  trace: unknown
}

/**
 * The whole story of one call: its record, every event with its time, each
 * offer and why it failed, each decision with its rules version, the queue
 * wait, talk and wrap-up times, and the customer or lead, line, source and
 * campaign. Null when no call has that id (or, with `teams`, when its agent is in none of them).
 */
export async function callStory(db: Kysely<Database>, id: string, teams?: readonly string[]): Promise<Record<string, unknown> | null> {
  const row = await callsQuery(db, { teams })
    .where('calls.id', '=', id)
    .select(['routed_at as routedAt', 'ringing_at as ringingAt', 'degraded', 'trace', 'dialed'])
    .executeTakeFirst()
  if (!row) return null
  const raw = row as Record<string, unknown>
  const call = { ...toListView(raw), routedAt: iso(raw.routedAt), ringingAt: iso(raw.ringingAt), degraded: raw.degraded === true }
  const [eventRows, customer, lead, line, agent] = await Promise.all([
    db.selectFrom('call_events').select(['at', 'kind', 'agent_id', 'data']).where('call_id', '=', id).orderBy('at').orderBy('id').execute(),
    row.customerId === null ? null : db.selectFrom('customers').select(['id', 'name', 'company']).where('id', '=', Number(row.customerId)).executeTakeFirst(),
    row.leadId === null ? null : db.selectFrom('leads').select(['id', 'name', 'phone', 'status', 'source', 'campaign']).where('id', '=', Number(row.leadId)).executeTakeFirst(),
    row.line === null ? null : db.selectFrom('lines').select(['number', 'name', 'product']).where('number', '=', String(row.line)).executeTakeFirst(),
    row.agentId === null ? null : db.selectFrom('agents').select(['id', 'name', 'team_id as team']).where('id', '=', String(row.agentId)).executeTakeFirst()
  ])
  const events: StoryEvent[] = eventRows.map((e) => ({ at: iso(e.at)!, kind: e.kind, agentId: e.agent_id, data: (e.data as Record<string, unknown> | null) ?? null }))
  const wrapUp = raw.answeredAt && raw.endedAt && row.agentId ? await wrapUpAfter(db, String(row.agentId), new Date(String(iso(raw.endedAt)))) : null
  return {
    call,
    customer: customer ? { id: Number(customer.id), name: customer.name, company: customer.company } : null,
    lead: lead ? { id: Number(lead.id), name: lead.name, phone: lead.phone, status: lead.status, source: lead.source, campaign: lead.campaign } : null,
    // The source and campaign are the line's at the time of the call (lines change); the name and product are the line's now.
    line: row.line === null ? null : { number: String(row.line), name: line?.name ?? null, product: line?.product ?? null, source: row.source, campaign: row.campaign },
    agent: agent ?? null,
    events,
    offers: offersOf(events),
    decisions: decisionsOf(events, raw.trace ?? null),
    queue: queueOf(events),
    segments: talkSegments(events.map((e) => ({ at: Date.parse(e.at), kind: e.kind, agentId: e.agentId }))).map((s) => ({ agentId: s.agentId, from: new Date(s.from).toISOString(), to: s.to === null ? null : new Date(s.to).toISOString(), seconds: s.to === null ? null : (s.to - s.from) / 1000 })),
    times: { waitSeconds: num(raw.waitSeconds), talkSeconds: num(raw.talkSeconds), wrapUpSeconds: wrapUp }
  }
}

/**
 * The agent's wrap-up after the call, from the agent availability log (kept AVAILABILITY_LOG_DAYS):
 * from the wrap-up that began as the call ended to the agent's next state. Null when the log holds none.
 */
async function wrapUpAfter(db: Kysely<Database>, agentId: string, endedAt: Date): Promise<number | null> {
  const { rows } = await sql<{ started: Date; ended: Date | null }>`
    with w as (
      select at from agent_availability_log
      where agent_id = ${agentId} and status = 'wrap-up' and at >= ${new Date(endedAt.getTime() - 2000)} and at < ${new Date(endedAt.getTime() + 60_000)}
      order by at, id limit 1)
    select w.at as started,
      (select l.at from agent_availability_log l where l.agent_id = ${agentId} and l.at > w.at and l.at < w.at + interval '1 day' and l.status <> 'wrap-up' order by l.at, l.id limit 1) as ended
    from w`.execute(db)
  const found = rows[0]
  if (!found?.ended) return null
  return Math.max(0, new Date(found.ended).getTime() - new Date(found.started).getTime()) / 1000
}

function offersOf(events: readonly StoryEvent[]): Offer[] {
  const offers: Offer[] = []
  const open = new Map<string | null, Offer>()
  for (const e of events) {
    if (e.kind === 'offered') {
      const offer: Offer = { agentId: e.agentId, offeredAt: e.at, ringSeconds: num(e.data?.ringSeconds), reason: e.data?.reason ?? null, ringingAt: null, result: 'unanswered', why: null, endedAt: null }
      offers.push(offer)
      open.set(e.agentId, offer)
      continue
    }
    const offer = open.get(e.agentId)
    if (!offer) continue
    if (e.kind === 'ringing') offer.ringingAt ??= e.at
    if (e.kind === 'answered' || e.kind === 'offer-failed') {
      offer.result = e.kind === 'answered' ? 'answered' : 'failed'
      offer.why = e.kind === 'offer-failed' ? (e.data?.why ?? null) : null
      offer.endedAt = e.at
      open.delete(e.agentId)
    }
  }
  return offers
}

function decisionsOf(events: readonly StoryEvent[], trace: unknown): Decision[] {
  let first = true
  const decisions: Decision[] = []
  for (const e of events) {
    if (e.kind !== 'routed' && e.kind !== 'rerouted') continue
    decisions.push({ at: e.at, kind: e.kind, rule: e.data?.rule ?? null, rulesVersion: e.data?.rulesVersion ?? null, trace: first ? trace : null })
    first = false
  }
  // A record written without its routing step (a re-sync) still shows the decision it kept.
  if (decisions.length === 0 && trace !== null) decisions.push({ at: events[0]?.at ?? '', kind: 'routed', rule: null, rulesVersion: null, trace })
  return decisions
}

/** The time in the waiting queue, from its 'queued' and 'dequeued' events; null when the call never waited in one. */
function queueOf(events: readonly StoryEvent[]): Record<string, unknown> | null {
  const queued = events.find((e) => e.kind === 'queued')
  if (!queued) return null
  const dequeued = events.find((e) => e.kind === 'dequeued' && e.at >= queued.at)
  const waitedMs = num(dequeued?.data?.waitedMs)
  const waitSeconds = waitedMs !== null ? waitedMs / 1000 : dequeued ? (Date.parse(dequeued.at) - Date.parse(queued.at)) / 1000 : null
  return {
    queuedAt: queued.at,
    dequeuedAt: dequeued?.at ?? null,
    waitSeconds,
    queue: queued.data?.queue ?? null,
    position: queued.data?.position ?? null,
    estimatedWaitSeconds: queued.data?.estimatedWaitSeconds ?? null,
    // served, overflow, abandoned or callback; null while it still waited when the record was written.
    how: dequeued?.data?.why ?? null
  }
}

function num(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value)
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString()
}
