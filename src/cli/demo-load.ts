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

const config = loadConfigOrExit()

// A server bound to every interface is reached on loopback.
const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST
const base = `http://${host.includes(':') ? `[${host}]` : host}:${config.PORT}`

let response: Response
try {
  response = await fetch(`${base}/v1/demo-data`, { method: 'POST', signal: AbortSignal.timeout(120_000) })
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
    ''
  ].join('\n')
)
