import t, { type Test } from 'tap'
import { request, testApp } from '../helpers/test-app.js'

// Every refusal, whoever raises it (a route, fastify, node's HTTP parser), has the one shape the API promises.
function assertCtiError(t: Test, res: { status: number; body: unknown }, status: number, code: string) {
  t.equal(res.status, status, 'status')
  t.same(Object.keys(res.body as object).sort(), ['error', 'message'], 'only error and message')
  t.equal((res.body as { error: string }).error, code, 'coded error')
  t.match((res.body as { message: string }).message, /\w/, 'a message to read')
}

t.test('a body that is not valid JSON is a 400 CTI_ERR_INVALID_JSON', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/route`, { method: 'POST', body: '{"caller": ' })
  assertCtiError(t, res, 400, 'CTI_ERR_INVALID_JSON')
})

t.test('an empty body sent as JSON is a 400 CTI_ERR_INVALID_JSON', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/route`, { method: 'POST', body: '', headers: { 'content-type': 'application/json' } })
  assertCtiError(t, res, 400, 'CTI_ERR_INVALID_JSON')
})

t.test('a URL with a broken percent-encoding is a 400 CTI_ERR_BAD_URL', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/customers/%zz`)
  assertCtiError(t, res, 400, 'CTI_ERR_BAD_URL')
})

t.test('a query string that fails its schema is a 400 CTI_ERR_VALIDATION naming the field', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/tasks?limit=many`)
  assertCtiError(t, res, 400, 'CTI_ERR_VALIDATION')
  t.match(res.body.message, /querystring \/limit/)
})

t.test('an unknown route is a 404 CTI_ERR_NOT_FOUND', async (t) => {
  const { url } = await testApp(t)
  assertCtiError(t, await request(`${url}/no/such/page`), 404, 'CTI_ERR_NOT_FOUND')
  assertCtiError(t, await request(`${url}/v1/customers/1`, { method: 'DELETE' }), 404, 'CTI_ERR_NOT_FOUND')
})

t.test('a plain GET of the agent WebSocket is a 426 CTI_ERR_UPGRADE_REQUIRED, not an empty 404', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/agents/socket?token=abc`)
  assertCtiError(t, res, 426, 'CTI_ERR_UPGRADE_REQUIRED')
})

t.test('a body over BODY_LIMIT_BYTES is a 413 CTI_ERR_TOO_LARGE', async (t) => {
  const { url } = await testApp(t, { BODY_LIMIT_BYTES: '2048' })
  const res = await request(`${url}/v1/route`, { method: 'POST', body: { caller: '+7'.padEnd(4000, '9') } })
  assertCtiError(t, res, 413, 'CTI_ERR_TOO_LARGE')
})

t.test('a path segment longer than any identifier is a 414 CTI_ERR_URI_TOO_LONG', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/customers/by-phone/${'7'.repeat(2000)}/card`)
  assertCtiError(t, res, 414, 'CTI_ERR_URI_TOO_LONG')
})

t.test('a path segment as long as a SIP URI phone still reaches its route and its schema', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/customers/by-phone/${'7'.repeat(300)}/card`)
  assertCtiError(t, res, 400, 'CTI_ERR_VALIDATION')
  t.match(res.body.message, /params \/phone/)
})

t.test("a URL past node's header limit is a 414 CTI_ERR_URI_TOO_LONG", async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/tasks?assignee=${'a'.repeat(20_000)}`)
  assertCtiError(t, res, 414, 'CTI_ERR_URI_TOO_LONG')
})

t.test("headers past node's header limit are a 431 CTI_ERR_HEADERS_TOO_LARGE", async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/health`, { headers: { 'x-padding': 'a'.repeat(20_000) } })
  assertCtiError(t, res, 431, 'CTI_ERR_HEADERS_TOO_LARGE')
})

t.test('a body of a type no route takes is a 415 CTI_ERR_UNSUPPORTED_MEDIA', async (t) => {
  const { url } = await testApp(t)
  const res = await request(`${url}/v1/route`, { method: 'POST', body: '<caller/>', headers: { 'content-type': 'text/xml' } })
  assertCtiError(t, res, 415, 'CTI_ERR_UNSUPPORTED_MEDIA')
  t.match(res.body.message, /text\/xml/)
})
