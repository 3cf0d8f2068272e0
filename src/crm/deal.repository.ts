import { sql, type Kysely, type Selectable } from 'kysely'
import { CtiError } from '../errors.js'
import type { Database, DealTable } from './schema.js'

/** A deal as the API shows it. */
export interface Deal {
  id: number
  customerId: number | null
  leadId: number | null
  title: string
  stage: string
  status: 'open' | 'won' | 'lost'
  amount: number | null
  lostReason: string | null
  agentId: string | null
  createdAt: string
  updatedAt: string
  closedAt: string | null
}

/** The configured outcome vocabulary: stages in order (the last one wins the deal) and refusal reasons. */
export interface DealVocabulary {
  stages: readonly string[]
  reasons: readonly string[]
}

/** What an agent records: a move to a stage, or a refusal with a reason. */
export type DealOutcome = { stage: string } | { lost: true; reason: string }

export const DealErrors = {
  notFound: (id: number) => new CtiError('CTI_ERR_DEAL_NOT_FOUND', `no deal has id ${id}`, 404, 404),
  closed: (id: number, status: string) => new CtiError('CTI_ERR_DEAL_CLOSED', `deal ${id} is ${status} already; open a new deal instead`, 409, 409),
  unknownStage: (stage: string, stages: readonly string[]) => new CtiError('CTI_ERR_UNKNOWN_STAGE', `stage "${stage}" is not one of ${stages.join(', ')}`, 400, 400),
  unknownReason: (reason: string, reasons: readonly string[]) => new CtiError('CTI_ERR_UNKNOWN_REASON', `reason "${reason}" is not one of ${reasons.join(', ')}`, 400, 400),
  noSubject: () => new CtiError('CTI_ERR_BAD_REQUEST', 'a deal needs a customerId or a leadId', 400, 400)
} as const

export interface NewDeal {
  customerId?: number | null
  leadId?: number | null
  title: string
  stage?: string
  amount?: number | null
  agentId?: string | null
}

/** Opens a deal at the given stage (the first one by default) and records the step. */
export async function createDeal(db: Kysely<Database>, input: NewDeal, vocabulary: DealVocabulary, at: number): Promise<Deal> {
  if (input.customerId == null && input.leadId == null) throw DealErrors.noSubject()
  const stage = input.stage ?? vocabulary.stages[0]!
  if (!vocabulary.stages.includes(stage)) throw DealErrors.unknownStage(stage, vocabulary.stages)
  const won = stage === vocabulary.stages.at(-1)
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('deals')
      .values({
        customer_id: input.customerId ?? null,
        lead_id: input.leadId ?? null,
        title: input.title,
        stage,
        status: won ? 'won' : 'open',
        amount: input.amount ?? null,
        agent_id: input.agentId ?? null,
        closed_at: won ? new Date(at) : null,
        created_at: new Date(at),
        updated_at: new Date(at)
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await trx.insertInto('deal_events').values({ deal_id: row.id, at: new Date(at), stage, status: row.status, reason: null, agent_id: input.agentId ?? null }).execute()
    return toDeal(row)
  })
}

/** Whose deals a change may touch: any (an admin), or only those an agent holds (their own page). */
export type DealScope = { anyAgent: true } | { heldBy: string }

/**
 * Records an outcome on an open deal: a stage move (the last stage wins it) or
 * a refusal, whose reason also joins the customer's refusal reasons on the card.
 * A deal outside `scope` is not found, exactly like one that does not exist.
 */
export async function recordDealOutcome(
  db: Kysely<Database>,
  id: number,
  outcome: DealOutcome,
  vocabulary: DealVocabulary,
  agentId: string | null,
  at: number,
  scope: DealScope = { anyAgent: true }
): Promise<Deal> {
  if ('stage' in outcome && !vocabulary.stages.includes(outcome.stage)) throw DealErrors.unknownStage(outcome.stage, vocabulary.stages)
  if ('lost' in outcome && !vocabulary.reasons.includes(outcome.reason)) throw DealErrors.unknownReason(outcome.reason, vocabulary.reasons)
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('deals')
      .selectAll()
      .where('id', '=', id)
      .$if('heldBy' in scope, (q) => q.where('agent_id', '=', (scope as { heldBy: string }).heldBy))
      .forUpdate()
      .executeTakeFirst()
    if (!current) throw DealErrors.notFound(id)
    if (current.status !== 'open') throw DealErrors.closed(id, current.status)
    const when = new Date(at)
    const change =
      'lost' in outcome
        ? { status: 'lost' as const, lost_reason: outcome.reason, closed_at: when }
        : { stage: outcome.stage, status: outcome.stage === vocabulary.stages.at(-1) ? ('won' as const) : ('open' as const), closed_at: outcome.stage === vocabulary.stages.at(-1) ? when : null }
    const row = await trx
      .updateTable('deals')
      .set({ ...change, agent_id: agentId ?? current.agent_id, updated_at: when })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await trx
      .insertInto('deal_events')
      .values({ deal_id: id, at: when, stage: row.stage, status: row.status, reason: row.lost_reason, agent_id: agentId })
      .execute()
    if ('lost' in outcome && row.customer_id !== null) {
      await trx
        .updateTable('customers')
        .set({ refusal_reasons: sql`array_append(refusal_reasons, ${outcome.reason})`, updated_at: when })
        .where('id', '=', row.customer_id)
        .where(sql<boolean>`not (${outcome.reason} = any(refusal_reasons))`)
        .execute()
    }
    return toDeal(row)
  })
}

export async function getDeal(db: Kysely<Database>, id: number): Promise<Deal | null> {
  const row = await db.selectFrom('deals').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? toDeal(row) : null
}

/** A deal's steps, oldest first. */
export async function dealSteps(db: Kysely<Database>, id: number) {
  const rows = await db.selectFrom('deal_events').selectAll().where('deal_id', '=', id).orderBy('at').orderBy('id').execute()
  return rows.map((r) => ({ at: r.at.toISOString(), stage: r.stage, status: r.status, reason: r.reason, agentId: r.agent_id }))
}

function toDeal(row: Selectable<DealTable>): Deal {
  return {
    id: Number(row.id),
    customerId: row.customer_id === null ? null : Number(row.customer_id),
    leadId: row.lead_id === null ? null : Number(row.lead_id),
    title: row.title,
    stage: row.stage,
    status: row.status,
    amount: row.amount,
    lostReason: row.lost_reason,
    agentId: row.agent_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    closedAt: row.closed_at ? row.closed_at.toISOString() : null
  }
}
