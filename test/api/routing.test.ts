import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { request, testApp, testDemoApp } from '../helpers/test-app.js'

const IVAN = '+79161234567'
const SPRING_LINE = '+74951234567'

t.test('a VIP demo caller goes to their owner first, with a readable trace', async (t) => {
  const { url } = await testDemoApp(t)
  const res = await request(`${url}/v1/route`, { method: 'POST', body: { caller: '8 (916) 123-45-67', dialed: SPRING_LINE, callId: 'call-1' } })
  t.equal(res.status, 200)
  t.equal(res.body.callId, 'call-1')
  t.equal(res.body.customer.name, 'Ivan Petrov')
  t.equal(res.body.decision.rule, 'VIP customers')
  t.equal(res.body.decision.targets[0].agentId, 'a-anna')
  t.equal(res.body.decision.targets[0].step, 'owner')
  t.equal(res.body.decision.targets[0].address, 'sip:anna@pbx.example.com')
  t.equal(res.body.decision.targets[0].ringSeconds, 20)
  t.equal(res.body.decision.reason, 'your customer')
  t.same(res.body.decision.trace.rulesTried.map((r: { rule: string }) => r.rule), ['blocked numbers', 'after hours', 'VIP customers'])
  t.equal(res.body.line.campaign, 'spring-crm')

  const state = await request(`${url}/v1/agents/a-anna/state`)
  t.equal(state.body.status, 'ringing', 'the owner is reserved at once')
})

t.test('explain gives the same decision and reserves nobody', async (t) => {
  const { url } = await testDemoApp(t)
  const res = await request(`${url}/v1/route/explain`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE } })
  t.equal(res.body.decision.targets[0].agentId, 'a-anna')
  t.equal((await request(`${url}/v1/agents/a-anna/state`)).body.status, 'available')
})

t.test('explain at a hypothetical time applies the after-hours rule', async (t) => {
  const { url } = await testDemoApp(t)
  const res = await request(`${url}/v1/route/explain`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, at: '2026-11-23T23:30:00+03:00' } })
  t.equal(res.body.decision.rule, 'after hours')
  t.same(res.body.decision.targets, [])
  t.equal(res.body.decision.final.kind, 'voicemail')
})

t.test('a blocked caller is rejected by rule', async (t) => {
  const { url } = await testDemoApp(t)
  const res = await request(`${url}/v1/route`, { method: 'POST', body: { caller: '+79990000000', dialed: SPRING_LINE } })
  t.equal(res.body.decision.rule, 'blocked numbers')
  t.same(res.body.decision.final, { kind: 'reject', cause: 'blocked number', sipStatus: 603 })
})

t.test('an anonymous caller is routed as a new caller, never an error', async (t) => {
  const { url } = await testDemoApp(t)
  const res = await request(`${url}/v1/route`, { method: 'POST', body: { caller: 'sip:anonymous@anonymous.invalid', dialed: SPRING_LINE } })
  t.equal(res.status, 200)
  t.same(res.body.caller, { number: null, problem: 'anonymous', displayName: null })
  t.equal(res.body.decision.rule, 'new callers')
  t.ok(res.body.decision.targets.length > 0)
})

t.test('an owner who does not answer: the next target is offered, the owner is never offered again', async (t) => {
  const { url } = await testDemoApp(t)
  const first = await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'c-next' } })
  t.equal(first.body.decision.targets[0].agentId, 'a-anna')
  const next = await request(`${url}/v1/interactions/c-next/no-answer`, { method: 'POST', body: { agentId: 'a-anna', reason: 'ring-timeout' } })
  t.equal(next.status, 200)
  const nextAgent = next.body.decision.targets[0].agentId
  t.not(nextAgent, 'a-anna')
  t.equal((await request(`${url}/v1/agents/a-anna/state`)).body.status, 'available', 'the owner is released')
  t.equal((await request(`${url}/v1/agents/${nextAgent}/state`)).body.status, 'ringing')

  t.equal((await request(`${url}/v1/interactions/c-next/answered`, { method: 'POST', body: { agentId: nextAgent } })).status, 200)
  t.equal((await request(`${url}/v1/agents/${nextAgent}/state`)).body.status, 'busy')
  t.equal((await request(`${url}/v1/interactions/c-next/ended`, { method: 'POST' })).body.ended, true)
  t.equal((await request(`${url}/v1/agents/${nextAgent}/state`)).body.status, 'wrap-up')
})

t.test('a reported answer from an agent who was not offered the call is refused', async (t) => {
  const { url } = await testDemoApp(t)
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'c-x' } })
  const res = await request(`${url}/v1/interactions/c-x/answered`, { method: 'POST', body: { agentId: 'a-igor' } })
  t.equal(res.status, 400)
  t.match(res.body.message, /not ringing agent a-igor/)
})

t.test('an agent sets their own state and routing follows it', async (t) => {
  const { url } = await testDemoApp(t)
  const away = await request(`${url}/v1/agents/a-anna/state`, { method: 'PUT', body: { state: 'away' } })
  t.equal(away.body.status, 'away')
  const res = await request(`${url}/v1/route/explain`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE } })
  t.not(res.body.decision.targets[0].agentId, 'a-anna')
  const ownerStep = res.body.decision.trace.steps[0]
  t.same(ownerStep.skipped, [{ agentId: 'a-anna', reason: 'away' }])
  t.equal((await request(`${url}/v1/agents/a-nobody/state`, { method: 'PUT', body: { state: 'away' } })).status, 404)
  t.equal((await request(`${url}/v1/agents/a-anna/state`, { method: 'PUT', body: { state: 'ringing' } })).status, 400, 'ringing is not for agents to set')
})

t.test('concurrent route requests never give an agent more calls than their capacity', async (t) => {
  const { url } = await testDemoApp(t)
  const callers = Array.from({ length: 200 }, (_, i) => `+7916${String(5000000 + i)}`)
  const results = await Promise.all(callers.map((caller, i) => request(`${url}/v1/route`, { method: 'POST', body: { caller, dialed: SPRING_LINE, callId: `load-${i}` } })))
  const chosen = results.map((r) => r.body.decision.targets[0]?.agentId).filter(Boolean)
  const perAgent = new Map<string, number>()
  for (const id of chosen) perAgent.set(id, (perAgent.get(id) ?? 0) + 1)
  t.ok(chosen.length > 0)
  t.ok([...perAgent.values()].every((n) => n === 1), `each agent (capacity 1) got at most one call: ${JSON.stringify([...perAgent])}`)
  const states = (await request(`${url}/v1/agents/states`)).body as { agentId: string; activeCalls: number; capacity: number }[]
  t.ok(states.every((s) => s.activeCalls <= s.capacity))
  t.equal(states.filter((s) => s.activeCalls === 1).length, chosen.length)
})

t.test('an unanswered offer moves to the next agent after its ring time', async (t) => {
  const dir = t.testdir()
  await cp('routing-rules', dir, { recursive: true })
  const rules = join(dir, 'rules.yaml')
  await writeFile(rules, (await readFile(rules, 'utf8')).replace(/- owner:\n        ring: 20s/, '- owner:\n        ring: 1s'))
  const { url } = await testDemoApp(t, { RULES_DIR: dir })
  const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'c-timeout' } })
  t.equal(routed.body.decision.targets[0].ringSeconds, 1)
  t.equal((await request(`${url}/v1/agents/a-anna/state`)).body.status, 'ringing')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal((await request(`${url}/v1/agents/a-anna/state`)).body.status, 'available', 'released after 1 s of ringing')
  const ringing = ((await request(`${url}/v1/agents/states`)).body as { agentId: string; status: string }[]).filter((s) => s.status === 'ringing')
  t.equal(ringing.length, 1, 'the next agent rings')
  t.not(ringing[0]!.agentId, 'a-anna')
})

t.test('GET /v1/rules tells the version in force, and a broken edit keeps it', async (t) => {
  const dir = t.testdir()
  await cp('routing-rules', dir, { recursive: true })
  const { url } = await testDemoApp(t, { RULES_DIR: dir, RULES_WATCH: 'true' })
  const before = (await request(`${url}/v1/rules`)).body
  t.match(before.version, /^[0-9a-f]{6,}$/)
  t.ok(before.files.includes('rules.yaml'))
  t.equal(before.timeZone, 'Europe/Moscow')
  t.equal(before.rejectedEdit, null)

  const rules = join(dir, 'rules.yaml')
  const good = await readFile(rules, 'utf8')
  await writeFile(rules, good.replace('strategy: fewest-calls', 'strategy: loudest-voice'))
  const rejected = await poll(async () => (await request(`${url}/v1/rules`)).body, (b) => b.rejectedEdit !== null)
  t.equal(rejected.version, before.version, 'the old rules stay')
  t.match(rejected.rejectedEdit.errors[0], /^rules\.yaml:\d+:\d+: .*loudest-voice/)

  await writeFile(rules, good.replace('name: new callers', 'name: first-time callers'))
  const reloaded = await poll(async () => (await request(`${url}/v1/rules`)).body, (b) => b.version !== before.version)
  t.ok(reloaded.rules.some((r: { name: string }) => r.name === 'first-time callers'))
  const res = await request(`${url}/v1/route/explain`, { method: 'POST', body: { caller: '+79160001122', dialed: SPRING_LINE } })
  t.equal(res.body.decision.rule, 'first-time callers', 'new decisions use the new rules')
})

t.test('rules that do not compile stop start-up with every error listed', async (t) => {
  const dir = t.testdir({ 'rules.yaml': 'rules:\n  - name: x\n    when: customer.colour == "red"\n    then: voicemail\n' })
  await t.rejects(testApp(t, { RULES_DIR: dir }), /rules\.yaml:3:\d+: .*colour/)
})

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let value = await read()
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    value = await read()
  }
  return value
}

t.test('routing the same call again replaces its offer instead of leaving two agents ringing', async (t) => {
  const { url } = await testDemoApp(t)
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'c-again' } })
  await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'c-again' } })
  const ringing = ((await request(`${url}/v1/agents/states`)).body as { agentId: string; status: string }[]).filter((s) => s.status === 'ringing')
  t.same(ringing.map((s) => s.agentId), ['a-anna'])
})
