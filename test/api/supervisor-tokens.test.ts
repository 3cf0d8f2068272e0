import t, { type Test } from 'tap'
import { request, testApp } from '../helpers/test-app.js'

const ADMIN_TOKEN = 'admin-5d1e8c2b7a904f36'
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const START = Date.parse('2026-11-23T09:00:00+03:00')

/** A server with agents in two teams and a lead of team north holding a token valid for `validHours`. */
async function floor(t: Test, validHours = 8) {
  let clock = START
  const server = await testApp(t, { ADMIN_TOKEN }, { now: () => clock })
  const { url } = server
  for (const [id, team] of [['a-anna', 'north'], ['a-boris', 'north'], ['a-vera', 'south']] as const) {
    const put = await request(`${url}/v1/agents/${id}`, { method: 'PUT', headers: admin, body: { name: id, extension: id.slice(2), team } })
    t.equal(put.status < 300, true, `agent ${id} created`)
    await request(`${url}/v1/agents/${id}/state`, { method: 'PUT', headers: admin, body: { state: 'available' } })
  }
  const created = await request(`${url}/v1/supervisors`, { method: 'POST', headers: admin, body: { id: 'lead-north', name: 'Olga Lead', teams: ['north'] } })
  t.equal(created.status, 201)
  const issued = await request(`${url}/v1/supervisors/lead-north/token?validHours=${validHours}`, { method: 'POST', headers: admin })
  t.equal(issued.status, 201)
  return { ...server, token: issued.body.token as string, advance: (ms: number) => (clock += ms) }
}

t.test('an admin creates a supervisor and issues a token shown once', async (t) => {
  const { url, token } = await floor(t)
  t.match(token, /^[A-Za-z0-9_-]{43}$/)
  const list = await request(`${url}/v1/supervisors`, { headers: admin })
  t.same(list.body.map((s: { id: string; teams: string[]; active: boolean }) => [s.id, s.teams, s.active]), [['lead-north', ['north'], true]])
  t.notOk(JSON.stringify(list.body).includes(token), 'the token is never listed')
})

t.test("a supervisor's token opens their teams' agents and nobody else's", async (t) => {
  const { url, token } = await floor(t)
  const seen = await request(`${url}/v1/supervisor/agents`, { headers: bearer(token) })
  t.equal(seen.status, 200)
  t.same(seen.body.map((a: { agentId: string }) => a.agentId).sort(), ['a-anna', 'a-boris'])
  const all = await request(`${url}/v1/supervisor/agents`, { headers: admin })
  t.equal(all.body.length, 3, 'the admin sees every team')
})

t.test("a supervisor's token does not open admin endpoints", async (t) => {
  const { url, token } = await floor(t)
  for (const path of ['/v1/agents', '/v1/agents/states', '/v1/supervisors', '/v1/customers/1']) {
    t.equal((await request(`${url}${path}`, { headers: bearer(token) })).status, 401, path)
  }
  const issued = await request(`${url}/v1/supervisors/lead-north/token`, { method: 'POST', headers: bearer(token) })
  t.equal(issued.status, 401, 'a supervisor cannot issue tokens')
})

t.test('a missing, wrong or expired token is refused with a coded 401', async (t) => {
  const { url, token, advance } = await floor(t, 1)
  const none = await request(`${url}/v1/supervisor/agents`)
  t.equal(none.status, 401)
  t.equal(none.body.error, 'CTI_ERR_UNAUTHORIZED')
  t.equal((await request(`${url}/v1/supervisor/agents`, { headers: bearer(`${token}x`) })).status, 401)
  advance(3_600_001)
  const expired = await request(`${url}/v1/supervisor/agents`, { headers: bearer(token) })
  t.equal(expired.status, 401)
  t.match(expired.body.message, /expired/)
})

t.test('a deactivated supervisor loses their token at once', async (t) => {
  const { url, token } = await floor(t)
  t.equal((await request(`${url}/v1/supervisors/lead-north`, { method: 'DELETE', headers: admin })).status, 200)
  t.equal((await request(`${url}/v1/supervisor/agents`, { headers: bearer(token) })).status, 401)
  t.equal((await request(`${url}/v1/supervisors/lead-north/token`, { method: 'POST', headers: admin })).status, 404)
})

t.test('a supervisor sets an agent of their team away, recorded with their name', async (t) => {
  const { url, token, app } = await floor(t)
  const set = await request(`${url}/v1/supervisor/agents/a-anna/state`, { method: 'POST', headers: bearer(token), body: { state: 'away' } })
  t.equal(set.status, 200)
  t.equal(set.body.by, 'Olga Lead')
  t.equal(set.body.agent.status, 'away')
  t.equal(app.agents.get('a-anna')!.state.status, 'away', 'through the same store as the agent state API')
  let entries: { action: string; actor_name: string; entity_id: string }[] = []
  for (let i = 0; i < 50 && entries.length === 0; i++) {
    entries = await app.database.db.withTables<{ audit_log: { action: string; actor_name: string; entity_id: string; actor_kind: string } }>().selectFrom('audit_log').select(['action', 'actor_name', 'entity_id']).where('action', '=', 'agent.state-set').where('actor_kind', '=', 'supervisor').execute()
    if (entries.length === 0) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.same(entries, [{ action: 'agent.state-set', actor_name: 'Olga Lead', entity_id: 'a-anna' }])
})

t.test("a supervisor cannot set an agent of another team", async (t) => {
  const { url, token, app } = await floor(t)
  const set = await request(`${url}/v1/supervisor/agents/a-vera/state`, { method: 'POST', headers: bearer(token), body: { state: 'offline' } })
  t.equal(set.status, 404)
  t.equal(set.body.error, 'CTI_ERR_AGENT_NOT_FOUND')
  t.equal(app.agents.get('a-vera')!.state.status, 'available')
})
