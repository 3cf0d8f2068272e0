import { sql, type Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import { overEdges, reportPeriods, rollupRows, type ReportPeriods } from './report-periods.js'
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
  /** Calls the agent handed on to a colleague (a 'transfer' step of theirs), and calls handed to them. */
  transfersOut: number
  transfersIn: number
  /** Tasks the agent closed in the range. */
  tasksDone: number
  /** Tasks due in the range that were closed late or are still open past due. */
  tasksOverdue: number
}

export const AGENT_COLUMNS: readonly (keyof AgentRow)[] = ['agentId', 'name', 'team', 'offered', 'answered', 'missed', 'medianTalkSeconds', 'transfersOut', 'transfersIn', 'tasksDone', 'tasksOverdue']

/**
 * Per agent: offers and failed offers, transfers out and in (by the call steps' time), calls answered
 * and median talk time (by the calls' arrival) — from the daily and monthly
 * roll-ups, the partial days at the ends of the range from `call_events_offers_idx`
 * and `calls_report_idx` — and tasks done and overdue. `now` decides which open
 * tasks are overdue.
 */
export function agentsReport(db: Kysely<Database>, request: ReportRequest<AgentGrouping>, now: number) {
  const { from, to } = request
  const dueLimit = new Date(Math.min(to.getTime(), now))
  return db
    .with('f', (qb) => qb.selectFrom(callFigures(reportPeriods(from, to)).as('f')).selectAll())
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
        .selectFrom('f')
        .select('agent_id')
        .union((q) => q.selectFrom('d').select('agent_id'))
        .union((q) => q.selectFrom('late').select('agent_id'))
    )
    .selectFrom('ids')
    .leftJoin('agents as a', 'a.id', 'ids.agent_id')
    .leftJoin('f', 'f.agent_id', 'ids.agent_id')
    .leftJoin('d', 'd.agent_id', 'ids.agent_id')
    .leftJoin('late', 'late.agent_id', 'ids.agent_id')
    .select([
      sql<string>`ids.agent_id`.as('agentId'),
      'a.name as name',
      'a.team_id as team',
      sql<number>`coalesce(f.offered, 0)`.as('offered'),
      sql<number>`coalesce(f.answered, 0)`.as('answered'),
      sql<number>`coalesce(f.missed, 0)`.as('missed'),
      sql<number | null>`round(f.talk::numeric, 3)`.as('medianTalkSeconds'),
      sql<number>`coalesce(f.transfers_out, 0)`.as('transfersOut'),
      sql<number>`coalesce(f.transfers_in, 0)`.as('transfersIn'),
      sql<number>`coalesce(d.done, 0)`.as('tasksDone'),
      sql<number>`coalesce(late.overdue, 0)`.as('tasksOverdue')
    ])
    .orderBy('ids.agent_id')
}

interface AgentCallFigures {
  /** Never null; typed so to meet the task counts' ids in one union. */
  agent_id: string | null
  offered: number
  missed: number
  answered: number
  talk: number | null
  transfers_out: number
  transfers_in: number
}

/** Offers, answers and the median of the merged 1-second talk-time histograms, per agent. */
function callFigures(periods: ReportPeriods) {
  const rollups = sql`select r.agent_id, r.offered, r.missed, r.answered, r.talk_hist, r.transfers_out, r.transfers_in from report_agent_rollups r where ${rollupRows(periods, 'r')}`
  const offers = overEdges(periods, (span) => sql`
    select agent_id, count(*) filter (where kind = 'offered') as offered, count(*) filter (where kind = 'offer-failed') as missed from call_events
    where at >= ${span.from} and at < ${span.to} and kind in ('offered', 'offer-failed') and agent_id is not null group by agent_id`)
  const transfers = overEdges(periods, (span) => sql`
    select agent_id, 1 as transfers_out, 0 as transfers_in from call_events where at >= ${span.from} and at < ${span.to} and kind = 'transfer' and agent_id is not null
    union all
    select data->>'toAgentId', 0, 1 from call_events where at >= ${span.from} and at < ${span.to} and kind = 'transfer' and data->>'toAgentId' is not null`)
  const answers = overEdges(periods, (span) => sql`
    select agent_id, report_bucket(talk_seconds) as bucket from calls
    where offered_at >= ${span.from} and offered_at < ${span.to} and outcome = 'answered' and agent_id is not null`)
  return sql<AgentCallFigures>`(
    with r as (${rollups}), a as (${answers}),
    totals as (
      select agent_id, sum(offered) as offered, sum(missed) as missed, sum(answered) as answered, sum(transfers_out) as transfers_out, sum(transfers_in) as transfers_in from (
        select agent_id, offered, missed, answered, transfers_out, transfers_in from r
        union all
        select agent_id, offered, missed, 0, 0, 0 from (${offers}) o
        union all
        select agent_id, 0, 0, 0, transfers_out, transfers_in from (${transfers}) tr
        union all
        select agent_id, 0, 0, count(*), 0, 0 from a group by agent_id
      ) x group by agent_id
    ),
    hist as (
      select agent_id, array_agg(i) as buckets, array_agg(n) as counts from (
        select agent_id, i, sum(n)::bigint as n from (
          select r.agent_id, u.i::integer as i, u.n::bigint as n from r, unnest(r.talk_hist) with ordinality u(n, i) where u.n <> 0
          union all
          select agent_id, bucket, count(*) from a where bucket is not null group by agent_id, bucket
        ) y group by agent_id, i
      ) z group by agent_id
    )
    select t.agent_id, t.offered, t.missed, t.answered, t.transfers_out, t.transfers_in, report_percentile(h.buckets, h.counts, 0.5) as talk
    from totals t left join hist h on h.agent_id = t.agent_id
    where t.offered <> 0 or t.missed <> 0 or t.answered <> 0 or t.transfers_out <> 0 or t.transfers_in <> 0
  )`
}
