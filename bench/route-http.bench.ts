/**
 * POST /v1/route over real HTTP with autocannon (run in a child process so
 * that it does not share the server's event loop), against the demo data on
 * the embedded database, the caller's customer cached after the first call.
 *
 * Run: npm run bench:http  (options: --seconds 10 --connections 10)
 *
 * The clock is pinned to a Monday 11:00 in Moscow so the business-hours rules
 * route to agents instead of voicemail. The 8 demo agents are saturated within
 * the first requests; later decisions run every step, find nobody free and end
 * in the rule's queue — the longest path through the core.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startDemoServer } from './demo-server.js'
import { formatBytes } from './stats.js'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '10' } } })
const { app, base, stop } = await startDemoServer()
console.log(`server on ${base} (${app.database.kind}), demo data loaded`)

async function autocannon(name: string, path: string, body: unknown, seconds = values.seconds!): Promise<void> {
  // Warm the caller cache, then measure.
  await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const args = ['-j', '-d', seconds, '-c', values.connections!, '-m', 'POST', '-H', 'content-type=application/json', '-b', JSON.stringify(body), `${base}${path}`]
  const child = spawn(join('node_modules', '.bin', 'autocannon'), args, { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  await new Promise((resolve) => child.on('exit', resolve))
  const r = JSON.parse(out) as {
    requests: { average: number; total: number }
    latency: { p50: number; p99: number; average: number }
    non2xx: number
    errors: number
  }
  if (name === 'warm-up') return
  console.log(
    `${name.padEnd(34)} ${Math.round(r.requests.average).toLocaleString('en').padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  ` +
      `total ${r.requests.total.toLocaleString('en')}  non-2xx ${r.non2xx}  errors ${r.errors}`
  )
}

// Warm-up, not reported: lets the JIT compile the hot path before anything is measured.
await autocannon('warm-up', '/v1/route', { caller: '+79031112233', dialed: '+74951234567' }, '3')
await autocannon('POST /v1/route (known VIP caller)', '/v1/route', { caller: '+79161234567', dialed: '+74951234567' })
await autocannon('POST /v1/route (new caller)', '/v1/route', { caller: '+79160009999', dialed: '+74951234568' })
await autocannon('POST /v1/route/explain (known caller)', '/v1/route/explain', { caller: '+79031112233', dialed: '+74951234567' })
console.log(`server RSS ${formatBytes(process.memoryUsage().rss)}`)

await stop()
