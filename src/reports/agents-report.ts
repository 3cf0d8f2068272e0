import { sql, type Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import type { ReportRequest } from './report-request.js'

export const AGENT_GROUPINGS = ['agent'] as const
export type AgentGrouping = (typeof AGENT_GROUPINGS)[number]

/** One agent's figures over the range. */
export interface AgentRow {
  agentId: string
  name: string | null
  team: string | null
  /** Offers made to the agent (a call offered twice to them counts twice). */
  offered: number
  answered: number
  /** Offers the agent did not take (ring timeout, busy, declined, unreachable). */
  missed: number
  medianTalkSeconds: number | null
  /** Tasks the agent closed in the range. */
  tasksDone: number
  /** Tasks due in the range that were closed late or are still open past due. */
  tasksOverdue: number
}

export const AGENT_COLUMNS: readonly (keyof AgentRow)[] = ['agentId', 'name', 'team', 'offered', 'answered', 'missed', 'medianTalkSeconds', 'tasksDone', 'tasksOverdue']

/**
 * Per agent: offers and failed offers (from the call steps, `call_events_offers_idx`),
 * calls answered and median talk time (`calls_report_idx`), tasks done and
 * overdue. `now` decides which open tasks are overdue.
 */
export function agentsReport(db: Kysely<Database>, request: ReportRequest<AgentGrouping>, now: number) {
  const { from, to } = request
  const dueLimit = new Date(Math.min(to.getTime(), now))
  return db
    .with('o', (qb) =>
      qb
        .selectFrom('call_events')
        .select([
          'agent_id',
          sql<number>`count(*) filter (where kind = 'offered')`.as('offered'),
          sql<number>`count(*) filter (where kind = 'offer-failed')`.as('missed')
        ])
        .where('kind', 'in', [sql.lit('offered'), sql.lit('offer-failed')])
        .where('at', '>=', from)
        .where('at', '<', to)
        .where('agent_id', 'is not', null)
        .groupBy('agent_id')
    )
    .with('k', (qb) =>
      qb
        .selectFrom('calls')
        .select(['agent_id', sql<number>`count(*)`.as('answered'), sql<number | null>`percentile_cont(0.5) within group (order by talk_seconds)`.as('talk')])
        .where('offered_at', '>=', from)
        .where('offered_at', '<', to)
        .where('outcome', '=', sql.lit('answered'))
        .where('agent_id', 'is not', null)
        .groupBy('agent_id')
    )
    .with('d', (qb) =>
      qb
        .selectFrom('tasks')
        .select(['assignee_agent_id as agent_id', sql<number>`count(*)`.as('done')])
        .where('done_at', '>=', from)
        .where('done_at', '<', to)
        .where('status', '=', sql.lit('done'))
        .where('assignee_agent_id', 'is not', null)
        .groupBy('assignee_agent_id')
    )
    .with('late', (qb) =>
      qb
        .selectFrom('tasks')
        .select(['assignee_agent_id as agent_id', sql<number>`count(*)`.as('overdue')])
        .where('due_at', '>=', from)
        .where('due_at', '<', dueLimit)
        .where((eb) => eb.or([eb('status', '=', sql.lit('open')), eb('done_at', '>', eb.ref('due_at'))]))
        .where('status', '<>', sql.lit('cancelled'))
        .where('assignee_agent_id', 'is not', null)
        .groupBy('assignee_agent_id')
    )
    .with('ids', (qb) =>
      qb
        .selectFrom('o')
        .select('agent_id')
        .union((q) => q.selectFrom('k').select('agent_id'))
        .union((q) => q.selectFrom('d').select('agent_id'))
        .union((q) => q.selectFrom('late').select('agent_id'))
    )
    .selectFrom('ids')
    .leftJoin('agents as a', 'a.id', 'ids.agent_id')
    .leftJoin('o', 'o.agent_id', 'ids.agent_id')
    .leftJoin('k', 'k.agent_id', 'ids.agent_id')
    .leftJoin('d', 'd.agent_id', 'ids.agent_id')
    .leftJoin('late', 'late.agent_id', 'ids.agent_id')
    .select([
      sql<string>`ids.agent_id`.as('agentId'),
      'a.name as name',
      'a.team_id as team',
      sql<number>`coalesce(o.offered, 0)`.as('offered'),
      sql<number>`coalesce(k.answered, 0)`.as('answered'),
      sql<number>`coalesce(o.missed, 0)`.as('missed'),
      sql<number | null>`round(k.talk::numeric, 3)`.as('medianTalkSeconds'),
      sql<number>`coalesce(d.done, 0)`.as('tasksDone'),
      sql<number>`coalesce(late.overdue, 0)`.as('tasksOverdue')
    ])
    .orderBy('ids.agent_id')
}
