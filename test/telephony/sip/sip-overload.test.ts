import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { OverloadGuard } from '../../../src/telephony/sip/invite-shedding.js'
import type { InviteStep } from '../../../src/telephony/sip/invite-chain.js'
import { sipDemo } from './sip-fixture.js'
import { header, headers, invite, statusOf } from './sip-text.js'

const SPRING_LINE = '+74951234567'
const IVAN = '<sip:+79161234567@127.0.0.1:5090>;tag=ivan'

function capturingLogger() {
  const lines: any[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line))
      done()
    }
  })
  return { logger: pino({ level: 'info' }, stream), lines }
}

t.test('past the limit of calls being decided, an INVITE is answered 503 with Retry-After, counted, and recorded', async (t) => {
  const sip = await sipDemo(t, { SIP_MODE: 'redirect', SIP_MAX_DECIDING: '1', SIP_OVERLOAD_RETRY_AFTER_SECONDS: '7' })
  const { standIn, app, url } = sip
  // The first call's decision is held until the second has been answered.
  let release!: () => void
  const held = new Promise<void>((resolve) => (release = resolve))
  const route = app.interactions.route.bind(app.interactions)
  let first = true
  app.interactions.route = async (request) => {
    if (first) {
      first = false
      await held
    }
    return route(request)
  }
  const slow = standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: 'overload-first' }))
  while (first) await new Promise((resolve) => setTimeout(resolve, 5))
  const shed = await standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: 'overload-second' })).final()
  t.equal(statusOf(shed), 503)
  t.equal(header(shed, 'Retry-After'), '7')
  release()
  const served = await slow.final()
  t.equal(statusOf(served), 302, 'the call inside the limit is served')
  t.match(headers(served, 'Contact')[0], /anna@/)
  const metrics = await (await fetch(`${url}/metrics`)).text()
  t.match(metrics, /cti_sip_calls_shed_total\{cause="calls-deciding"\} 1/)
  const { call } = await sip.record('overload-second')
  t.equal(call?.outcome, 'rejected')
  t.match(call?.end_cause ?? '', /overloaded/)
})

/** A routing step held until the test lets it go. */
function heldRoute() {
  const waiting: (() => void)[] = []
  const step: InviteStep = { name: 'route', run: () => new Promise<void>((resolve) => void waiting.push(resolve)) }
  return { step, releaseAll: () => waiting.splice(0).forEach((r) => r()) }
}

t.test('shedding writes one log line a second at most, with how many were shed since the last', async (t) => {
  let clock = 0
  const { logger, lines } = capturingLogger()
  const shedCauses: string[] = []
  const guard = new OverloadGuard({ maxDeciding: 1, maxLagMs: 0, retryAfterSeconds: 5, logger, now: () => clock, onShed: (c) => shedCauses.push(c) })
  const { step, releaseAll } = heldRoute()
  const guarded = guard.guard(step)
  const call = {} as any
  const inside = guarded.run(call, {} as any)
  const refusals = []
  for (let i = 0; i < 100; i++) refusals.push(await guarded.run(call, {} as any))
  t.ok(refusals.every((r) => r && r.status === 503 && r.headers?.['Retry-After'] === '5'))
  t.equal(lines.length, 1, 'one line for 100 shed INVITEs')
  clock += 1000
  await guarded.run(call, {} as any)
  t.equal(lines.length, 2)
  t.equal(lines[1].shed, 100, 'the second line counts the 99 after the first and this one')
  t.equal(shedCauses.length, 101, 'every one is counted')
  releaseAll()
  await inside
  t.equal(guard.inFlight, 0)
  t.equal(guard.overloaded(), null, 'taken again once the call inside is decided')
})

t.test('one stall of the event loop, caught up at once, sheds nothing', async (t) => {
  const { logger } = capturingLogger()
  const guard = new OverloadGuard({ maxDeciding: 0, maxLagMs: 100, retryAfterSeconds: 5, logger, now: Date.now, sampleEveryMs: 10 })
  t.teardown(() => guard.close())
  await new Promise((resolve) => setTimeout(resolve, 50))
  const until = performance.now() + 300
  while (performance.now() < until) {
    // One long handler.
  }
  await new Promise((resolve) => setTimeout(resolve, 0))
  t.equal(guard.overloaded(), null)
})

t.test('an event loop lagging past the limit sheds new INVITEs until it catches up', async (t) => {
  const { logger } = capturingLogger()
  const guard = new OverloadGuard({ maxDeciding: 0, maxLagMs: 100, retryAfterSeconds: 5, logger, now: Date.now, sampleEveryMs: 10 })
  t.teardown(() => guard.close())
  await new Promise((resolve) => setTimeout(resolve, 30))
  // Handlers that keep the loop busy, one after the other: a lag that lasts.
  for (let stall = 0; stall < 5; stall++) {
    const until = performance.now() + 250
    while (performance.now() < until) {
      // Busy.
    }
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
  t.equal(guard.overloaded(), 'loop-lag', `lag seen: ${Math.round(guard.lag)} ms`)
  const refusal = await guard.guard({ name: 'route', run: () => undefined }).run({} as any, {} as any)
  t.match(refusal, { status: 503, why: /event loop \d+ ms late/ })
  for (let i = 0; i < 500 && guard.overloaded(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(guard.overloaded(), null, 'back once the loop is on time')
})
