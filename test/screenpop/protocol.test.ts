import t from 'tap'
import { lastSeqFromQuery, parseClientMessage, redactTokenInUrl, selectSubprotocol, tokenFromRequest } from '../../src/screenpop/protocol.js'
import { serializeRequestWithoutToken } from '../../src/screenpop/request-log.js'

t.test('client messages: acks are understood, anything else is not', async (t) => {
  t.same(parseClientMessage('{"type":"ack","seq":3}'), { type: 'ack', seq: 3 })
  for (const text of ['', 'nope', 'null', '[]', '{"type":"ack"}', '{"type":"ack","seq":-1}', '{"type":"ack","seq":1.5}', '{"type":"hug","seq":1}']) {
    t.equal(parseClientMessage(text), null, text)
  }
})

t.test('the token is read from the query, a bearer header or a token subprotocol', async (t) => {
  t.equal(tokenFromRequest({ token: 'q' }, { authorization: 'Bearer h' }), 'q')
  t.equal(tokenFromRequest({}, { authorization: 'Bearer h' }), 'h')
  t.equal(tokenFromRequest({}, { 'sec-websocket-protocol': 'screenpop.v1, token.p' }), 'p')
  t.equal(tokenFromRequest({}, { authorization: 'Basic x', 'sec-websocket-protocol': 'screenpop.v1, token.' }), null)
  t.equal(tokenFromRequest(undefined, {}), null)
})

t.test('lastSeq: absent, a number, or unusable', async (t) => {
  t.equal(lastSeqFromQuery({}), null)
  t.equal(lastSeqFromQuery({ lastSeq: '' }), null)
  t.equal(lastSeqFromQuery({ lastSeq: '12' }), 12)
  t.equal(lastSeqFromQuery({ lastSeq: '-1' }), undefined)
  t.equal(lastSeqFromQuery({ lastSeq: ['1', '2'] }), undefined)
})

t.test('the server selects screenpop.v1 and never a token', async (t) => {
  t.equal(selectSubprotocol(new Set(['token.abc', 'screenpop.v1'])), 'screenpop.v1')
  t.equal(selectSubprotocol(new Set(['token.abc'])), false)
})

t.test('tokens in URLs are redacted in the request log', async (t) => {
  t.equal(redactTokenInUrl('/v1/agents/socket?token=abc&lastSeq=3'), '/v1/agents/socket?token=[redacted]&lastSeq=3')
  t.equal(redactTokenInUrl('/v1/agents/socket?lastSeq=3&TOKEN=abc'), '/v1/agents/socket?lastSeq=3&TOKEN=[redacted]')
  t.same(serializeRequestWithoutToken({ method: 'GET', url: '/x?token=secret', ip: '127.0.0.1', host: 'h', headers: {}, socket: { remotePort: 5 } }), {
    method: 'GET',
    url: '/x?token=[redacted]',
    version: undefined,
    host: 'h',
    remoteAddress: '127.0.0.1',
    remotePort: 5
  })
})
