import { sql, type Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import type { RuleSet } from '../routing/types.js'
import { serviceLevelSecondsOf } from './queue-views.js'
import { emptyDay, type QueueDay } from './today-counters.js'

interface Row {
  rule: string | null
  final_action: string | null
  outcome: string
  wait_s: number | null
  calls: string | number
  wait_total: string | number | null
}

/**
 * Today's per-queue figures from the calls table, in one grouped query (by rule, final
 * action, outcome and whole second of wait), for a server that starts mid-day. A call's
 * queue is the one its final action named, else its rule's `otherwise: queue` in the rules
 * in force, else none ('').
 */
export async function readToday(db: Kysely<Database>, since: number, rules: RuleSet | null): Promise<Map<string, QueueDay>> {
  const { rows } = await sql<Row>`
    select rule, final_action, outcome, ceil(wait_seconds)::int as wait_s, count(*) as calls, sum(wait_seconds) as wait_total
    from calls
    where offered_at >= ${new Date(since)} and outcome is not null
    group by 1, 2, 3, 4`.execute(db)
  const days = new Map<string, QueueDay>()
  for (const row of rows) {
    if (row.outcome === 'rejected' || row.outcome === 'redirected') continue
    const queue = queueOf(row, rules)
    let day = days.get(queue)
    if (!day) days.set(queue, (day = emptyDay()))
    const n = Number(row.calls)
    const inTime = row.wait_s !== null && row.wait_s <= serviceLevelSecondsOf(rules, queue)
    if (row.outcome === 'answered') {
      day.answered += n
      day.answerWaitMs += Number(row.wait_total ?? 0) * 1000
      if (inTime) day.answeredInTime += n
    } else if (row.outcome === 'abandoned') {
      day.abandoned += n
      if (!inTime) day.abandonedLate += n
    } else day.missed += n
  }
  return days
}

function queueOf(row: Row, rules: RuleSet | null): string {
  const named = /^queue (.+)$/.exec(row.final_action ?? '')
  if (named) return named[1]!
  const rule = rules?.rules.find((r) => r.name === row.rule)
  return rule?.otherwise.kind === 'queue' ? rule.otherwise.queue : ''
}
