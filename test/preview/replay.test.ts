import { sql } from 'kysely'
import t from 'tap'
import { availabilityAt } from '../../src/preview/availability.js'
import { runPreview } from '../../src/preview/preview.js'
import { formatReport } from '../../src/preview/report.js'
import { availabilityPages, rebuildStart } from '../../src/preview/store.js'
import { testDatabase } from '../helpers/test-app.js'
import { compiled, DAY, rulesYaml, simulateDay, store, withoutVipYaml } from './fixture.js'

const CALLS = 60
const period = { from: DAY - 60_000, to: DAY + CALLS * 60_000 }

t.test('replaying a day of calls', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const day = simulateDay(CALLS)
  await store(db, day)
  const vipCalls = day.facts.filter((f) => f.customer?.tier === 'vip').length

  t.test('an unchanged copy of the rules changes no call', async (t) => {
    const report = await runPreview(db, compiled(rulesYaml), period)
    t.equal(report.replayed, CALLS)
    t.equal(report.changed, 0)
    t.equal(report.unchanged, CALLS)
    t.same(report.sample, [])
  })

  t.test('removing the VIP rule moves the VIP calls to support, and says from whom to whom', async (t) => {
    const report = await runPreview(db, compiled(withoutVipYaml), period, { sample: 5 })
    t.equal(report.changed, vipCalls)
    const vip = report.byRule.find((r) => r.rule === 'VIP customers')!
    t.same({ before: vip.before, after: vip.after, changed: vip.changed }, { before: vipCalls, after: 0, changed: vipCalls })
    t.equal(report.moves.reduce((n, m) => n + m.calls, 0), vipCalls)
    for (const m of report.moves) {
      t.match(m.from, /^(agent a-anna|agent a-boris|voicemail)$/)
      t.match(m.to, /^(agent a-clara|agent a-dmitri|voicemail)$/)
    }
    t.equal(report.sample.length, 5)
    t.equal(report.sample[0]!.before.rule, 'VIP customers')
    t.equal(report.sample[0]!.after.rule, 'everyone else')
    const anna = report.byAgent.find((a) => a.agent === 'a-anna')
    t.equal(anna?.after, 0, 'nobody reaches the VIP desk any more')
    const text = formatReport(report).join('\n')
    t.match(text, `changed ${vipCalls} (`)
    t.match(text, 'approximated:')
  })

  t.test('who was free at an instant is rebuilt from the log', async (t) => {
    // Call 0 (a VIP) was answered at DAY + 5 s and lasts 90 s: at DAY + 30 s its agent talks, the others are free.
    const taker = day.facts[0]!.decided.agent!
    const at = DAY + 30_000
    const agents = await availabilityAt(availabilityPages(db, await rebuildStart(db, at), at + 1), at)
    const byId = new Map(agents.map((a) => [a.profile.id, a.state.status]))
    t.equal(byId.get(taker), 'busy')
    t.same([...byId].filter(([, s]) => s === 'available').map(([id]) => id).sort(), ['a-anna', 'a-boris', 'a-clara', 'a-dmitri'].filter((id) => id !== taker))
  })

  t.test('a period with no calls says so', async (t) => {
    const report = await runPreview(db, compiled(rulesYaml), { from: DAY - 7 * 86_400_000, to: DAY - 6 * 86_400_000 })
    t.equal(report.noCalls, true)
    t.equal(report.replayed, 0)
    t.match(formatReport(report).join('\n'), 'no calls in this period')
  })

  t.test('calls under an unknown rules version, with missing facts, or recorded before facts were kept are counted apart', async (t) => {
    const at = new Date(DAY + 30 * 60_000 + 1)
    await sql`insert into call_facts (call_id, at, rules_version, facts) values
      ('old-version', ${at}, null, ${JSON.stringify({ ...day.facts[1], callId: undefined, at: undefined, version: undefined })}::jsonb),
      ('no-facts', ${at}, ${day.rules.version}, '{}'::jsonb)`.execute(db)
    await sql`insert into calls (id, channel, offered_at, routed_at) values ('before-facts', 'http', ${at}, ${at})`.execute(db)
    const report = await runPreview(db, compiled(rulesYaml), period)
    t.same(report.countedApart, { unknownVersion: 1, missingFacts: 1, namedAgent: 0, withoutFacts: 1 })
    t.equal(report.replayed, CALLS, 'none of them is replayed')
    t.equal(report.changed, 0)
  })
})
