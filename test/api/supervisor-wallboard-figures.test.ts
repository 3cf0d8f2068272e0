import t from 'tap'
import { readToday } from '../../src/wallboard/seed-today.js'
import { abandonRate, averageAnswerSeconds, localDay, serviceLevel, startOfLocalDay, TodayCounters } from '../../src/wallboard/today-counters.js'
import { testDatabase } from '../helpers/test-app.js'

const MOSCOW = () => 'Europe/Moscow'
const MONDAY_11_MSK = Date.parse('2026-11-23T11:00:00+03:00')

t.test('service level is answered within the threshold over answered and abandoned after it', async (t) => {
  const counters = new TodayCounters(MOSCOW, MONDAY_11_MSK)
  const at = MONDAY_11_MSK
  counters.add('sales', { answered: true, waitMs: 5_000 }, 20, at)
  counters.add('sales', { answered: true, waitMs: 20_000 }, 20, at)
  counters.add('sales', { answered: true, waitMs: 45_000 }, 20, at)
  counters.add('sales', { answered: false, waitMs: 8_000, outcome: 'abandoned' }, 20, at)
  counters.add('sales', { answered: false, waitMs: 60_000, outcome: 'abandoned' }, 20, at)
  counters.add('sales', { answered: false, waitMs: 90_000, outcome: 'missed' }, 20, at)
  const day = counters.all(at).get('sales')!
  t.same(day, { answered: 3, answeredInTime: 2, abandoned: 2, abandonedLate: 1, missed: 1, answerWaitMs: 70_000 })
  t.equal(serviceLevel(day), 2 / 4, 'the short abandon is left out; the late one counts against')
  t.equal(abandonRate(day), 2 / 6)
  t.equal(averageAnswerSeconds(day), 70 / 3)
})

t.test('calls refused by a rule or handed back to the PBX are not in the queue figures', async (t) => {
  const counters = new TodayCounters(MOSCOW, MONDAY_11_MSK)
  counters.add('sales', { answered: false, waitMs: 0, outcome: 'rejected' }, 20, MONDAY_11_MSK)
  counters.add('sales', { answered: false, waitMs: 0, outcome: 'redirected' }, 20, MONDAY_11_MSK)
  t.equal(counters.all(MONDAY_11_MSK).size, 0)
})

t.test("today's counters start again at local midnight, not UTC midnight", async (t) => {
  const counters = new TodayCounters(MOSCOW, MONDAY_11_MSK)
  counters.add('sales', { answered: true, waitMs: 1000 }, 20, MONDAY_11_MSK)
  const beforeMidnight = Date.parse('2026-11-23T23:59:59+03:00')
  t.equal(counters.all(beforeMidnight).get('sales')?.answered, 1)
  const afterMidnight = Date.parse('2026-11-24T00:00:01+03:00')
  t.equal(counters.all(afterMidnight).size, 0, 'past midnight in Moscow (21:00 UTC) the day is new')
  t.equal(startOfLocalDay(afterMidnight, 'Europe/Moscow'), Date.parse('2026-11-24T00:00:00+03:00'))
  t.equal(localDay(afterMidnight, 'UTC'), '2026-11-23', 'still the 23rd in UTC')
})

t.test('the local day changes exactly at local midnight in zones a quarter or half an hour off UTC, and across a DST change', async (t) => {
  const zones = ['Asia/Kathmandu', 'Australia/Eucla', 'Pacific/Chatham', 'America/St_Johns', 'Europe/Berlin', 'UTC']
  const from = Date.parse('2026-10-24T00:00:00Z')
  const wrong: string[] = []
  for (const timeZone of zones) {
    const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    // Every minute of three days, through the end of summer time in Europe (25 October 2026).
    for (let at = from; at < from + 3 * 86_400_000; at += 60_000) if (localDay(at, timeZone) !== format.format(at)) wrong.push(`${timeZone} ${new Date(at).toISOString()}`)
  }
  t.same(wrong.slice(0, 5), [], 'the same date as formatting each instant')
})

t.test("today's figures are read from the calls table in one query at start", async (t) => {
  const database = await testDatabase(t)
  const row = (id: string, outcome: string | null, waitSeconds: number, finalAction: string | null, offeredAt = '2026-11-23T08:00:00Z') => ({
    id,
    channel: 'sip',
    offered_at: offeredAt,
    outcome,
    wait_seconds: waitSeconds,
    final_action: finalAction,
    rule: 'new callers'
  })
  await database.db
    .insertInto('calls')
    .values([
      row('c1', 'answered', 4, null),
      row('c2', 'answered', 31.5, null),
      row('c3', 'abandoned', 40, 'queue sales'),
      row('c4', 'missed', 10, 'queue sales'),
      row('c5', null, 3, null),
      row('c6', 'answered', 2, null, '2026-11-22T08:00:00Z')
    ])
    .execute()
  const days = await readToday(database.db, startOfLocalDay(MONDAY_11_MSK, 'Europe/Moscow'), null)
  t.same(days.get('sales'), { answered: 0, answeredInTime: 0, abandoned: 1, abandonedLate: 1, missed: 1, answerWaitMs: 0 }, 'by the queue its final action named')
  t.same(days.get(''), { answered: 2, answeredInTime: 1, abandoned: 0, abandonedLate: 0, missed: 0, answerWaitMs: 35_500 }, "yesterday's call and the one still in progress are left out")
})
