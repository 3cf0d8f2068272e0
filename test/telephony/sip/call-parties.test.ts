import t from 'tap'
import { contactList, agentUri } from '../../../src/telephony/sip/agent-uri.js'
import { readCaller, readDialed, type SipHeaders } from '../../../src/telephony/sip/call-parties.js'

function request(headers: Record<string, string>, uri = 'sip:+74951234567@127.0.0.1'): SipHeaders {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
  return { uri, get: (name) => lower[name.toLowerCase()] }
}

t.test('the caller comes from From when nothing else names them, with the display name for the card', async (t) => {
  t.same(readCaller(request({ From: '"Ivan Petrov" <sip:+79161234567@pbx.example.com>;tag=1' })), {
    number: '+79161234567',
    name: 'Ivan Petrov',
    source: 'from',
    withheld: false
  })
})

t.test('P-Asserted-Identity wins over Remote-Party-ID and From', async (t) => {
  const caller = readCaller(
    request({
      From: '<sip:1001@pbx>;tag=1',
      'Remote-Party-ID': '<sip:+70000000000@pbx>;party=calling',
      'P-Asserted-Identity': '"Anna" <sip:+79161234567@carrier>, <tel:+79161234567>'
    })
  )
  t.equal(caller?.number, '+79161234567')
  t.equal(caller?.name, 'Anna')
  t.equal(caller?.source, 'p-asserted-identity')
})

t.test('Remote-Party-ID is used when there is no P-Asserted-Identity, and its privacy=full hides the number', async (t) => {
  t.equal(readCaller(request({ From: '<sip:1001@pbx>;tag=1', 'Remote-Party-ID': '<sip:+79161234567@pbx>;party=calling' }))?.number, '+79161234567')
  const hidden = readCaller(request({ From: '<sip:1001@pbx>;tag=1', 'Remote-Party-ID': '"Ivan" <sip:+79161234567@pbx>;party=calling;privacy=full' }))
  t.same({ number: hidden?.number, name: hidden?.name, withheld: hidden?.withheld }, { number: null, name: null, withheld: true })
})

t.test('Privacy: id withholds the caller even when P-Asserted-Identity names them', async (t) => {
  const caller = readCaller(request({ From: '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1', 'P-Asserted-Identity': '<sip:+79161234567@carrier>', Privacy: 'id' }))
  t.same(caller, { number: null, name: null, source: null, withheld: true })
})

t.test('an anonymous From is a withheld caller', async (t) => {
  t.equal(readCaller(request({ From: '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1' }))?.withheld, true)
  t.equal(readCaller(request({ From: '<sip:restricted@pbx>;tag=1' }))?.number, null)
})

t.test('a From without a user is a caller without a number, not an error', async (t) => {
  t.same(readCaller(request({ From: '<sip:127.0.0.1>;tag=1' })), { number: null, name: null, source: 'from', withheld: false })
})

t.test('a missing or unreadable From gives no caller at all', async (t) => {
  t.equal(readCaller(request({})), null)
  t.equal(readCaller(request({ From: 'garbage without a uri' })), null)
  t.equal(readCaller(request({ From: '<sip:+7916@pbx' })), null)
  t.equal(readCaller(request({ From: `<sip:${'9'.repeat(2000)}@pbx>` })), null)
})

t.test('a user part with parameters and escapes yields the bare number', async (t) => {
  t.equal(readCaller(request({ From: '<sip:%2B79161234567;npdi@pbx;user=phone>;tag=1' }))?.number, '+79161234567')
})

t.test('the dialed number comes from the configured header, else the Request-URI, else To', async (t) => {
  const headers = { From: '<sip:a@b>', To: '<sip:+78005553535@pbx>', Diversion: '<sip:+74951234568@pbx>;reason=unconditional' }
  t.equal(readDialed(request(headers), 'Diversion'), '+74951234568')
  t.equal(readDialed(request(headers), null), '+74951234567')
  t.equal(readDialed(request(headers, 'sip:127.0.0.1'), null), '+78005553535')
  t.equal(readDialed(request({ From: '<sip:a@b>', To: '<sip:+78005553535@pbx>' }), 'Diversion'), '+74951234567')
})

t.test('agents are rung at their SIP URI, or at their extension on the PBX', async (t) => {
  t.equal(agentUri('sip:anna@pbx.example.com', '10.0.0.1:5060'), 'sip:anna@pbx.example.com')
  t.equal(agentUri('1001', '10.0.0.1:5060'), 'sip:1001@10.0.0.1:5060')
  t.equal(agentUri('tel:+79161234567', 'pbx'), 'sip:+79161234567@pbx')
  t.equal(agentUri('not an address', 'pbx'), null)
})

t.test('a 302 lists the targets in order with falling q-values', async (t) => {
  t.equal(contactList(['sip:a@x', 'sip:b@x', 'sip:c@x']), '<sip:a@x>;q=1.0, <sip:b@x>;q=0.9, <sip:c@x>;q=0.8')
  t.equal(contactList(['sip:a@x']), '<sip:a@x>;q=1.0')
})
