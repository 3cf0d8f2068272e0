/**
 * The wallboards of bench/wallboard.bench.ts, in a process of their own so that
 * their work is not counted as the server's: opens one socket per token, and for
 * every agent state change and every answered call in a delta records the time
 * from the change (the server's `since` / `answeredAt`) to the message's arrival.
 * Prints one JSON line when it gets SIGTERM.
 *
 * Run by the benchmark: node --import tsx bench/wallboard-clients.ts <ws-url> <token>…
 */
import WebSocket from 'ws'

const [url, ...tokens] = process.argv.slice(2)
if (!url || tokens.length === 0) throw new Error('usage: wallboard-clients.ts <ws-url> <token>…')

const latencies: number[] = []
let messages = 0
let bytes = 0
let connected = 0
const sockets: WebSocket[] = []
const openedAt = Date.now()

let reconnects = 0
let stopping = false
const ready = new Set<number>()

/** One board; reconnects (a fresh snapshot) when the server asks it to try again later. */
function open(index: number, token: string): void {
  const socket = new WebSocket(`${url}/v1/wallboard/socket?token=${encodeURIComponent(token)}`, { perMessageDeflate: false })
  sockets[index] = socket
  socket.on('message', (data: Buffer) => {
    const received = Date.now()
    messages++
    bytes += data.length
    const message = JSON.parse(data.toString())
    if (message.type === 'snapshot') {
      ready.add(index)
      if (ready.size === tokens.length && connected++ === 0) process.stdout.write(JSON.stringify({ ready: true }) + '\n')
      return
    }
    for (const agent of message.agents) if (agent.since > openedAt && (agent.status === 'away' || agent.status === 'available')) latencies.push(received - agent.since)
    for (const call of message.calls) if (call.phase === 'talking' && call.answeredAt > openedAt) latencies.push(received - call.answeredAt)
  })
  socket.on('close', (code) => {
    if (stopping) return
    reconnects++
    process.stderr.write(`board ${index} closed ${code}; reconnecting\n`)
    setTimeout(() => open(index, token), 200)
  })
}

tokens.forEach((token, i) => open(i, token))

process.on('SIGTERM', () => {
  stopping = true
  for (const socket of sockets) socket.close(1000)
  const sorted = Float64Array.from(latencies).sort()
  const at = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!)
  const summary = { count: sorted.length, p50: at(50), p99: at(99), max: sorted[sorted.length - 1] ?? NaN, messages, bytes, reconnects }
  // Exit once the line is written: a pipe takes it asynchronously.
  process.stdout.write(JSON.stringify(summary) + '\n', () => process.exit(0))
})
