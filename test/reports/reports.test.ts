import t from 'tap'
import type { App } from '../../src/app.js'
import { request, testApp } from '../helpers/test-app.js'

/**
 * A small known history on 1 March 2026, with the figures worked out by hand:
 *
 * yandex-direct / spring / +74950000001: calls k1 (answered after 10 s, talked 60 s, a1),
 *   k2 (20 s, 120 s, a1), k3 (30 s, 30 s, a2), k4 missed, k5 abandoned
 *   → 5 inquiries, 3 answered (0.6), median 20 s, p90 28 s (20 + 0.8 × 10), 1 missed, 1 abandoned;
 *   leads L1 (converted), L2, L3 (lost: price), 1200 each → 3 leads, 1 converted, 3600, 1200 per lead, 3600 per customer.
 * google-ads / launch / +74950000002: g1 (5 s, 100 s, a2), g2 missed → 2, 1 (0.5), 5 s, 5 s, 1, 0;
 *   lead L4 at 900 → 1 lead, 0 converted, 900 per lead, none per customer.
 * Outside the range or outbound: k6 (5 March), o1 (outbound) — not counted.
 */
const DAY = '2026-03-01'
const at = (hhmm: string, seconds = 0) => new Date(Date.parse(`${DAY}T${hhmm}:00Z`) + seconds * 1000)
const NOW = Date.parse('2026-03-10T12:00:00Z')

async function seed(app: App): Promise<void> {
  const db = app.database.db
  await db.insertInto('teams').values({ id: 'sales', name: 'Sales', lead_agent_id: null }).execute()
  await db.insertInto('agents').values([
    { id: 'a1', name: 'Anna', extension: '101', team_id: 'sales' },
    { id: 'a2', name: 'Boris', extension: '102', team_id: 'sales' }
  ]).execute()
  const customer = await db.insertInto('customers').values({ name: 'Converted Lead' }).returning('id').executeTakeFirstOrThrow()
  const yandex = { source: 'yandex-direct', campaign: 'spring', line_number: '+74950000001' }
  const google = { source: 'google-ads', campaign: 'launch', line_number: '+74950000002' }
  const [l1, l2, l3, l4] = await db
    .insertInto('leads')
    .values([
      { ...yandex, phone: '+79000000001', cost: 1200, created_at: at('09:00'), customer_id: customer.id, status: 'converted', converted_at: at('15:00') },
      { ...yandex, phone: '+79000000002', cost: 1200, created_at: at('09:30') },
      { ...yandex, phone: '+79000000003', cost: 1200, created_at: at('10:00'), status: 'lost', lost_reason: 'price', lost_at: at('16:00') },
      { ...google, phone: '+79000000004', cost: 900, created_at: at('11:00') }
    ])
    .returning('id')
    .execute()
  const call = (id: string, line: typeof yandex, start: Date, outcome: string, wait: number | null, talk: number | null, agent: string | null, leadId: number | null = null, direction = 'inbound') => ({
    id,
    channel: 'sip',
    direction,
    kind: 'call',
    source: line.source,
    campaign: line.campaign,
    dialed: line.line_number,
    outcome,
    offered_at: start,
    answered_at: outcome === 'answered' ? new Date(start.getTime() + wait! * 1000) : null,
    wait_seconds: wait,
    talk_seconds: talk,
    agent_id: agent,
    lead_id: leadId
  })
  await db
    .insertInto('calls')
    .values([
      call('k1', yandex, at('09:00'), 'answered', 10, 60, 'a1', l1!.id),
      call('k2', yandex, at('10:00'), 'answered', 20, 120, 'a1'),
      call('k3', yandex, at('11:00'), 'answered', 30, 30, 'a2'),
      call('k4', yandex, at('12:00'), 'missed', 25, null, 'a1', l2!.id),
      call('k5', yandex, at('13:00'), 'abandoned', 8, null, null, l3!.id),
      call('g1', google, at('09:00'), 'answered', 5, 100, 'a2'),
      call('g2', google, at('10:00'), 'missed', 25, null, 'a2', l4!.id),
      call('k6', yandex, new Date('2026-03-05T10:00:00Z'), 'answered', 1, 1, 'a1'),
      call('o1', yandex, at('14:00'), 'answered', 3, 50, 'a1', null, 'outbound')
    ])
    .execute()
  const offered = (callId: string, agent: string, start: Date, failed: boolean) => [
    { call_id: callId, at: start, kind: 'offered', agent_id: agent },
    ...(failed ? [{ call_id: callId, at: new Date(start.getTime() + 20_000), kind: 'offer-failed', agent_id: agent }] : [])
  ]
  await db
    .insertInto('call_events')
    .values([
      ...offered('k1', 'a1', at('09:00'), false),
      ...offered('k2', 'a1', at('10:00'), false),
      ...offered('k4', 'a1', at('12:00'), true),
      ...offered('k3', 'a2', at('11:00'), false),
      ...offered('g1', 'a2', at('09:00'), false),
      ...offered('g2', 'a2', at('10:00'), true)
    ])
    .execute()
  await db
    .insertInto('tasks')
    .values([
      { kind: 'callback', title: 'on time', assignee_agent_id: 'a1', due_at: at('10:00'), status: 'done', done_at: at('09:00') },
      { kind: 'callback', title: 'still open', assignee_agent_id: 'a1', due_at: at('11:00') },
      { kind: 'callback', title: 'late', assignee_agent_id: 'a2', due_at: at('10:00'), status: 'done', done_at: at('12:00') }
    ])
    .execute()
  const deal = (stage: string, status: 'lost' | 'won', reason: string | null) => ({ customer_id: customer.id, title: `deal at ${stage}`, stage, status, lost_reason: reason, closed_at: at('17:00') })
  await db.insertInto('deals').values([deal('offer', 'lost', 'price'), deal('invoice', 'lost', 'competitor'), deal('offer', 'lost', 'price'), deal('paid', 'won', null)]).execute()
}

async function seededApp(t: any) {
  const server = await testApp(t, {}, { now: () => NOW })
  await seed(server.app)
  return server
}

const RANGE = 'from=2026-03-01&to=2026-03-02'

t.test('the sources report counts inquiries, answers, time to answer, losses and lead costs per source', async (t) => {
  const { url } = await seededApp(t)
  const res = await request(`${url}/v1/reports/sources?${RANGE}`)
  t.equal(res.status, 200)
  t.match(res.body, { report: 'sources', from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z', groupBy: 'source' })
  t.same(res.body.rows, [
    { key: 'yandex-direct', inquiries: 5, answered: 3, answeredShare: 0.6, medianSecondsToAnswer: 20, p90SecondsToAnswer: 28, missed: 1, abandoned: 1, newLeads: 3, leadsConverted: 1, leadCost: 3600, costPerLead: 1200, costPerCustomer: 3600 },
    { key: 'google-ads', inquiries: 2, answered: 1, answeredShare: 0.5, medianSecondsToAnswer: 5, p90SecondsToAnswer: 5, missed: 1, abandoned: 0, newLeads: 1, leadsConverted: 0, leadCost: 900, costPerLead: 900, costPerCustomer: null }
  ])
})

t.test('the same report grouped by line and by campaign', async (t) => {
  const { url } = await seededApp(t)
  const byLine = await request(`${url}/v1/reports/sources?${RANGE}&groupBy=line`)
  t.same(byLine.body.rows.map((r: any) => [r.key, r.inquiries, r.newLeads]), [['+74950000001', 5, 3], ['+74950000002', 2, 1]])
  const byCampaign = await request(`${url}/v1/reports/sources?${RANGE}&groupBy=campaign`)
  t.same(byCampaign.body.rows.map((r: any) => [r.key, r.answered, r.leadsConverted]), [['spring', 3, 1], ['launch', 1, 0]])
})

t.test('the agents report counts offers, answers, missed offers, median talk time, tasks done and overdue', async (t) => {
  const { url } = await seededApp(t)
  const res = await request(`${url}/v1/reports/agents?${RANGE}`)
  t.same(res.body.rows, [
    // a1 also answered the outbound o1 (50 s): talks 60, 120, 50 → median 60.
    { agentId: 'a1', name: 'Anna', team: 'sales', offered: 3, answered: 3, missed: 1, medianTalkSeconds: 60, transfersOut: 0, transfersIn: 0, tasksDone: 1, tasksOverdue: 1 },
    { agentId: 'a2', name: 'Boris', team: 'sales', offered: 3, answered: 2, missed: 1, medianTalkSeconds: 65, transfersOut: 0, transfersIn: 0, tasksDone: 1, tasksOverdue: 1 }
  ])
})

t.test('the losses report counts where leads and deals ended without a sale, and why', async (t) => {
  const { url } = await seededApp(t)
  const res = await request(`${url}/v1/reports/losses?${RANGE}`)
  t.same(res.body.rows, [
    { subject: 'deal', step: 'stage offer', reason: 'price', count: 2 },
    { subject: 'deal', step: 'stage invoice', reason: 'competitor', count: 1 },
    { subject: 'lead', step: 'call abandoned', reason: 'price', count: 1 },
    { subject: 'lead-unreached', step: 'call missed', reason: null, count: 2 }
  ])
  const byReason = await request(`${url}/v1/reports/losses?${RANGE}&groupBy=reason`)
  t.same(byReason.body.rows.map((r: any) => [r.subject, r.reason, r.count]), [['deal', 'price', 2], ['deal', 'competitor', 1], ['lead', 'price', 1], ['lead-unreached', null, 2]])
})

t.test('CSV comes with format=csv or Accept: text/csv, one line per row', async (t) => {
  const { url } = await seededApp(t)
  const csv = await fetch(`${url}/v1/reports/sources?${RANGE}&format=csv`)
  t.match(csv.headers.get('content-type'), /^text\/csv/)
  t.equal(
    await csv.text(),
    'key,inquiries,answered,answeredShare,medianSecondsToAnswer,p90SecondsToAnswer,missed,abandoned,newLeads,leadsConverted,leadCost,costPerLead,costPerCustomer\r\n' +
      'yandex-direct,5,3,0.6,20,28,1,1,3,1,3600,1200,3600\r\n' +
      'google-ads,2,1,0.5,5,5,1,0,1,0,900,900,\r\n'
  )
  const accepted = await fetch(`${url}/v1/reports/losses?${RANGE}`, { headers: { accept: 'text/csv' } })
  t.equal((await accepted.text()).split('\r\n')[0], 'subject,step,reason,count')
})

t.test('a bad range, an unknown grouping or format is a 400 naming the problem', async (t) => {
  const { url } = await seededApp(t)
  const cases: [string, string, RegExp][] = [
    ['from=yesterday', 'CTI_ERR_INVALID_RANGE', /from "yesterday" is not a date/],
    ['from=2026-03-02&to=2026-03-01', 'CTI_ERR_INVALID_RANGE', /must be before/],
    ['from=2026-02-30T00:00:00Z&to=2026-03-01', 'CTI_ERR_INVALID_RANGE', /from/],
    [`${RANGE}&groupBy=colour`, 'CTI_ERR_UNKNOWN_GROUPING', /groupBy "colour" is not one of source, campaign, line/],
    [`${RANGE}&format=xml`, 'CTI_ERR_UNKNOWN_FORMAT', /xml/]
  ]
  for (const [query, error, message] of cases) {
    const res = await request(`${url}/v1/reports/sources?${query}`)
    t.equal(res.status, 400, query)
    t.equal(res.body.error, error, query)
    t.match(res.body.message, message, query)
  }
})

t.test('without a range a report covers the last 30 days', async (t) => {
  const { url } = await seededApp(t)
  const res = await request(`${url}/v1/reports/agents`)
  t.match(res.body, { from: '2026-02-08T12:00:00.000Z', to: '2026-03-10T12:00:00.000Z' })
})
