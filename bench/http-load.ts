/**
 * The client side of the HTTP call benchmark, in a process of its own so that
 * it does not share the server's event loop: each call is POST /v1/route, then
 * POST /v1/interactions/:callId/ended with how it went, over keep-alive
 * connections, a given number of calls in flight (closed loop) or started at
 * a given rate (open loop).
 *
 * Spoken to over IPC by bench/route-http.bench.ts:
 *   ← { type: 'run', phase: HttpPhase }   → { type: 'result', result: HttpResult }
 *   ← { type: 'stop' }
 */
import { Agent, request } from 'node:http'

export interface HttpPhase {
  name: string
  base: string
  calls: number
  /** Calls outstanding at once (closed loop), or… */
  inFlight: number
  /** …when set, calls started at this rate per second whatever is outstanding (open loop). */
  rate?: number
  /** Numbers of known customers; the rest of the calls come from numbers never seen before (each a new lead). */
  known: string[]
  knownShare: number
  lines: string[]
  /** Share of calls that end unanswered (each a call-back task; an answered one closes its caller's). */
  missedShare: number
  /** Prefix of call ids and new numbers, unique per run. */
  prefix: string
}

export interface HttpResult {
  name: string
  calls: number
  /** Per call, ns from the route request written to the ended answer read. */
  callNs: number[]
  /** Per route request alone. */
  routeNs: number[]
  seconds: number
  cpuUs: number
  statuses: Record<string, number>
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 })

function post(base: string, path: string, body: unknown): Promise<number> {
  const payload = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(payload)
  })
}

let sequence = 0

export async function runPhase(phase: HttpPhase): Promise<HttpResult> {
  const callNs: number[] = []
  const routeNs: number[] = []
  const statuses: Record<string, number> = {}
  const count = (key: string) => (statuses[key] = (statuses[key] ?? 0) + 1)
  const call = async () => {
    const n = ++sequence
    const callId = `${phase.prefix}-${n}`
    const known = Math.random() < phase.knownShare
    const caller = known ? phase.known[Math.floor(Math.random() * phase.known.length)]! : `+7903${phase.prefix.length % 10}${String(n).padStart(6, '0')}`
    const dialed = phase.lines[n % phase.lines.length]!
    const t0 = process.hrtime.bigint()
    const routed = await post(phase.base, '/v1/route', { caller, dialed, callId })
    routeNs.push(Number(process.hrtime.bigint() - t0))
    count(`route ${routed}`)
    const outcome = Math.random() < phase.missedShare ? 'missed' : 'answered'
    const ended = await post(phase.base, `/v1/interactions/${encodeURIComponent(callId)}/ended`, { outcome })
    callNs.push(Number(process.hrtime.bigint() - t0))
    count(`ended ${ended}`)
  }
  const cpu = process.cpuUsage()
  const started = performance.now()
  if (phase.rate) {
    const pending: Promise<void>[] = []
    const intervalMs = 1000 / phase.rate
    for (let i = 0; i < phase.calls; i++) {
      const due = started + i * intervalMs
      const wait = due - performance.now()
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
      pending.push(call().catch(() => void count('error')))
    }
    await Promise.all(pending)
  } else {
    let next = 0
    const worker = async () => {
      while (next++ < phase.calls) await call().catch(() => void count('error'))
    }
    await Promise.all(Array.from({ length: phase.inFlight }, worker))
  }
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  return { name: phase.name, calls: callNs.length, callNs, routeNs, seconds, cpuUs: used.user + used.system, statuses }
}

if (process.send) {
  process.on('message', (message: { type: 'run'; phase: HttpPhase } | { type: 'stop' }) => {
    if (message.type === 'stop') process.exit(0)
    else void runPhase(message.phase).then((result) => process.send!({ type: 'result', result }))
  })
  process.send({ type: 'ready' })
}
