import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import pino from 'pino'
import t, { type Test } from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { WebhookPop, type WebhookEvent, type WebhookPopOptions } from '../../src/screenpop/webhook-pop.js'
import { request, testApp } from '../helpers/test-app.js'
import { openPage } from './fixtures/page-client.js'

const SECRET = 'webhook-secret-0123456789'
const MONDAY_11_MSK = Date.parse('2026-11-23T11:00:00+03:00')

interface Received {
  headers: IncomingHttpHeaders
  body: string
  at: number
}

/** A real HTTP receiver on a random port; `answer` decides each response (it may never answer). */
async function receiver(t: Test, answer: (res: ServerResponse, n: number) => void = (res) => res.end('ok')) {
  const received: Received[] = []
  const waiters: { count: number; resolve: () => void }[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => {
      received.push({ headers: req.headers, body, at: Date.now() })
      for (const w of [...waiters]) if (received.length >= w.count) (waiters.splice(waiters.indexOf(w), 1), w.resolve())
      answer(res, received.length)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pop?key=receiver-secret`
  return {
    url,
    received,
    /** Resolves once `count` requests have arrived. */
    requests: (count: number, timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        if (received.length >= count) return resolve()
        const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${count} requests arrived`)), timeoutMs)
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) })
      })
  }
}

function capturedLogger() {
  const lines: any[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line))
      done()
    }
  })
  return { logger: pino({ level: 'info' }, stream), lines }
}

function webhooks(t: Test, options: Partial<WebhookPopOptions> & Pick<WebhookPopOptions, 'targets'>) {
  const { logger, lines } = capturedLogger()
  const pop = new WebhookPop({ secret: SECRET, teamOf: () => 'sales', logger, baseDelayMs: 10, random: () => 0.5, ...options })
  t.teardown(() => pop.close())
  return { pop, lines }
}

// How a receiver verifies a delivery, as docs/api.md shows it: the signature covers the timestamp,
// and a timestamp outside the tolerance is refused, so a captured request cannot be replayed.
const TOLERANCE_SECONDS = 300
function verifyWebhook(secret: string, headers: IncomingHttpHeaders, rawBody: string, nowSeconds = Date.now() / 1000): boolean {
  const timestamp = String(headers['x-cti-timestamp'] ?? '')
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return false
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`)
  const given = Buffer.from(String(headers['x-cti-signature'] ?? ''))
  return given.length === expected.length && timingSafeEqual(given, expected)
}

const verifies = (got: Received, nowSeconds?: number) => verifyWebhook(SECRET, got.headers, got.body, nowSeconds)

const event = (n: number): WebhookEvent & { callId: string } => ({ type: 'card', callId: `call-${n}`, id: `ev-${n}`, seq: n, at: MONDAY_11_MSK })

t.test('the POST is signed over its timestamp and the exact body, and names the event', async (t) => {
  const crm = await receiver(t)
  const sentAt = MONDAY_11_MSK + 5_500
  const { pop } = webhooks(t, { targets: [{ agent: 'a-anna', url: crm.url }], now: () => sentAt })
  pop.deliver('a-anna', event(1))
  await crm.requests(1)
  const [got] = crm.received
  const timestamp = String(Math.floor(sentAt / 1000))
  t.equal(got!.headers['x-cti-timestamp'], timestamp, 'X-CTI-Timestamp is the Unix time of the attempt, in seconds')
  t.equal(got!.headers['x-cti-signature'], `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${got!.body}`).digest('hex')}`, 'X-CTI-Signature is the HMAC-SHA256 of "<timestamp>.<body>"')
  t.ok(verifies(got!, sentAt / 1000), 'a receiver verifies it')
  t.notOk(verifies({ ...got!, body: got!.body.replace('call-1', 'call-2') }, sentAt / 1000), 'and it fails for any other body')
  t.notOk(verifies({ ...got!, headers: { ...got!.headers, 'x-cti-timestamp': String(Number(timestamp) + 1) } }, sentAt / 1000), 'or any other timestamp')
  t.notOk(verifies(got!, sentAt / 1000 + TOLERANCE_SECONDS + 1), 'a capture replayed past the tolerance is refused')
  const bodyOnly = `sha256=${createHmac('sha256', SECRET).update(got!.body).digest('hex')}`
  t.not(got!.headers['x-cti-signature'], bodyOnly, 'the old signature of the body alone is not sent')
  t.notOk(verifies({ ...got!, headers: { ...got!.headers, 'x-cti-signature': bodyOnly } }, sentAt / 1000), 'and does not verify')
  t.equal(got!.headers['x-signature'], undefined, 'no unsigned-timestamp header is left to replay')
  t.equal(got!.headers['x-event-id'], 'ev-1')
  t.equal(got!.headers['content-type'], 'application/json')
  t.same(JSON.parse(got!.body), { agentId: 'a-anna', type: 'card', callId: 'call-1', id: 'ev-1', seq: 1, at: MONDAY_11_MSK })
  await pop.drained()
  t.equal(pop.pending, 0)
})

t.test('targets: by agent or by team, each URL once, nothing for agents nobody asked for', async (t) => {
  const crm = await receiver(t)
  const other = await receiver(t)
  const teams: Record<string, string> = { 'a-anna': 'vip-desk', 'a-boris': 'sales' }
  const { pop } = webhooks(t, {
    targets: [
      { agent: 'a-anna', url: crm.url },
      { team: 'vip-desk', url: crm.url },
      { team: 'sales', url: other.url }
    ],
    teamOf: (id) => teams[id] ?? null
  })
  t.same(pop.urlsFor('a-anna'), [crm.url])
  t.same(pop.urlsFor('a-boris'), [other.url])
  t.same(pop.urlsFor('a-nobody'), [])
  pop.deliver('a-anna', event(1))
  pop.deliver('a-boris', event(2))
  pop.deliver('a-nobody', event(3))
  await pop.drained()
  t.same(crm.received.map((r) => JSON.parse(r.body).agentId), ['a-anna'])
  t.same(other.received.map((r) => JSON.parse(r.body).agentId), ['a-boris'])
})

t.test('a 500 is retried with backoff until the receiver takes it; same id and body each time', async (t) => {
  const crm = await receiver(t, (res, n) => {
    res.statusCode = n <= 2 ? 500 : 204
    res.end()
  })
  const { pop, lines } = webhooks(t, { targets: [{ agent: 'a-anna', url: crm.url }], baseDelayMs: 40 })
  pop.deliver('a-anna', event(7))
  await crm.requests(3)
  await pop.drained()
  const [first, second, third] = crm.received
  t.equal(new Set(crm.received.map((r) => r.headers['x-event-id'])).size, 1)
  t.equal(new Set(crm.received.map((r) => r.body)).size, 1)
  t.ok(crm.received.every((r) => verifies(r)), 'every attempt verifies')
  t.ok(second!.at - first!.at >= 35, `first wait ${second!.at - first!.at} ms, about 40`)
  t.ok(third!.at - second!.at >= 75, `second wait ${third!.at - second!.at} ms, about 80: doubled`)
  t.same(lines.filter((l) => l.level >= 40), [], 'nothing to warn about once delivered')
})

t.test('a retry is signed afresh with the time of its own attempt', async (t) => {
  let clock = MONDAY_11_MSK
  const crm = await receiver(t, (res, n) => {
    // A minute passes before the receiver is back.
    clock += 60_000
    res.statusCode = n === 1 ? 503 : 200
    res.end()
  })
  const { pop } = webhooks(t, { targets: [{ agent: 'a-anna', url: crm.url }], now: () => clock })
  pop.deliver('a-anna', event(1))
  await crm.requests(2)
  await pop.drained()
  const [first, retry] = crm.received
  t.equal(Number(retry!.headers['x-cti-timestamp']) - Number(first!.headers['x-cti-timestamp']), 60)
  t.not(retry!.headers['x-cti-signature'], first!.headers['x-cti-signature'])
  t.ok(verifies(retry!, clock / 1000), 'the retry verifies at the time it is received')
  t.equal(retry!.headers['x-event-id'], first!.headers['x-event-id'], 'under the same event id')
})

t.test('a receiver that keeps failing is given up after maxAttempts, with one log line', async (t) => {
  const crm = await receiver(t, (res) => {
    res.statusCode = 503
    res.end()
  })
  const { pop, lines } = webhooks(t, { targets: [{ agent: 'a-anna', url: crm.url }], maxAttempts: 3 })
  pop.deliver('a-anna', event(1))
  await pop.drained()
  t.equal(crm.received.length, 3)
  const warnings = lines.filter((l) => l.level >= 40)
  t.equal(warnings.length, 1)
  t.match(warnings[0], { msg: 'screen-pop webhook gave up after the last attempt', agentId: 'a-anna', eventId: 'ev-1', attempts: 3, status: 503 })
  t.equal(warnings[0].target, crm.url.replace(/\?.*/, ''), 'the query string (it may hold a key) stays out of the log')
})

t.test('a 400 is not retried; a 429 is', async (t) => {
  const crm = await receiver(t, (res, n) => {
    res.statusCode = n === 1 ? 400 : n === 2 ? 429 : 200
    res.end()
  })
  const { pop, lines } = webhooks(t, { targets: [{ agent: 'a-anna', url: crm.url }], concurrency: 1 })
  pop.deliver('a-anna', event(1))
  await pop.drained()
  t.equal(crm.received.length, 1, 'one attempt for the 400')
  t.match(lines.filter((l) => l.level >= 40), [{ msg: 'screen-pop webhook refused by the receiver; not retried', status: 400, attempts: 1 }])
  pop.deliver('a-anna', event(2))
  await pop.drained()
  t.same(crm.received.slice(1).map((r) => r.headers['x-event-id']), ['ev-2', 'ev-2'], 'the 429 retried')
})

t.test('a receiver that does not answer in time counts as a failure; an unreachable one too', async (t) => {
  const crm = await receiver(t, (res, n) => {
    if (n > 1) res.end('ok')
    // The first request is left hanging.
  })
  const { pop } = webhooks(t, { targets: [{ agent: 'a-anna', url: crm.url }], timeoutMs: 100 })
  pop.deliver('a-anna', event(1))
  await pop.drained()
  t.equal(crm.received.length, 2)

  const { pop: nowhere, lines } = webhooks(t, { targets: [{ agent: 'a-anna', url: 'http://127.0.0.1:9/pop' }], maxAttempts: 2 })
  nowhere.deliver('a-anna', event(2))
  await nowhere.drained()
  t.match(lines.filter((l) => l.level >= 40), [{ msg: 'screen-pop webhook gave up after the last attempt', attempts: 2, err: {} }])
})

t.test('the queue is bounded: past maxQueue new events are dropped and logged', async (t) => {
  const crm = await receiver(t, () => undefined)
  const { pop, lines } = webhooks(t, { targets: [{ agent: 'a-anna', url: crm.url }], maxQueue: 3, concurrency: 1, timeoutMs: 60_000 })
  for (let i = 1; i <= 5; i++) pop.deliver('a-anna', event(i))
  t.equal(pop.pending, 3)
  t.equal(lines.filter((l) => l.msg === 'screen-pop webhook queue full; event dropped').length, 2)
  await crm.requests(1)
  pop.close()
  t.equal(pop.pending, 0, 'closing abandons what is pending')
})

t.test('through the server: a slow receiver delays neither routing nor the agent page', async (t) => {
  let release: () => void = () => undefined
  const held = new Promise<void>((resolve) => (release = resolve))
  const crm = await receiver(t, (res) => void held.then(() => res.end('ok')))
  t.teardown(() => release())
  const env = {
    DEMO_DATA: 'true',
    SCREENPOP_WEBHOOKS: JSON.stringify([{ agent: 'a-anna', url: crm.url }, { team: 'sales', url: crm.url }]),
    SCREENPOP_WEBHOOK_SECRET: SECRET
  }
  const { url, app } = await testApp(t, env, { now: () => MONDAY_11_MSK })
  t.equal((await request(`${url}/v1/demo-data`, { method: 'POST' })).status, 201)
  const token = (await request(`${url}/v1/agents/a-anna/token`, { method: 'POST' })).body.token
  const anna = await openPage(url, { token })
  t.teardown(() => anna.socket.close())

  const started = Date.now()
  const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: '+79161234567', dialed: '+74951234567', callId: 'slow-crm' } })
  t.equal(routed.body.decision.targets[0].agentId, 'a-anna')
  const card = await anna.next((m) => m.type === 'card')
  const elapsed = Date.now() - started
  t.ok(elapsed < 1000, `routed and popped in ${elapsed} ms while the receiver holds its answer`)

  await crm.requests(1)
  const [got] = crm.received
  t.ok(verifies(got!, MONDAY_11_MSK / 1000), 'signed at the server clock')
  t.match(JSON.parse(got!.body), { agentId: 'a-anna', type: 'card', callId: 'slow-crm', id: card.id, seq: card.seq, title: 'Ivan Petrov' })
  t.equal(got!.headers['x-event-id'], card.id)
  t.equal(app.webhooks?.pending, 1, 'still waiting for the receiver')

  // A lead goes to sales: its agent's events reach the team's webhook.
  const lead = await request(`${url}/v1/route`, { method: 'POST', body: { caller: '+79160001122', dialed: '+74951234567', callId: 'lead-sales' } })
  t.equal(lead.body.decision.rule, 'new callers')
  await crm.requests(2)
  t.match(JSON.parse(crm.received[1]!.body), { agentId: lead.body.decision.targets[0].agentId, callId: 'lead-sales', type: 'card' })
  release()
  await app.webhooks?.drained()
})

t.test('without SCREENPOP_WEBHOOKS nothing is sent', async (t) => {
  const { app } = await testApp(t)
  t.equal(app.webhooks, null)
})

t.test('configuration: a JSON list checked at start-up, with a secret', async (t) => {
  const targets = [{ agent: 'a-anna', url: 'https://crm.example/pop' }, { team: 'sales', url: 'http://10.0.0.5/pop' }]
  t.same(loadConfig({ SCREENPOP_WEBHOOKS: JSON.stringify(targets), SCREENPOP_WEBHOOK_SECRET: SECRET }).SCREENPOP_WEBHOOKS, targets)
  t.same(loadConfig({}).SCREENPOP_WEBHOOKS, [])
  const problems = (env: Record<string, string>) => (t.throws(() => loadConfig(env)) as ConfigError).problems
  t.match(problems({ SCREENPOP_WEBHOOKS: '[{"agent": "a-anna",', SCREENPOP_WEBHOOK_SECRET: SECRET }), [/^SCREENPOP_WEBHOOKS="\[\{\\"agent\\": \\"a-anna\\",": expected a JSON array/])
  t.match(problems({ SCREENPOP_WEBHOOKS: '[{"agent": "a-anna", "team": "sales", "url": "https://x"}]', SCREENPOP_WEBHOOK_SECRET: SECRET }), [/^SCREENPOP_WEBHOOKS=/])
  t.match(problems({ SCREENPOP_WEBHOOKS: '[{"agent": "a-anna", "url": "ftp://x"}]', SCREENPOP_WEBHOOK_SECRET: SECRET }), [/^SCREENPOP_WEBHOOKS=/])
  t.same(problems({ SCREENPOP_WEBHOOKS: JSON.stringify(targets) }), [
    'SCREENPOP_WEBHOOK_SECRET=(unset): expected a secret of at least 16 characters to sign webhook bodies with (HMAC-SHA256); required when SCREENPOP_WEBHOOKS is set'
  ])
  t.match(problems({ SCREENPOP_WEBHOOKS: JSON.stringify(targets), SCREENPOP_WEBHOOK_SECRET: 'short-one' }), ['SCREENPOP_WEBHOOK_SECRET=(hidden, 9 characters): expected a secret of at least 16 characters to sign webhook bodies with (HMAC-SHA256); required when SCREENPOP_WEBHOOKS is set'])
})
