import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import WebSocket from 'ws'
import { App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { redactTokensInUrl, serializeRequestWithoutToken } from '../../src/screenpop/request-log.js'
import { agentToken, freshSchema, TEST_DATABASE_URL } from '../helpers/test-app.js'

t.test('the token is redacted however its query parameter is spelled', async (t) => {
  const cases: [string, string][] = [
    ['/v1/agents/socket?token=abc&lastSeq=3', '/v1/agents/socket?token=[redacted]&lastSeq=3'],
    ['/v1/agents/socket?%74oken=abc', '/v1/agents/socket?%74oken=[redacted]'],
    ['/v1/agents/socket?%2574oken=abc', '/v1/agents/socket?%2574oken=[redacted]'],
    ['/v1/agents/socket?TOKEN=abc', '/v1/agents/socket?TOKEN=[redacted]'],
    ['/v1/agents/socket?To%4Ben=abc', '/v1/agents/socket?To%4Ben=[redacted]'],
    ['/v1/agents/socket?token[]=abc&token[]=def', '/v1/agents/socket?token[]=[redacted]&token[]=[redacted]'],
    ['/v1/agents/socket?token%5B%5D=abc', '/v1/agents/socket?token%5B%5D=[redacted]'],
    ['/v1/agents/socket?token=abc&token=def', '/v1/agents/socket?token=[redacted]&token=[redacted]'],
    ['/v1/agents/socket?+token+=abc', '/v1/agents/socket?+token+=[redacted]'],
    ['/v1/agents/socket?lastSeq=1;token=abc', '/v1/agents/socket?lastSeq=1;token=[redacted]'],
    ['/v1/agents/socket?access_token=abc', '/v1/agents/socket?access_token=[redacted]'],
    ['/v1/agents/socket;token=abc?lastSeq=1', '/v1/agents/socket;token=[redacted]?lastSeq=1'],
    ['/v1/agents/socket?token%3Dabc', '/v1/agents/socket?[redacted]'],
    ['/v1/agents/socket?lastSeq=1#token=abc', '/v1/agents/socket?lastSeq=1#token=[redacted]'],
    ['/v1/agents/socket?%zztoken=abc', '/v1/agents/socket?%zztoken=[redacted]']
  ]
  for (const [url, logged] of cases) t.equal(redactTokensInUrl(url), logged, url)
})

t.test('everything else in the URL is logged as it came', async (t) => {
  for (const url of ['/v1/agents/socket?lastSeq=3', '/v1/route', '/v1/customers/by-phone/%2B79161234567/card?x=%zz', '/?', '/a?b&c=&=d']) {
    t.equal(redactTokensInUrl(url), url)
  }
})

t.test('the request serializer shows the redacted URL', async (t) => {
  t.match(serializeRequestWithoutToken({ method: 'GET', url: '/x?%74oken=secret', ip: '127.0.0.1', host: 'h', headers: {}, socket: { remotePort: 5 } }), {
    method: 'GET',
    url: '/x?%74oken=[redacted]',
    host: 'h',
    remoteAddress: '127.0.0.1',
    remotePort: 5
  })
})

t.test("through the server: an agent's token in any spelling never reaches the log, WebSocket upgrades included", async (t) => {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    }
  })
  const schema = await freshSchema(t)
  const config = loadConfig({ DATABASE_URL: TEST_DATABASE_URL, RULES_WATCH: 'false' })
  const app = await App.create({ config, logger: pino({ level: 'info' }, stream), dbSchema: schema })
  t.teardown(() => app.stop())
  await app.prepare()
  await app.server.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  await fetch(`${url}/v1/agents/a-anna`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Anna', extension: '1001' }) })
  const token = await agentToken(url, 'a-anna')

  const spellings = ['%74oken', '%2574oken', 'TOKEN', 'token[]', 'token%5B%5D', 'Token', 'to%6Ben']
  for (const name of spellings) {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/v1/agents/socket?${name}=${token}&lastSeq=0`)
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve())
      socket.once('error', () => resolve())
      socket.once('open', () => socket.close())
    })
    await fetch(`${url}/v1/agents/socket?lastSeq=0&${name}=${token}&${name}=${token}`)
    await fetch(`${url}/v1/me/deals/options?${name}=${token}`)
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
  const requestLines = lines.filter((line) => line.includes('/v1/agents/socket'))
  t.ok(requestLines.length >= spellings.length * 2, `the requests were logged (${requestLines.length} lines)`)
  t.notOk(lines.some((line) => line.includes(token)), 'the token appears in no log line')
})
