import t from 'tap'
import { testApp, testDemoApp } from '../helpers/test-app.js'
import { call, IVAN, NEWCOMER, settle } from '../workflows/workflow-fixture.js'

t.test('GET /metrics answers in the Prometheus format with calls by line, decisions, agents and queues', async (t) => {
  const { app, url } = await testDemoApp(t)
  await call(url, 'm-1', IVAN, 'answered')
  await call(url, 'm-2', NEWCOMER, 'missed')
  await settle(app)
  app.metrics.reconnected('redis')
  const res = await fetch(`${url}/metrics`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/plain/)
  const text = await res.text()
  t.match(text, /cti_calls_offered_total\{line="\+74951234567"\} 2/)
  t.match(text, /cti_calls_answered_total\{line="\+74951234567"\} 1/)
  t.match(text, /cti_calls_missed_total\{line="\+74951234567",outcome="missed"\} 1/)
  t.match(text, /cti_routing_decision_seconds_count 2/)
  t.match(text, /cti_agents\{state="available"\} \d+/)
  t.match(text, /cti_call_records_pending 0/)
  t.match(text, /cti_screenpop_clients 0/)
  t.match(text, /cti_reconnects_total\{transport="redis"\} 1/)
})

t.test('/metrics needs no admin token', async (t) => {
  const { url } = await testApp(t, { ADMIN_TOKEN: 'a-very-secret-admin-token' })
  t.equal((await fetch(`${url}/metrics`)).status, 200)
})
