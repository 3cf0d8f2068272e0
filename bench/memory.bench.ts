/**
 * Memory over many calls: POST /v1/route, then /answered (most calls) and
 * /ended, through the server's HTTP routes (fastify inject, no sockets), on
 * the demo CRM. Every --every calls the heap is collected and the heap in use
 * and RSS are printed, with what the bounded retentions hold; at the end the
 * growth between the first sample at or past 100,000 calls and the last.
 *
 * Run: npm run bench:memory  (options: --calls 300000 --every 50000 --new-callers 0.1
 * --heap-snapshots <dir>: a V8 heap snapshot at each sample, to compare what grew)
 * On PostgreSQL set DATABASE_URL (the embedded database's own memory, in the
 * same process, grows with its data and would blur the server's figures).
 * The server runs with SCREENPOP_RETENTION_SECONDS at its default (an hour), so
 * every event of the run is still within its retention time: only the count
 * and byte bounds keep it in check.
 */
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { writeHeapSnapshot } from 'node:v8'
import { parseArgs } from 'node:util'
import { startDemoServer } from './demo-server.js'
import { formatBytes } from './stats.js'

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '300000' }, every: { type: 'string', default: '50000' }, 'new-callers': { type: 'string', default: '0.1' }, 'heap-snapshots': { type: 'string' } }
})
const calls = Number(values.calls)
const every = Number(values.every)
const newCallers = Number(values['new-callers'])
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc (npm run bench:memory does)')

const { app, stop } = await startDemoServer()
const known = (await app.database.db.selectFrom('customer_phones').select('phone').execute()).map((r) => r.phone)
console.log(`${new Date().toISOString()}  load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}  ${app.database.kind}, ${known.length} known numbers, ${calls.toLocaleString('en')} calls`)

let seed = 42
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
const lines = ['+74951234567', '+74951234568']

async function post(url: string, payload?: unknown): Promise<any> {
  const res = await app.server.inject({ method: 'POST', url, payload: payload as any })
  if (res.statusCode >= 500) throw new Error(`${url}: HTTP ${res.statusCode} ${res.body}`)
  return res.json()
}

async function oneCall(i: number): Promise<void> {
  const callId = `mem-${i}`
  const caller = random() < newCallers ? `+7903${String(Math.floor(random() * 1e7)).padStart(7, '0')}` : known[Math.floor(random() * known.length)]!
  const routed = await post('/v1/route', { caller, dialed: lines[i % 2], callId })
  const agentId: string | undefined = routed.decision?.targets?.[0]?.agentId
  if (agentId && random() < 0.8) await post(`/v1/interactions/${callId}/answered`, { agentId })
  await post(`/v1/interactions/${callId}/ended`, {})
}

function sample(done: number) {
  gc!()
  gc!()
  const m = process.memoryUsage()
  if (values['heap-snapshots']) writeHeapSnapshot(join(values['heap-snapshots'], `${done}.heapsnapshot`))
  const hub = app.screenPops as unknown as { streams: Map<string, { events: unknown[] }> }
  const kept = [...hub.streams.values()].reduce((n, s) => n + s.events.length, 0)
  return { done, heap: m.heapUsed, rss: m.rss, kept, cached: app.identifier.cache.size }
}

const samples = [sample(0)]
const print = (s: (typeof samples)[number]) =>
  console.log(`${s.done.toLocaleString('en').padStart(10)} calls  heap ${formatBytes(s.heap).padStart(10)}  rss ${formatBytes(s.rss).padStart(10)}  screen-pop events kept ${s.kept}  callers cached ${s.cached}`)
print(samples[0]!)
const started = process.hrtime.bigint()
const cpuStart = process.cpuUsage()
const WINDOW = 16
for (let i = 0; i < calls; i += WINDOW) {
  await Promise.all(Array.from({ length: Math.min(WINDOW, calls - i) }, (_, k) => oneCall(i + k)))
  const done = Math.min(calls, i + WINDOW)
  if (done % every === 0 || done === calls) {
    await app.calls.flush()
    await app.workflows.settled()
    samples.push(sample(done))
    print(samples.at(-1)!)
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9
const cpu = process.cpuUsage(cpuStart)
const from = samples.find((s) => s.done >= 100_000) ?? samples[1]!
const to = samples.at(-1)!
console.log(`${Math.round(calls / seconds).toLocaleString('en')} calls/s, node CPU ${((cpu.user + cpu.system) / 1000 / calls).toFixed(3)} ms per call (route + answered + ended)`)
console.log(`from ${from.done.toLocaleString('en')} to ${to.done.toLocaleString('en')} calls: rss ${((to.rss / from.rss - 1) * 100).toFixed(1)} %, heap ${((to.heap / from.heap - 1) * 100).toFixed(1)} %, ${((to.heap - from.heap) / Math.max(1, to.done - from.done)).toFixed(1)} bytes of heap per call`)
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
await stop()
