import { Validator } from '@seriousme/openapi-schema-validator'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { RouteOptions } from 'fastify'
import pino from 'pino'
import t, { type Test } from 'tap'
import { App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { freshSchema, MONDAY_11_MSK, request, TEST_DATABASE_URL } from '../helpers/test-app.js'

const ADMIN = { authorization: 'Bearer admin-secret-0123456789' }

/** A whole server with the demo CRM, every route it declares captured as fastify declares it. */
async function describedApp(t: Test) {
  const schema = await freshSchema(t)
  const config = loadConfig({ DATABASE_URL: TEST_DATABASE_URL, PORT: '1', RULES_WATCH: 'false', DEMO_DATA: 'true', ADMIN_TOKEN: 'admin-secret-0123456789' })
  const app = await App.create({ config: { ...config, PORT: 0 }, logger: pino({ level: 'silent' }), dbSchema: schema, now: () => MONDAY_11_MSK })
  const routes: RouteOptions[] = []
  app.server.addHook('onRoute', (route) => void routes.push(route))
  t.teardown(() => app.stop())
  await app.prepare()
  await app.server.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const doc = (await request(`${url}/docs/openapi.json`)).body
  return { app, url, doc, routes: routes.filter((r) => r.method !== 'HEAD' && !isDocsPage(r)) }
}

/** The reference page's own files (@fastify/swagger-ui): hidden from the description on purpose. */
function isDocsPage(route: RouteOptions): boolean {
  return route.url.startsWith('/docs') && (route.schema as { hide?: boolean } | undefined)?.hide === true
}

const openapiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}')

t.test('every route declares its schema: a summary and what it answers', async (t) => {
  const { routes } = await describedApp(t)
  t.ok(routes.length > 40, `${routes.length} routes seen`)
  const undescribed = routes
    .filter((r) => {
      const schema = r.schema as { summary?: string; response?: Record<string, unknown> } | undefined
      return !schema?.summary || !Object.keys(schema.response ?? {}).some((status) => Number(status) < 400)
    })
    .map((r) => `${r.method} ${r.url}`)
  t.same(undescribed, [], 'routes without a summary or a success answer')
})

t.test('GET /docs/openapi.json is a valid OpenAPI 3.1 document naming every route', async (t) => {
  const { doc, routes } = await describedApp(t)
  const result = await new Validator().validate(doc)
  t.same(result.errors ?? [], [], 'no schema errors')
  t.equal(result.valid, true)
  t.equal(doc.openapi, '3.1.0')
  const missing = routes.filter((r) => !doc.paths[openapiPath(r.url)]?.[String(r.method).toLowerCase()]).map((r) => `${r.method} ${r.url}`)
  t.same(missing, [], 'routes missing from the description')
  t.ok(doc.paths['/v1/agents/socket']?.get, 'the WebSocket upgrade is described too')
  t.ok(doc.paths['/metrics']?.get?.responses['200'].content['text/plain'], 'so is the Prometheus text')
})

t.test('the description says who may call each route', async (t) => {
  const { doc } = await describedApp(t)
  t.same(doc.paths['/v1/customers/{id}'].get.security, [{ adminToken: [] }], 'admin endpoints want the admin token')
  t.same(doc.paths['/v1/me'].get.security, [{ agentToken: [] }], "the agent's own want the agent's token")
  t.same(doc.paths['/v1/agents/socket'].get.security, [{ agentTokenInQuery: [] }, { agentToken: [] }])
  t.same(doc.paths['/health'].get.security, [], 'health wants nothing')
  t.same(doc.paths['/v1/supervisor/agents'].get.security, [{ adminToken: [] }, { supervisorToken: [] }], "a supervisor's paths take the admin or a supervisor's token")
  t.same(Object.keys(doc.components.securitySchemes).sort(), ['adminToken', 'agentToken', 'agentTokenInQuery', 'supervisorToken', 'supervisorTokenInQuery'])
  t.ok(doc.paths['/v1/customers/{id}'].get.responses['401'], 'a 401 is described where a token is wanted')
  t.notOk(doc.paths['/health'].get.responses['401'])
})

t.test('each route lists the error codes it can answer, in the { error, message } shape', async (t) => {
  const { doc } = await describedApp(t)
  const codes = (path: string, method: string, status: number) =>
    doc.paths[path][method].responses[String(status)]?.content['application/json'].schema.properties.error.enum
  t.same(codes('/v1/customers/{id}', 'get', 404), ['CTI_ERR_CUSTOMER_NOT_FOUND'])
  t.same(codes('/v1/customers/{id}', 'get', 400), ['CTI_ERR_VALIDATION', 'CTI_ERR_NUL_CHARACTER', 'CTI_ERR_BAD_URL'])
  t.same(codes('/v1/customers/{id}', 'get', 414), ['CTI_ERR_URI_TOO_LONG'])
  t.same(codes('/v1/customers/{id}', 'get', 503), ['CTI_ERR_DB_UNAVAILABLE'])
  t.match(codes('/v1/customers', 'post', 400), ['CTI_ERR_VALIDATION', 'CTI_ERR_NUL_CHARACTER', 'CTI_ERR_BAD_URL', 'CTI_ERR_INVALID_JSON', 'CTI_ERR_INVALID_PHONE'])
  t.same(codes('/v1/customers', 'post', 413), ['CTI_ERR_TOO_LARGE'])
  t.same(codes('/v1/customers', 'post', 415), ['CTI_ERR_UNSUPPORTED_MEDIA'])
  t.match(codes('/v1/callbacks', 'post', 503), ['CTI_ERR_AMI_NOT_CONFIGURED', 'CTI_ERR_AMI_UNAVAILABLE'])
  const error = doc.paths['/v1/leads/{id}'].get.responses['404'].content['application/json'].schema
  t.same(error.required, ['error', 'message'])
})

t.test("real answers match the schemas the description gives for them", async (t) => {
  const { url, doc, app } = await describedApp(t)
  const loaded = await request(`${url}/v1/demo-data`, { method: 'POST', headers: ADMIN })
  t.equal(loaded.status, 201)
  const known = await app.database.db.selectFrom('customer_phones').select(['customer_id', 'phone']).orderBy('customer_id').limit(1).executeTakeFirstOrThrow()
  const customerId = Number(known.customer_id)
  const token = await agentTokenAs(url, 'a-anna')
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true })
  const deal = (await request(`${url}/v1/deals`, { method: 'POST', headers: ADMIN, body: { customerId, title: 'CRM 20 seats' } })).body
  const calls: [string, string, { method?: string; body?: unknown; headers?: Record<string, string> }?][] = [
    ['/v1/agents', '/v1/agents'],
    ['/v1/agents/{id}', '/v1/agents/a-anna'],
    ['/v1/agents/states', '/v1/agents/states'],
    ['/v1/agents/{id}/state', '/v1/agents/a-anna/state'],
    ['/v1/lines', '/v1/lines'],
    ['/v1/customers/{id}', `/v1/customers/${customerId}`],
    ['/v1/customers/{id}', '/v1/customers/999999'],
    ['/v1/customers/by-phone/{phone}/card', `/v1/customers/by-phone/${encodeURIComponent(known.phone)}/card`],
    ['/v1/route', '/v1/route', { method: 'POST', body: { caller: known.phone, dialed: '+74951234567' } }],
    ['/v1/route/explain', '/v1/route/explain', { method: 'POST', body: { caller: '+79031112233' } }],
    ['/v1/tasks', '/v1/tasks?limit=5'],
    ['/v1/deals/options', '/v1/deals/options'],
    ['/v1/deals/{id}', `/v1/deals/${deal.id}`],
    ['/v1/rules', '/v1/rules'],
    ['/v1/reports/sources', '/v1/reports/sources?from=2026-11-01&to=2026-11-23'],
    ['/health', '/health'],
    ['/ready', '/ready'],
    ['/v1/me', '/v1/me', { headers: { authorization: `Bearer ${token}` } }],
    ['/v1/me/tasks', '/v1/me/tasks', { headers: { authorization: `Bearer ${token}` } }]
  ]
  for (const [path, target, init] of calls) {
    const method = (init?.method ?? 'GET').toLowerCase()
    const res = await request(`${url}${target}`, { ...init, headers: { ...ADMIN, ...init?.headers } })
    const schema = doc.paths[path][method].responses[String(res.status)]?.content?.['application/json']?.schema
    if (!t.ok(schema, `${method} ${target} answered ${res.status}, which is described`)) continue
    const valid = ajv.validate(schema, res.body)
    t.ok(valid, `${method} ${target} ${res.status} matches: ${ajv.errorsText(ajv.errors)}`)
  }
})

t.test('the reference page is served without a build', async (t) => {
  const { url } = await describedApp(t)
  const page = await fetch(`${url}/docs/`)
  t.equal(page.status, 200)
  t.match(page.headers.get('content-type'), /text\/html/)
})

async function agentTokenAs(url: string, agentId: string): Promise<string> {
  const res = await request(`${url}/v1/agents/${agentId}/token`, { method: 'POST', headers: ADMIN })
  if (res.status !== 201) throw new Error(`token: ${JSON.stringify(res.body)}`)
  return res.body.token
}
