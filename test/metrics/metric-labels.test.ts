import t from 'tap'
import type { CallRecord } from '../../src/calls/call-record.js'
import type { InteractionEvent } from '../../src/interactions/interaction-router.js'
import { Metrics } from '../../src/metrics/metrics.js'
import { request, testDemoApp } from '../helpers/test-app.js'
import { IVAN, settle, SPRING_LINE } from '../workflows/workflow-fixture.js'


const DEMO_LINES = ['+74951234567', '+74951234568', '+78005553535']

/** The label values of one metric in the exposition text. */
function lineLabels(text: string, metric: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`))
    .map((line) => /line="((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? '')
}

async function concurrently(count: number, inFlight: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < count) await job(next++)
  }))
}

t.test('1,000 distinct dialed numbers make no more series than the configured lines and "other"', async (t) => {
  const { app, url } = await testDemoApp(t)
  await concurrently(1000, 16, async (i) => {
    // Numbers that could be real lines but are not configured, and strings that are no number at all.
    const dialed = i % 2 === 0 ? `+7495${String(2_000_000 + i).padStart(7, '0')}` : `line-${i}-${'x'.repeat(i % 7)}`
    const callId = `flood-${i}`
    const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: `+7916${String(3_000_000 + i)}`, dialed, callId } })
    // 202: with every agent busy the call waits in its rule's queue; it is routed all the same.
    if (routed.status !== 200 && routed.status !== 202) throw new Error(`route ${i}: ${JSON.stringify(routed.body)}`)
    await request(`${url}/v1/interactions/${callId}/ended`, { method: 'POST', body: { outcome: 'missed' } })
  })
  const known = await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'known-line' } })
  await request(`${url}/v1/interactions/known-line/ended`, { method: 'POST', body: { outcome: 'abandoned' } })
  t.equal(known.status, 200)
  await settle(app)
  const text = await (await fetch(`${url}/metrics`)).text()
  for (const metric of ['cti_calls_offered_total', 'cti_calls_missed_total']) {
    const labels = new Set(lineLabels(text, metric))
    t.ok(labels.size <= DEMO_LINES.length + 2, `${metric}: ${labels.size} line labels`)
    t.ok([...labels].every((label) => DEMO_LINES.includes(label) || label === 'other' || label === 'none'), `${metric}: only configured lines, other and none (${[...labels].slice(0, 8).join(', ')}…)`)
    t.ok(labels.has('other'), `${metric}: the unconfigured ones are counted as other`)
    t.ok(labels.has(SPRING_LINE), `${metric}: a configured line keeps its own series`)
  }
  t.match(text, /cti_calls_offered_total\{line="other"\} 1000/)
})

function routedTo(number: string, dialed: string): InteractionEvent {
  const line = { number, name: null, source: null, campaign: null, product: null, costPerLead: null }
  return { type: 'routed', callId: 'c', routed: { line }, request: { direction: 'inbound', dialed } } as unknown as InteractionEvent
}

function finished(dialed: string | null, outcome: CallRecord['outcome']): CallRecord {
  return { dialed, outcome, direction: 'inbound' } as CallRecord
}

t.test('a NUL or another control character in a dialed number never reaches /metrics raw', async (t) => {
  const metrics = new Metrics({ agentStatuses: () => [], pendingCallRecords: () => 0, screenPopClients: () => 0 })
  metrics.interaction(routedTo('+74951234567', '+74951234567'))
  metrics.finished(finished('+74951234567\u0000', 'missed'))
  metrics.finished(finished('\u0000\u0001\r\t\u001b[31m', 'abandoned'))
  metrics.finished(finished('+7495\u0000"}\n evil_total 1', 'answered'))
  const { body } = await metrics.text()
  t.notOk(/[\u0000-\u0008\u000b-\u001f\u007f]/.test(body), 'no control character is written raw')
  t.notMatch(body, /^ evil_total/m, 'nothing can start a line of its own')
  t.match(body, /cti_calls_missed_total\{line="other",outcome="missed"\} 1/)
  t.match(body, /cti_calls_answered_total\{line="other"\} 1/)
})

t.test('a configured line with odd characters is written escaped, never raw', async (t) => {
  const metrics = new Metrics({ agentStatuses: () => [], pendingCallRecords: () => 0, screenPopClients: () => 0 })
  const odd = 'line\u0000 "main"\\\nnext'
  metrics.interaction(routedTo(odd, odd))
  metrics.finished(finished(odd, 'answered'))
  const { body } = await metrics.text()
  t.notOk(/[\u0000-\u0008\u000b-\u001f\u007f]/.test(body), 'no control character is written raw')
  const offered = body.split('\n').filter((line) => line.startsWith('cti_calls_offered_total{'))
  t.equal(offered.length, 1, 'one series, on one line')
  t.match(offered[0], /^cti_calls_offered_total\{line="line\uFFFD \\"main\\"\\\\\\nnext"\} 1$/)
  t.match(body, /cti_calls_answered_total\{line="line\uFFFD \\"main\\"\\\\\\nnext"\} 1/)
})
