import t from 'tap'
import { writableValue } from '../../src/durability/writable-text.js'

t.test('a record with nothing to clean comes back as the same object', async (t) => {
  const record = { caller: '+79161234567', callerName: 'Иван Петров 🙂', trace: [{ step: 'owner', agentId: 'a-anna' }], talkSeconds: 62 }
  t.equal(writableValue(record), record)
})

t.test('NUL bytes are removed and lone surrogates replaced, in values and keys at any depth', async (t) => {
  const record = { callerName: 'Ivan\u0000 Petrov', trace: [{ 'sip\u0000header': 'x\uD800y', fine: 'Анна 🙂' }] }
  const cleaned = writableValue(record)
  t.same(cleaned, { callerName: 'Ivan Petrov', trace: [{ sipheader: 'x\uFFFDy', fine: 'Анна 🙂' }] })
  t.not(cleaned, record)
  t.equal(record.callerName, 'Ivan\u0000 Petrov', 'the original is not changed')
})

t.test('a well-formed surrogate pair is kept, a lone low surrogate is replaced', async (t) => {
  t.same(writableValue(['🙂', 'a\uDC00b']), ['🙂', 'a\uFFFDb'])
})
