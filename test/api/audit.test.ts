import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import type { App } from '../../src/app.js'
import { request, testApp } from '../helpers/test-app.js'

const ADMIN_TOKEN = 'audit-admin-token-0123456789'
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
const anna = { name: 'Anna', sipUri: 'sip:anna@pbx', team: 'sales', capacity: 1, skills: { english: 3 } }

async function auditOf(app: App, url: string, query = ''): Promise<any[]> {
  await app.audit.settled()
  const { status, body } = await request(`${url}/v1/audit${query}`, { headers: auth })
  if (status !== 200) throw new Error(`GET /v1/audit: ${status} ${JSON.stringify(body)}`)
  return body.entries
}

t.test('an agent created, then changed: who did it and the changed fields before and after', async (t) => {
  const { app, url } = await testApp(t, { ADMIN_TOKEN })
  await request(`${url}/v1/agents/a-anna`, { method: 'PUT', headers: auth, body: anna })
  await request(`${url}/v1/agents/a-anna`, { method: 'PUT', headers: auth, body: { ...anna, capacity: 2, team: 'vip', skills: { english: 3, german: 2 } } })
  const entries = await auditOf(app, url, '?entity=agent&entityId=a-anna')
  t.same(entries.map((e) => e.action), ['agent.updated', 'agent.created'])
  t.match(entries[1].after, { name: 'Anna', team: 'sales', capacity: 1 })
  t.same(entries[0].before, { team: 'sales', capacity: 1, skills: { english: 3 } })
  t.same(entries[0].after, { team: 'vip', capacity: 2, skills: { english: 3, german: 2 } })
  t.equal(entries[0].actor.kind, 'admin')
  t.match(entries[0].actor.id, /^sha256:[0-9a-f]{12}$/, 'the admin token by its fingerprint')
})

t.test('an agent deactivated is recorded as such; the same agent sent again unchanged records nothing', async (t) => {
  const { app, url } = await testApp(t, { ADMIN_TOKEN })
  await request(`${url}/v1/agents/a-anna`, { method: 'PUT', headers: auth, body: anna })
  await request(`${url}/v1/agents/a-anna`, { method: 'PUT', headers: auth, body: anna })
  await request(`${url}/v1/agents/a-anna`, { method: 'PUT', headers: auth, body: { ...anna, active: false } })
  const entries = await auditOf(app, url, '?entity=agent')
  t.same(entries.map((e) => e.action), ['agent.deactivated', 'agent.created'])
  t.same(entries[0].before, { active: true })
  t.same(entries[0].after, { active: false })
})

t.test('a line created and changed', async (t) => {
  const { app, url } = await testApp(t, { ADMIN_TOKEN })
  await request(`${url}/v1/lines/${encodeURIComponent('8 495 123-45-67')}`, { method: 'PUT', headers: auth, body: { name: 'Spring', source: 'yandex', campaign: 'spring' } })
  await request(`${url}/v1/lines/+74951234567`, { method: 'PUT', headers: auth, body: { name: 'Spring', source: 'google', campaign: 'spring' } })
  const entries = await auditOf(app, url, '?entity=line')
  t.same(entries.map((e) => [e.action, e.entityId]), [['line.updated', '+74951234567'], ['line.created', '+74951234567']])
  t.same(entries[0].before, { source: 'yandex' })
  t.same(entries[0].after, { source: 'google' })
})

t.test("a customer's owner changed is recorded with the owner only; other changes to the customer are not", async (t) => {
  const { app, url } = await testApp(t, { ADMIN_TOKEN })
  await request(`${url}/v1/agents/a-anna`, { method: 'PUT', headers: auth, body: anna })
  await request(`${url}/v1/agents/a-boris`, { method: 'PUT', headers: auth, body: { ...anna, name: 'Boris' } })
  const created = await request(`${url}/v1/customers`, { method: 'POST', headers: auth, body: { name: 'Olga', ownerAgentId: 'a-anna', phones: [{ phone: '+79031112233' }] } })
  const id = created.body.id
  await request(`${url}/v1/customers/${id}`, { method: 'PATCH', headers: auth, body: { company: 'Olga LLC' } })
  await request(`${url}/v1/customers/${id}`, { method: 'PATCH', headers: auth, body: { ownerAgentId: 'a-boris' } })
  const entries = await auditOf(app, url, '?entity=customer')
  t.same(entries.map((e) => [e.action, e.entityId]), [['customer.owner-changed', String(id)], ['customer.owner-changed', String(id)]])
  t.same(entries[0].before, { ownerAgentId: 'a-anna' })
  t.same(entries[0].after, { ownerAgentId: 'a-boris' })
  t.same(entries[1].before, null, 'created with its owner')
})

t.test('a token issued is recorded without the token', async (t) => {
  const { app, url } = await testApp(t, { ADMIN_TOKEN })
  await request(`${url}/v1/agents/a-anna`, { method: 'PUT', headers: auth, body: anna })
  const issued = await request(`${url}/v1/agents/a-anna/token`, { method: 'POST', headers: auth })
  const entries = await auditOf(app, url, '?action=token.issued')
  t.equal(entries.length, 1)
  t.match(entries[0], { entity: 'agent', entityId: 'a-anna', before: null, after: null })
  t.notOk(JSON.stringify(entries).includes(issued.body.token), 'the token appears nowhere')
})

t.test("an agent's state set by the admin is recorded with the state set", async (t) => {
  const { app, url } = await testApp(t, { ADMIN_TOKEN })
  await request(`${url}/v1/agents/a-anna`, { method: 'PUT', headers: auth, body: anna })
  await request(`${url}/v1/agents/a-anna/state`, { method: 'PUT', headers: auth, body: { state: 'away' } })
  const entries = await auditOf(app, url, '?action=agent.state-changed')
  t.match(entries, [{ entity: 'agent', entityId: 'a-anna', actor: { kind: 'admin' }, before: null, after: { status: 'away' } }])
})

t.test('a change refused is not recorded', async (t) => {
  const { app, url } = await testApp(t, { ADMIN_TOKEN })
  const refused = await request(`${url}/v1/agents/a-anna`, { method: 'PUT', headers: auth, body: { name: 'Anna' } })
  t.equal(refused.status, 400)
  t.same(await auditOf(app, url, '?entity=agent'), [])
})

t.test('the routing rules loaded at start are recorded by the rules watcher', async (t) => {
  const { app, url } = await testApp(t, { ADMIN_TOKEN })
  const entries = await auditOf(app, url, '?entity=rules')
  t.equal(entries.length, 1)
  t.match(entries[0], { action: 'rules.loaded', actor: { kind: 'system', id: null, name: 'rules watcher' }, before: null, after: { version: String } })
})

t.test('a rules edit refused, then a fixed one loaded, are recorded with the versions and the errors', async (t) => {
  const dir = t.testdir()
  await cp('routing-rules', dir, { recursive: true })
  const { app, url } = await testApp(t, { ADMIN_TOKEN, RULES_DIR: dir, RULES_WATCH: 'true' })
  const file = join(dir, 'rules.yaml')
  const good = await readFile(file, 'utf8')
  const first = (await auditOf(app, url, '?entity=rules'))[0].entityId
  await writeFile(file, good.replace('strategy: fewest-calls', 'strategy: loudest-voice'))
  const refused = await until(() => auditOf(app, url, '?action=rules.refused'), (e) => e.length > 0)
  t.match(refused[0], { entityId: first, before: { version: first } })
  t.match(refused[0].after.errors[0], /loudest-voice/)
  await writeFile(file, good.replace('name: new callers', 'name: first-time callers'))
  const loaded = await until(() => auditOf(app, url, '?action=rules.loaded'), (e) => e.length > 1)
  t.match(loaded[0], { before: { version: first } })
  t.not(loaded[0].after.version, first, 'the new version')
})

/** Reads until `done` (the watcher reacts to a file change in its own time), for 10 s at most. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000
  let value = await read()
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    value = await read()
  }
  return value
}

t.test('GET /v1/audit is for the admin only', async (t) => {
  const { url } = await testApp(t, { ADMIN_TOKEN })
  t.equal((await request(`${url}/v1/audit`)).status, 401, 'no token')
  await request(`${url}/v1/agents/a-anna`, { method: 'PUT', headers: auth, body: anna })
  const agentToken = (await request(`${url}/v1/agents/a-anna/token`, { method: 'POST', headers: auth })).body.token
  t.equal((await request(`${url}/v1/audit`, { headers: { authorization: `Bearer ${agentToken}` } })).status, 401, "an agent's token")
})

t.test('audit pages never repeat or skip an entry, and filters combine', async (t) => {
  const { app, url } = await testApp(t, { ADMIN_TOKEN })
  for (let i = 0; i < 7; i++) await request(`${url}/v1/agents/a-${i}`, { method: 'PUT', headers: auth, body: { ...anna, name: `Agent ${i}` } })
  await app.audit.settled()
  const seen: string[] = []
  let after: string | null = null
  do {
    const page: { body: { entries: { entityId: string }[]; next: string | null } } = await request(`${url}/v1/audit?entity=agent&limit=3${after ? `&after=${after}` : ''}`, { headers: auth })
    seen.push(...page.body.entries.map((e) => e.entityId))
    after = page.body.next
  } while (after !== null && seen.length < 20)
  t.same(seen, ['a-6', 'a-5', 'a-4', 'a-3', 'a-2', 'a-1', 'a-0'])
  const actor = (await auditOf(app, url, '?limit=1&entity=agent'))[0].actor.id
  t.equal((await auditOf(app, url, `?actor=${actor}&action=agent.created&entityId=a-3`)).length, 1)
  t.equal((await auditOf(app, url, `?from=2000-01-01&to=2000-01-02`)).length, 0)
})

t.test('a bad audit filter answers 400 CTI_ERR_BAD_FILTER naming it', async (t) => {
  const { url } = await testApp(t, { ADMIN_TOKEN })
  const bad: [string, string][] = [['from', 'from=soon'], ['actorKind', 'actorKind=robot'], ['after', 'after=xyz'], ['limit', 'limit=1000'], ['entty', 'entty=agent']]
  for (const [filter, query] of bad) {
    const { status, body } = await request(`${url}/v1/audit?${query}`, { headers: auth })
    t.equal(status, 400, query)
    t.same([body.error, body.details], ['CTI_ERR_BAD_FILTER', { filter }], query)
  }
})
