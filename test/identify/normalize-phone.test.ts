import t from 'tap'
import { normalizePhone } from '../../src/identify/normalize-phone.js'

const e164 = (input: string, country = 'RU') => {
  const result = normalizePhone(input, country)
  return result.ok ? result.e164 : `!${result.problem}`
}

t.test('international format with spaces and dashes', async (t) => {
  t.equal(e164('+7 916 123-45-67'), '+79161234567')
})

t.test('Russian trunk prefix 8 with brackets', async (t) => {
  t.equal(e164('8 (916) 123-45-67'), '+79161234567')
})

t.test('country code without plus', async (t) => {
  t.equal(e164('79161234567'), '+79161234567')
})

t.test('national number uses the default country', async (t) => {
  t.equal(e164('9161234567'), '+79161234567')
  t.equal(e164('020 7946 0958', 'GB'), '+442079460958')
})

t.test('SIP URI with user=phone and a display name', async (t) => {
  const result = normalizePhone('"Ivan Petrov" <sip:+79161234567@pbx.example.com;user=phone>;tag=abc', 'RU')
  t.same(result, { ok: true, e164: '+79161234567', displayName: 'Ivan Petrov' })
})

t.test('bare SIP URI and sips', async (t) => {
  t.equal(e164('sip:89161234567@10.0.0.1:5060'), '+79161234567')
  t.equal(e164('sips:+79161234567@host'), '+79161234567')
})

t.test('tel URI with parameters', async (t) => {
  t.equal(e164('tel:+79161234567;phone-context=example.com'), '+79161234567')
})

t.test('display name without quotes', async (t) => {
  const result = normalizePhone('Olga <sip:79031112233@host>', 'RU')
  t.same(result, { ok: true, e164: '+79031112233', displayName: 'Olga' })
})

t.test('anonymous callers are recognised', async (t) => {
  t.equal(e164('sip:anonymous@anonymous.invalid'), '!anonymous')
  t.equal(e164('"Anonymous" <sip:anonymous@anonymous.invalid>'), '!anonymous')
  t.equal(e164('Restricted'), '!anonymous')
  t.equal(e164('withheld'), '!anonymous')
})

t.test('empty and missing numbers', async (t) => {
  t.equal(e164(''), '!empty')
  t.equal(e164('   '), '!empty')
  t.equal(normalizePhone(null, 'RU').ok, false)
  t.equal(normalizePhone(undefined, 'RU').ok, false)
})

t.test('too short numbers', async (t) => {
  t.equal(e164('123'), '!too-short')
  t.equal(e164('sip:101@pbx'), '!too-short')
})

t.test('garbage never throws', async (t) => {
  t.equal(e164('abc'), '!not-a-number')
  t.equal(e164('+7916abc4567'), '!not-a-number')
  t.equal(e164('sip:%zz@host'), '!not-a-number')
  t.equal(e164('<<<>>>'), '!not-a-number')
  t.equal(e164('9'.repeat(10_000)), '!invalid')
  t.equal(e164('0000000000'), '!invalid')
})

t.test('the 00 international prefix is understood under any default country', async (t) => {
  for (const country of ['RU', 'US', 'DE']) {
    t.equal(e164('0049 30 1234567', country), '+49301234567', `a German number under ${country}`)
    t.equal(e164('00 7 916 123-45-67', country), '+79161234567', `a Russian number under ${country}`)
    t.equal(e164('0044 20 7946 0958', country), '+442079460958', `a British number under ${country}`)
    t.equal(e164('sip:0079161234567@pbx', country), '+79161234567', `in a SIP URI under ${country}`)
  }
})

t.test('national numbers keep their meaning next to the 00 prefix', async (t) => {
  t.equal(e164('030 1234567', 'DE'), '+49301234567')
  t.equal(e164('(201) 555-0123', 'US'), '+12015550123')
  t.equal(e164('011 49 30 1234567', 'US'), '+49301234567', "the US's own international prefix still works")
  t.equal(e164('810 49 30 1234567', 'RU'), '+49301234567', "and Russia's")
})
