import t from 'tap'
import { request } from '../../helpers/test-app.js'
import { sipDemo } from './sip-fixture.js'
import { header, headers, invite, statusOf } from './sip-text.js'

const IVAN = '<sip:+79161234567@127.0.0.1:5090>;tag=ivan'
const SPRING_LINE = '+74951234567'

const sip = await sipDemo(t, { SIP_MODE: 'redirect' })
const { standIn } = sip
t.beforeEach(() => sip.everyoneAvailable())

t.test('OPTIONS is answered 200 so SBCs can health-check the server', async (t) => {
  const options = standIn.sendRequest(
    [
      'OPTIONS sip:127.0.0.1 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-options',
      'From: <sip:sbc@127.0.0.1>;tag=sbc',
      'To: <sip:127.0.0.1>',
      'Call-ID: options-1@127.0.0.1',
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      ''
    ].join('\r\n')
  )
  t.equal(statusOf(await options.final()), 200)
})

t.test('a known customer is redirected to their owner first, then the VIP desk, with the rule and customer named', async (t) => {
  const call = standIn.sendInvite(invite({ to: SPRING_LINE, from: `"Ivan Petrov" ${IVAN}`, callId: 'redirect-owner' }))
  const answer = await call.final()
  t.equal(statusOf(answer), 302)
  const contacts = headers(answer, 'Contact').join(', ').split(/,\s*/)
  t.match(contacts[0], /^<sip:anna@pbx\.example\.com>;q=1\.0$/, 'the owner first, at q=1.0')
  t.ok(contacts.length > 1, 'more agents follow')
  t.match(contacts[1], /;q=0\.9$/)
  t.equal(header(answer, 'X-Route-Rule'), 'VIP customers')
  t.match(header(answer, 'X-Customer-Id'), /^\d+$/)
  const { call: record, steps } = await sip.record('redirect-owner')
  t.equal(record?.outcome, 'redirected')
  t.equal(record?.channel, 'sip')
  t.equal(record?.caller, '+79161234567')
  t.equal(record?.caller_name, 'Ivan Petrov')
  t.ok(steps.some((s) => s.kind === 'sip-302' && s.agent_id === 'a-anna'), 'the 302 is a step of the record')
  t.equal(sip.app.agents.get('a-anna')?.state.activeCalls, 0, 'the reservation is given back: the PBX rings now')
})

t.test('when the owner is away, the next agent comes first', async (t) => {
  await sip.setState('a-anna', 'away')
  const answer = await standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: 'redirect-owner-away' })).final()
  t.equal(statusOf(answer), 302)
  const first = headers(answer, 'Contact').join(', ').split(/,\s*/)[0]
  t.notMatch(first, /anna@/)
  t.match(first, /;q=1\.0$/)
})

t.test('P-Asserted-Identity identifies the caller when From does not', async (t) => {
  const answer = await standIn
    .sendInvite(invite({ to: SPRING_LINE, from: '<sip:trunk@127.0.0.1>;tag=t', callId: 'redirect-pai', extra: [['P-Asserted-Identity', '<tel:+79161234567>']] }))
    .final()
  t.match(headers(answer, 'Contact')[0], /^<sip:anna@/)
})

t.test('an anonymous caller is routed as a new caller, with no number on the record', async (t) => {
  const answer = await standIn
    .sendInvite(
      invite({
        to: SPRING_LINE,
        from: '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=anon',
        callId: 'redirect-anonymous',
        extra: [['P-Asserted-Identity', '<sip:+79161234567@carrier>'], ['Privacy', 'id']]
      })
    )
    .final()
  t.equal(statusOf(answer), 302)
  t.equal(header(answer, 'X-Customer-Id'), undefined, 'withheld: not identified as Ivan')
  t.equal(header(answer, 'X-Route-Rule'), 'new callers')
  const { call } = await sip.record('redirect-anonymous')
  t.equal(call?.caller, null)
})

t.test('a blocked number gets the rule\'s own status', async (t) => {
  const answer = await standIn.sendInvite(invite({ to: SPRING_LINE, from: '<sip:+74950000000@127.0.0.1>;tag=b', callId: 'redirect-blocked' })).final()
  t.equal(statusOf(answer), 603)
  t.equal(header(answer, 'X-Route-Rule'), 'blocked numbers')
  t.equal((await sip.record('redirect-blocked')).call?.outcome, 'rejected')
})

t.test('with nobody available the caller hears 480 with Retry-After', async (t) => {
  for (const view of sip.app.agents.snapshot()) await sip.setState(view.profile.id, 'away')
  const answer = await standIn.sendInvite(invite({ to: SPRING_LINE, from: '<sip:+79035550000@127.0.0.1>;tag=n', callId: 'redirect-nobody' })).final()
  t.equal(statusOf(answer), 480)
  t.equal(header(answer, 'Retry-After'), '30')
  t.equal((await sip.record('redirect-nobody')).call?.outcome, 'missed')
})

t.test('bad input gets a clean SIP answer and a call record', async (t) => {
  const cases = [
    { name: 'a malformed From', callId: 'bad-from', text: invite({ to: SPRING_LINE, from: 'not a SIP address', callId: 'bad-from' }), status: 400 },
    { name: 'a From without a user', callId: 'bad-no-user', text: invite({ to: SPRING_LINE, from: '<sip:127.0.0.1>;tag=x', callId: 'bad-no-user' }), status: 302 },
    { name: 'a non-numeric caller', callId: 'bad-alice', text: invite({ to: SPRING_LINE, from: '<sip:alice@example.com>;tag=x', callId: 'bad-alice' }), status: 302 },
    { name: 'an unknown line', callId: 'bad-line', text: invite({ to: '+74990000000', from: IVAN, callId: 'bad-line' }), status: 302 },
    { name: 'a dialed user that is no number', callId: 'bad-dialed', text: invite({ to: 'sales', from: IVAN, callId: 'bad-dialed' }), status: 302 },
    {
      name: 'a huge header',
      callId: 'bad-huge',
      text: invite({ to: SPRING_LINE, from: IVAN, callId: 'bad-huge', extra: [['X-Padding', 'x'.repeat(20_000)]] }),
      status: 513
    },
    {
      name: 'repeated identity headers',
      callId: 'bad-repeated',
      text: invite({ to: SPRING_LINE, from: IVAN, callId: 'bad-repeated', extra: Array.from({ length: 50 }, (_, i) => ['P-Asserted-Identity', `<sip:junk${i}@x>`] as [string, string]) }),
      status: 302
    }
  ]
  for (const c of cases) {
    const answer = await standIn.sendInvite(c.text).final()
    t.equal(statusOf(answer), c.status, c.name)
    const { call } = await sip.record(c.callId)
    t.ok(call, `${c.name}: recorded`)
  }
  t.equal((await sip.record('bad-from')).call?.outcome, 'rejected')
})

t.test('/ready reports the SIP connection; a lost connection is regained and calls flow again', async (t) => {
  t.equal((await request(`${sip.url}/ready`)).body.checks.sip.ok, true)
  standIn.dropClients()
  // Until drachtio-srf is back (it retries with backoff), /ready says SIP is down.
  let down = false
  for (let i = 0; i < 50 && !down; i++) {
    down = (await request(`${sip.url}/ready`)).body.checks.sip.ok === false
    if (!down) await new Promise((r) => setTimeout(r, 10))
  }
  t.ok(down, '/ready saw SIP down')
  await standIn.connected()
  const answer = await standIn.sendInvite(invite({ to: SPRING_LINE, from: IVAN, callId: 'after-reconnect' })).final()
  t.equal(statusOf(answer), 302)
  let up = false
  for (let i = 0; i < 50 && !up; i++) {
    up = (await request(`${sip.url}/ready`)).body.checks.sip.ok === true
    if (!up) await new Promise((r) => setTimeout(r, 20))
  }
  t.ok(up, '/ready says SIP is up again')
  const metrics = await request(`${sip.url}/metrics`)
  t.match(metrics.body, /cti_reconnects_total\{transport="sip"\} 1/, 'the reconnection is counted')
})
