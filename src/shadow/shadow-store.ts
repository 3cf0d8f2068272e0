/**
 * Shadow decisions in PostgreSQL: one compact row per decision (both outcomes kept only when they
 * differ), and the summary "last 24 h: N % would have gone elsewhere" with the latest differences.
 */
import { sql, type Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import type { DecisionSummary } from '../preview/types.js'
import type { ShadowDecision } from './shadow-rules.js'

export async function insertShadowDecisions(db: Kysely<Database>, rows: readonly ShadowDecision[]): Promise<void> {
  if (rows.length === 0) return
  const values = rows.map((r) => sql`(${new Date(r.at)}, ${r.callId}, ${r.version}, ${r.same}, ${r.same ? null : JSON.stringify(r.live)}::jsonb, ${r.same ? null : JSON.stringify(r.shadow)}::jsonb)`)
  await sql`insert into shadow_decisions (at, call_id, shadow_version, same, live, shadow) values ${sql.join(values)}`.execute(db)
}

export interface ShadowSummary {
  from: string
  to: string
  decided: number
  same: number
  different: number
  differentPercent: number
  /** The latest differences, newest first. */
  recent: { callId: string; at: string; shadowVersion: string; live: DecisionSummary; shadow: DecisionSummary }[]
}

export async function shadowSummary(db: Kysely<Database>, from: number, to: number, recent = 10): Promise<ShadowSummary> {
  const counts = await sql<{ same: number; different: number }>`
    select (count(*) filter (where same))::int as same, (count(*) filter (where not same))::int as different
    from shadow_decisions where at >= ${new Date(from)} and at < ${new Date(to)}`.execute(db)
  const latest = await sql<{ call_id: string; at: Date; shadow_version: string; live: DecisionSummary; shadow: DecisionSummary }>`
    select call_id, at, shadow_version, live, shadow from shadow_decisions
    where not same and at >= ${new Date(from)} and at < ${new Date(to)} order by at desc limit ${recent}`.execute(db)
  const same = counts.rows[0]?.same ?? 0
  const different = counts.rows[0]?.different ?? 0
  const decided = same + different
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    decided,
    same,
    different,
    differentPercent: decided === 0 ? 0 : Math.round((different / decided) * 10_000) / 100,
    recent: latest.rows.map((r) => ({ callId: r.call_id, at: new Date(r.at).toISOString(), shadowVersion: r.shadow_version, live: r.live, shadow: r.shadow }))
  }
}
