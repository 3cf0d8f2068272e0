import { loadConfigOrExit } from '../config.js'
import { DEMO_CALLERS, DEMO_LINES, type DemoDataCounts } from '../crm/demo-data.js'

// `npm run demo:load`: asks the running server to load the demo CRM. The server
// does the writing because the embedded database admits one process at a time.

const TOUR = [
  { phone: DEMO_CALLERS.ivanPetrov, who: 'Ivan Petrov', what: 'VIP, owner a-anna, open deal at "agreement"' },
  { phone: DEMO_CALLERS.olgaSmirnova, who: 'Olga Smirnova', what: 'owner a-boris, a payment 45 days overdue' },
  { phone: DEMO_CALLERS.spamCaller, who: 'Spam Caller', what: 'blocked' }
]
const LINES = [
  { phone: DEMO_LINES.springCrm, what: 'Spring CRM campaign (yandex-direct, product:crm)' },
  { phone: DEMO_LINES.telephonyLaunch, what: 'Telephony launch (google-ads, product:telephony)' },
  { phone: DEMO_LINES.website, what: 'Website free number (organic)' }
]

// The demo set's agents (src/crm/demo-directory.ts): only they get tokens, never an agent of a real CRM.
const DEMO_AGENT_IDS = new Set(['a-anna', 'a-boris', 'a-clara', 'a-dmitri', 'a-elena', 'a-fedor', 'a-galina', 'a-igor'])

const config = loadConfigOrExit()

// A server bound to every interface is reached on loopback.
const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST
const base = `http://${host.includes(':') ? `[${host}]` : host}:${config.PORT}`

// With ADMIN_TOKEN set, the server's admin endpoints (loading data, issuing tokens) want it.
const adminHeaders: Record<string, string> = config.ADMIN_TOKEN ? { authorization: `Bearer ${config.ADMIN_TOKEN}` } : {}

let response: Response
try {
  response = await fetch(`${base}/v1/demo-data`, { method: 'POST', headers: adminHeaders, signal: AbortSignal.timeout(120_000) })
} catch (err) {
  const cause = (err as { cause?: { code?: string } }).cause
  if (cause?.code === 'ECONNREFUSED') {
    process.stderr.write(`No server is listening at ${base}: start it with npm start first, then run npm run demo:load again.\n`)
  } else {
    process.stderr.write(`Could not reach the server at ${base}: ${(err as Error).message}\n`)
  }
  process.exit(1)
}

const text = await response.text()
if (response.status !== 201) {
  const hint = response.status === 404 ? ' The server has the demo data endpoint closed: start it with DEMO_DATA=true to allow it.' : ''
  process.stderr.write(`The server at ${base} refused to load the demo data (HTTP ${response.status}): ${text}${hint}\n`)
  process.exit(1)
}

const counts = JSON.parse(text) as DemoDataCounts

// A token per demo agent, so that their pages can be opened at once. Issuing one replaces the
// agent's earlier token: pages signed in with it are signed out.
const agentsResponse = await fetch(`${base}/v1/agents`, { headers: adminHeaders })
const agents = agentsResponse.ok ? ((await agentsResponse.json()) as { id: string; name: string }[]) : []
const tokens: { id: string; name: string; token: string }[] = []
for (const agent of agents.filter((a) => DEMO_AGENT_IDS.has(a.id))) {
  const issued = await fetch(`${base}/v1/agents/${encodeURIComponent(agent.id)}/token`, { method: 'POST', headers: adminHeaders })
  if (issued.status !== 201) {
    process.stderr.write(`Could not issue a token for ${agent.id} (HTTP ${issued.status}): ${await issued.text()}\n`)
    continue
  }
  tokens.push({ id: agent.id, name: agent.name, token: ((await issued.json()) as { token: string }).token })
}
process.stdout.write(
  [
    `Demo data loaded into ${base}:`,
    `  ${counts.agents} agents, ${counts.lines} lines, ${counts.customers} customers with ${counts.phones} phone numbers`,
    `  ${counts.calls} calls, ${counts.deals} deals, ${counts.orders} orders, ${counts.payments} payments, ${counts.tasks} tasks`,
    '',
    'Callers to try:',
    ...TOUR.map((c) => `  ${c.phone}  ${c.who.padEnd(14)} ${c.what}`),
    '',
    'Lines they can dial:',
    ...LINES.map((l) => `  ${l.phone}  ${l.what}`),
    '',
    `Agent pages: open ${base}/agent and sign in with the agent's token:`,
    ...tokens.map((a) => `  ${a.id.padEnd(9)} ${a.name.padEnd(16)} ${a.token}`),
    ''
  ].join('\n')
)
