/**
 * Screen-pop fan-out: one server in this process (embedded database, demo
 * data, clock pinned to a Monday 11:00 in Moscow) and 5,000 agent pages —
 * real WebSocket clients in a child process, so that they do not share the
 * server's event loop. The child also places the calls (POST /v1/route at a
 * steady rate, mixing known customers, whose card carries their history from
 * the database, and new leads) and ends each call when its card arrives, so
 * the agent is free again.
 *
 * Measured: from the routing decision (the `offered` event, taken in the
 * server process) to the card arriving at the agent's client (taken in the
 * child), both on the machine's wall clock; and the server's memory per open
 * connection (RSS and heap after GC, before and after the 5,000 connect).
 *
 * Run: npm run bench:screenpop  (options: --clients 5000 --calls 5000 --rate 200)
 * Each process holds one descriptor per connection: `ulimit -n` must exceed
 * the client count by a few hundred.
 */
import { fork, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startDemoServer } from './demo-server.js'
import { formatBytes, percentile } from './stats.js'

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '5000' },
    calls: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '200' },
    role: { type: 'string', default: 'server' }
  }
})

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
const wallMs = () => performance.timeOrigin + performance.now()

interface Call {
  callId: string
  caller: string
  dialed: string
  known: boolean
}

type ToClients = { type: 'start'; base: string; tokens: [string, string][]; calls: Call[]; rate: number }
type FromClients =
  | { type: 'connected'; clients: number; ms: number; rss: number }
  | { type: 'done'; arrivals: [string, number][]; routeErrors: number; elapsedMs: number }

if (values.role === 'clients') await runClients()
else await runServer()

async function runServer(): Promise<void> {
  const { hashAgentToken } = await import('../src/crm/agent-token.repository.js')
  const { DEMO_LINES } = await import('../src/crm/demo-data.js')

  const clients = Number(values.clients)
  const callCount = Number(values.calls)
  const rate = Number(values.rate)
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) console.log('(run with node --expose-gc for memory figures after garbage collection)')
  const fdLimit = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()
  console.log(`ulimit -n ${fdLimit}; ${clients} clients need about ${clients + 200} descriptors in each process`)
  if (Number(fdLimit) < clients + 200) throw new Error(`raise the descriptor limit first: ulimit -n ${clients + 1000}`)

  const { app, base, now, stop } = await startDemoServer({ WRAP_UP_SECONDS: '0' })
  const { db } = app.database

  // Bench agents straight into the database (with their token hashes), spread over the demo teams
  // with product and language skills, so every rule's steps can reach them.
  const TEAMS = ['sales', 'sales', 'support', 'vip-desk', 'collections']
  const PRODUCTS = ['product:crm', 'product:telephony', 'product:analytics']
  const tokens: [string, string][] = []
  for (let from = 0; from < clients; from += 500) {
    const rows = []
    const skills = []
    for (let i = from; i < Math.min(clients, from + 500); i++) {
      const id = `b-${String(i).padStart(5, '0')}`
      const token = randomBytes(32).toString('base64url')
      tokens.push([id, token])
      rows.push({ id, name: `Bench ${i}`, extension: String(10_000 + i), sip_uri: null, team_id: TEAMS[i % TEAMS.length]!, token_hash: hashAgentToken(token) })
      skills.push(
        { agent_id: id, skill_id: PRODUCTS[i % 3]!, proficiency: 5 + (i % 6) },
        { agent_id: id, skill_id: PRODUCTS[(i + 1) % 3]!, proficiency: 3 + (i % 5) },
        { agent_id: id, skill_id: 'lang:ru', proficiency: 8 }
      )
    }
    await db.insertInto('agents').values(rows).execute()
    await db.insertInto('agent_skills').values(skills).execute()
  }
  await app.migrateAndLoad()
  const at = app.agents.size
  for (const [id] of tokens) app.agents.setAgentState(id, 'available', now())
  // The demo agents are away: the calls go to the bench agents, who have pages open.
  for (const view of app.agents.snapshot()) if (!view.profile.id.startsWith('b-')) app.agents.setAgentState(view.profile.id, 'away', now())
  console.log(`server on ${base} (${app.database.kind}): demo data and ${clients} bench agents loaded (${at} agents indexed)`)

  // Known callers: the demo customers who are neither blocked nor VIP-owned only by demo agents — any will do,
  // the rules route them on to bench agents; new callers are numbers nobody has.
  const phones = await db
    .selectFrom('customer_phones')
    .innerJoin('customers', 'customers.id', 'customer_phones.customer_id')
    .select('customer_phones.phone')
    .where('customers.blocked', '=', false)
    .execute()
  const lines = [DEMO_LINES.springCrm, DEMO_LINES.telephonyLaunch, DEMO_LINES.website]
  const calls: Call[] = []
  for (let i = 0; i < callCount; i++) {
    const known = i % 2 === 0
    const caller = known ? phones[(i * 7919) % phones.length]!.phone : `+7916${String(1_000_000 + i).padStart(7, '0')}`
    calls.push({ callId: `bench-${i}`, caller, dialed: lines[i % lines.length]!, known })
  }

  const decided = new Map<string, number>()
  app.interactions.onEvent((event) => {
    if (event.type === 'offered') decided.set(`${event.callId}|${event.agentId}`, wallMs())
  })

  const before = await settledMemory()
  const child = fork(fileURLToPath(import.meta.url), ['--role', 'clients'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const messages: FromClients[] = []
  let wake: () => void = () => undefined
  child.on('message', (m: FromClients) => (messages.push(m), wake()))
  const next = async <T extends FromClients['type']>(type: T): Promise<Extract<FromClients, { type: T }>> => {
    for (;;) {
      const found = messages.find((m) => m.type === type)
      if (found) return found as Extract<FromClients, { type: T }>
      await new Promise<void>((resolve) => (wake = resolve))
    }
  }
  child.send({ type: 'start', base, tokens, calls, rate } satisfies ToClients)

  const connected = await next('connected')
  const after = await settledMemory()
  let subscribed = 0
  for (const [id] of tokens) subscribed += app.screenPops.subscribers(id)
  console.log(`${connected.clients} pages connected in ${(connected.ms / 1000).toFixed(1)} s; ${subscribed} subscriptions on the server`)
  console.log(
    `server memory per connection: RSS ${formatBytes((after.rss - before.rss) / clients)}, heap ${formatBytes((after.heapUsed - before.heapUsed) / clients)} ` +
      `external ${formatBytes((after.external - before.external) / clients)} (RSS ${formatBytes(before.rss)} → ${formatBytes(after.rss)}); client process RSS ${formatBytes(connected.rss)} (${formatBytes(connected.rss / clients)} per client)`
  )

  const done = await next('done')
  const all: number[] = []
  const byKind = { known: [] as number[], lead: [] as number[] }
  const knownCall = new Set(calls.filter((c) => c.known).map((c) => c.callId))
  for (const [key, arrived] of done.arrivals) {
    const at = decided.get(key)
    if (at === undefined) continue
    const ms = arrived - at
    all.push(ms)
    byKind[knownCall.has(key.split('|')[0]!) ? 'known' : 'lead'].push(ms)
  }
  console.log(`${calls.length} calls placed in ${(done.elapsedMs / 1000).toFixed(1)} s (${Math.round(calls.length / (done.elapsedMs / 1000))} calls/s), ${done.routeErrors} route errors; ${decided.size} offers, ${done.arrivals.length} cards arrived`)
  report('routing decision → card at the page (all)', all)
  report('  known customers (card with history)', byKind.known)
  report('  new leads', byKind.lead)
  console.log(`server RSS at the end ${formatBytes(process.memoryUsage().rss)}`)

  child.kill()
  await stop()
}

/** Memory after the process has been idle a moment and collected twice (without --expose-gc: as it is). */
async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc
  for (let i = 0; i < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300))
    gc?.()
  }
  return process.memoryUsage()
}

function report(name: string, samplesMs: number[]): void {
  const sorted = Float64Array.from(samplesMs).sort()
  const f = (p: number) => `${percentile(sorted, p).toFixed(2).padStart(7)} ms`
  console.log(`${name.padEnd(44)} n=${String(sorted.length).padStart(6)}  p50 ${f(50)}  p90 ${f(90)}  p99 ${f(99)}  max ${f(100)}`)
}

/** The child: opens the pages, places the calls at the given rate, ends each call when its card arrives. */
async function runClients(): Promise<void> {
  const { default: WebSocket } = await import('ws')
  const start = await new Promise<ToClients>((resolve) => process.once('message', resolve))
  const { base, tokens, calls, rate } = start
  const wsBase = base.replace(/^http/, 'ws')
  const arrivals: [string, number][] = []
  const ended = new Set<string>()
  const sockets: InstanceType<typeof WebSocket>[] = []

  const open = (agentId: string, token: string) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(`${wsBase}/v1/agents/socket`, ['screenpop.v1'], { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false })
      socket.on('message', (data) => {
        const arrived = wallMs()
        const message = JSON.parse(data.toString()) as { type: string; callId?: string }
        if (message.type !== 'card') return
        arrivals.push([`${message.callId}|${agentId}`, arrived])
        if (!ended.has(message.callId!)) {
          ended.add(message.callId!)
          void post(`/v1/interactions/${message.callId}/ended`, undefined)
        }
      })
      socket.once('open', () => resolve())
      socket.once('error', reject)
      sockets.push(socket)
    })

  const connectStart = Date.now()
  for (let i = 0; i < tokens.length; i += 200) await Promise.all(tokens.slice(i, i + 200).map(([id, token]) => open(id, token)))
  process.send!({ type: 'connected', clients: sockets.length, ms: Date.now() - connectStart, rss: process.memoryUsage().rss } satisfies FromClients)
  await new Promise((resolve) => setTimeout(resolve, 1500))

  // Open loop: calls are placed on schedule whatever the answers, at most 256 unanswered.
  let routeErrors = 0
  let inFlight = 0
  let placed = 0
  const began = Date.now()
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(calls.length, Math.floor(((Date.now() - began) / 1000) * rate) + 1)
      while (placed < due && inFlight < 256) {
        const call = calls[placed++]!
        inFlight++
        void post('/v1/route', { caller: call.caller, dialed: call.dialed, callId: call.callId })
          .then((ok) => void (ok || routeErrors++))
          .finally(() => inFlight--)
      }
      if (placed < calls.length) setTimeout(tick, 2)
      else resolve()
    }
    tick()
  })
  const elapsedMs = Date.now() - began
  // Let the last cards arrive.
  const deadline = Date.now() + 10_000
  while (arrivals.length < calls.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  process.send!({ type: 'done', arrivals, routeErrors, elapsedMs } satisfies FromClients)
  for (const socket of sockets) socket.terminate()

  async function post(path: string, body: unknown): Promise<boolean> {
    try {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body)
      })
      const text = await response.text()
      if (!response.ok && process.env.BENCH_DEBUG) console.error(path, response.status, text.slice(0, 200))
      return response.ok
    } catch (err) {
      if (process.env.BENCH_DEBUG) console.error(path, err)
      return false
    }
  }
}
