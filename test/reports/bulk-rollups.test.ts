import t from 'tap'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../src/crm/schema.js'
import { testDatabase } from '../helpers/test-app.js'

// Roll-ups the triggers keep, compared with the ones rebuilt from the records
// themselves (report_rollups_rebuild, the migration's own backfill).

type Rollups = { lines: unknown[]; agents: unknown[] }

async function rollups(db: Kysely<Database>): Promise<Rollups> {
  const lines = await sql`select span, period::text, source, campaign, dialed, inquiries, answered, missed, abandoned, wait_hist from report_line_rollups
    where inquiries <> 0 or answered <> 0 or missed <> 0 or abandoned <> 0 order by 1, 2, 3, 4, 5`.execute(db)
  const agents = await sql`select span, period::text, agent_id, offered, missed, answered, talk_hist from report_agent_rollups
    where offered <> 0 or missed <> 0 or answered <> 0 order by 1, 2, 3`.execute(db)
  // A histogram may carry trailing zeros after calls were taken out: they count nothing.
  const trim = (h: number[]) => {
    let end = h.length
    while (end > 0 && h[end - 1] === 0) end--
    return h.slice(0, end)
  }
  return {
    lines: lines.rows.map((r: any) => ({ ...r, wait_hist: trim(r.wait_hist) })),
    agents: agents.rows.map((r: any) => ({ ...r, talk_hist: trim(r.talk_hist) }))
  }
}

async function rebuilt(db: Kysely<Database>): Promise<Rollups> {
  await sql`select report_rollups_rebuild()`.execute(db)
  return rollups(db)
}

/** Calls over 40 days on 3 lines and 7 agents, offers and failed offers for each, written by single statements. */
async function bulkImport(db: Kysely<Database>, count: number): Promise<void> {
  await sql`
    insert into calls (id, channel, direction, kind, caller, dialed, source, campaign, agent_id, outcome, offered_at, answered_at, ended_at, wait_seconds, talk_seconds)
    select 'bulk-' || g, 'sip', case when g % 11 = 0 then 'outbound' else 'inbound' end, 'call', '+7900' || lpad(g::text, 7, '0'),
      '+74950000' || (g % 3), (array['yandex-direct', 'website', null])[g % 3 + 1], (array['spring', null, 'tv'])[g % 3 + 1],
      case when g % 13 = 0 then null else 'a' || (g % 7) end, outcome, ts,
      case when outcome = 'answered' then ts + make_interval(secs => g % 90) end, ts + make_interval(secs => g % 90 + g % 700),
      g % 90 + (g % 10) / 10.0, case when outcome = 'answered' then g % 700 end
    from (select g, timestamptz '2026-03-01T00:00:00Z' + make_interval(secs => g * 40 * 86400.0 / ${count}) as ts,
      (array['answered', 'answered', 'answered', 'missed', 'abandoned', 'busy'])[g % 6 + 1] as outcome
      from generate_series(1, ${count}::int) g) s`.execute(db)
  await sql`
    insert into call_events (call_id, at, kind, agent_id)
    select id, offered_at, 'offered', agent_id from calls where id like 'bulk-%'
    union all
    select id, offered_at + interval '20 seconds', 'offer-failed', agent_id from calls where id like 'bulk-%' and outcome in ('missed', 'busy')`.execute(db)
}

t.test('a bulk import of call history in one statement is rolled up as a rebuild from the records would', async (t) => {
  const { db } = await testDatabase(t)
  await bulkImport(db, 50_000)
  const kept = await rollups(db)
  t.ok(kept.lines.length > 0 && kept.agents.length > 0, 'the import made roll-ups')
  t.same(kept, await rebuilt(db))
})

t.test('calls updated and deleted in bulk leave the roll-ups a rebuild would make', async (t) => {
  const { db } = await testDatabase(t)
  await bulkImport(db, 20_000)
  // A third of the missed calls turn out answered, some calls move to another line, some are removed.
  await sql`update calls set outcome = 'answered', answered_at = offered_at + interval '5 seconds', wait_seconds = 5, talk_seconds = 33
    where outcome = 'missed' and id::text like '%3'`.execute(db)
  await sql`update calls set source = 'partners', dialed = '+74950000009' where id like '%7'`.execute(db)
  await sql`delete from call_events where call_id like '%1'`.execute(db)
  await sql`delete from calls where id like '%1'`.execute(db)
  const kept = await rollups(db)
  t.same(kept, await rebuilt(db))
})

t.test('a change that moves no figure writes no roll-up', async (t) => {
  const { db } = await testDatabase(t)
  await bulkImport(db, 1000)
  // Every row version of the roll-ups: an upsert, even one adding zeros, makes new ones.
  const versions = async () => (await sql<{ v: string }>`select string_agg(ctid::text || xmin::text, ',' order by ctid) as v
    from (select ctid, xmin from report_line_rollups union all select ctid, xmin from report_agent_rollups) r`.execute(db)).rows[0]!.v
  const before = await versions()
  // Linking calls to a lead afterwards changes nothing the reports count.
  await sql`update calls set lead_id = 1 where id like 'bulk-1%'`.execute(db)
  t.equal(await versions(), before)
})
