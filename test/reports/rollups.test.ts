import t from 'tap'
import { writeCallRecords } from '../../src/calls/call-record.repository.js'
import type { CallRecord } from '../../src/calls/call-record.js'
import { agentsReport } from '../../src/reports/agents-report.js'
import { reportPeriods } from '../../src/reports/report-periods.js'
import { reportRows } from '../../src/reports/report-query.js'
import { sourcesReport } from '../../src/reports/sources-report.js'
import { testDatabase } from '../helpers/test-app.js'

const ms = (iso: string) => Date.parse(iso)

/** An inbound call on the yandex line, answered by a1 after `wait` s, talked `talk` s (or missed when talk is null). */
function call(id: string, offeredAt: string, wait: number, talk: number | null): CallRecord {
  const offered = ms(offeredAt)
  const answered = talk === null ? null : offered + wait * 1000
  return {
    id, kind: 'call', channel: 'sip', direction: 'inbound', caller: '+79000000001', callerName: null, dialed: '+74950000001',
    customerId: null, leadId: null, agentId: 'a1', rule: null, source: 'yandex-direct', campaign: 'spring',
    outcome: talk === null ? 'missed' : 'answered', endCause: null, finalAction: null, degraded: false,
    offeredAt: offered, routedAt: offered, ringingAt: offered, answeredAt: answered,
    endedAt: answered === null ? offered + wait * 1000 : answered + talk! * 1000, trace: null,
    steps: [{ at: offered, kind: 'offered', agentId: 'a1', data: null }]
  }
}

const request = (from: string, to: string) => ({ from: new Date(from), to: new Date(to), format: 'json' as const })

t.test('a range is read as partial days at its ends, whole days, and whole months in between', async (t) => {
  t.same(reportPeriods(new Date('2026-01-15T12:00:00Z'), new Date('2026-04-10T06:00:00Z')), {
    edges: [
      { from: new Date('2026-01-15T12:00:00Z'), to: new Date('2026-01-16T00:00:00Z') },
      { from: new Date('2026-04-10T00:00:00Z'), to: new Date('2026-04-10T06:00:00Z') }
    ],
    days: [{ from: '2026-01-16', to: '2026-02-01' }, { from: '2026-04-01', to: '2026-04-10' }],
    months: [{ from: '2026-02-01', to: '2026-04-01' }]
  })
  t.same(reportPeriods(new Date('2026-03-01T00:00:00Z'), new Date('2026-03-02T00:00:00Z')), { edges: [], days: [{ from: '2026-03-01', to: '2026-03-02' }], months: [] })
  t.same(reportPeriods(new Date('2026-03-01T08:00:00Z'), new Date('2026-03-01T09:00:00Z')).days, [])
})

t.test('a call written twice is counted once', async (t) => {
  const { db } = await testDatabase(t)
  await writeCallRecords(db, [call('c1', '2026-03-01T10:00:00Z', 10, null)])
  // Re-written after it ended: now answered after 12 s, talked 40 s.
  await writeCallRecords(db, [{ ...call('c1', '2026-03-01T10:00:00Z', 12, 40), steps: [] }])
  const [row] = await reportRows(db, sourcesReport(db, { ...request('2026-03-01', '2026-03-02'), groupBy: 'source' }))
  t.match(row, { key: 'yandex-direct', inquiries: 1, answered: 1, missed: 0, medianSecondsToAnswer: 12 })
  const [agent] = await reportRows(db, agentsReport(db, { ...request('2026-03-01', '2026-03-02'), groupBy: 'agent' }, ms('2026-03-10T00:00:00Z')))
  t.match(agent, { agentId: 'a1', offered: 1, answered: 1, missed: 0, medianTalkSeconds: 40 })
})

t.test('months, whole days and partial days together count each call of the range once', async (t) => {
  const { db } = await testDatabase(t)
  await writeCallRecords(db, [
    call('before', '2026-01-15T11:59:59Z', 1, 1), // just before the range
    call('edge-1', '2026-01-15T12:00:00Z', 2, 20), // first partial day
    call('day-1', '2026-01-20T08:00:00Z', 4, 40), // whole day in January
    call('month', '2026-02-14T08:00:00Z', 6, 60), // whole month
    call('missed', '2026-03-31T23:59:59Z', 9, null), // whole month, last second
    call('day-2', '2026-04-01T00:00:00Z', 8, 80), // whole day in April
    call('edge-2', '2026-04-10T05:59:59Z', 10, 100), // last partial day
    call('after', '2026-04-10T06:00:00Z', 1, 1) // just after
  ])
  const range = request('2026-01-15T12:00:00Z', '2026-04-10T06:00:00Z')
  const [row] = await reportRows(db, sourcesReport(db, { ...range, groupBy: 'line' }))
  // Waits 2, 4, 6, 8, 10: median 6; p90 at rank 3.6, 8 + 0.6 × (10 - 8).
  t.match(row, { key: '+74950000001', inquiries: 6, answered: 5, missed: 1, medianSecondsToAnswer: 6, p90SecondsToAnswer: 9.2 })
  const [agent] = await reportRows(db, agentsReport(db, { ...range, groupBy: 'agent' }, ms('2026-05-01T00:00:00Z')))
  t.match(agent, { agentId: 'a1', offered: 6, answered: 5, medianTalkSeconds: 60 })
})

t.test('times to answer are kept to the second: fractions fall to the second below', async (t) => {
  const { db } = await testDatabase(t)
  await writeCallRecords(db, [call('a', '2026-03-01T10:00:00Z', 10.4, 30), call('b', '2026-03-01T11:00:00Z', 10.9, 30)])
  const [row] = await reportRows(db, sourcesReport(db, { ...request('2026-03-01', '2026-03-02'), groupBy: 'source' }))
  t.match(row, { medianSecondsToAnswer: 10, p90SecondsToAnswer: 10 })
})

t.test('a transferred call counts one transfer out for the agent who handed it on and one in for the colleague, from roll-ups and partial days alike', async (t) => {
  const { db } = await testDatabase(t)
  const transferred = (id: string, at: string): CallRecord => {
    const base = call(id, at, 5, 300)
    const handedAt = base.answeredAt! + 120_000
    return {
      ...base,
      agentId: 'a2',
      steps: [
        ...base.steps,
        { at: base.answeredAt!, kind: 'answered', agentId: 'a1', data: null },
        { at: handedAt, kind: 'transfer', agentId: 'a1', data: { fromAgentId: 'a1', toAgentId: 'a2', note: 'wants a discount' } },
        { at: handedAt + 1000, kind: 'offered', agentId: 'a2', data: null },
        { at: handedAt + 5000, kind: 'answered', agentId: 'a2', data: null }
      ]
    }
  }
  await writeCallRecords(db, [transferred('whole-day', '2026-03-01T10:00:00Z'), transferred('partial-day', '2026-03-02T10:00:00Z')])
  const rows = await reportRows(db, agentsReport(db, { ...request('2026-03-01T00:00:00Z', '2026-03-02T12:00:00Z'), groupBy: 'agent' }, ms('2026-03-10T00:00:00Z')))
  t.match(rows.find((r) => r.agentId === 'a1'), { transfersOut: 2, transfersIn: 0 })
  t.match(rows.find((r) => r.agentId === 'a2'), { transfersOut: 0, transfersIn: 2 })
})
