// The measured part of `npm run bench:chat`: messages at a fixed rate over open chats, each pair a
// visitor's message and their agent's answer, each text carrying its id and its send time, timed
// to its arrival on the other side's socket (on the other process).
import type { BenchChat } from './chat-people.js'

export type Direction = 'toAgent' | 'toVisitor'

export interface TrafficResult {
  sent: number
  delivered: number
  /** Sent and never shown on the other side's socket within the drain. */
  lost: number
  /** Shown twice, or on a socket that is not the chat's. */
  duplicates: number
  misdelivered: number
  /** Milliseconds from send to arrival, ascending. */
  latencies: Record<Direction | 'all', Float64Array>
  /** Error codes the server answered a message with, and how often. */
  errors: Record<string, number>
  /** Seconds from the first send to the last one. */
  sendSeconds: number
  /** Seconds from the first send to the last arrival (or the end of the drain). */
  seconds: number
  /** Sockets the server closed during the run. */
  socketsClosed: number
}

const TAG = 'bench'
/** A stride coprime with any count of chats below it spreads consecutive pairs over every chat. */
const STRIDE = 7919

/** Sends `rate` messages a second for `seconds`, alternately visitor → agent and agent → visitor in the same chat. */
export async function driveMessages(chats: readonly BenchChat[], o: { rate: number; seconds: number; drainMs: number }): Promise<TrafficResult> {
  const pending = new Map<number, { chatId: string; direction: Direction }>()
  const seen = new Set<number>()
  const samples: Record<Direction, number[]> = { toAgent: [], toVisitor: [] }
  const errors: Record<string, number> = {}
  let duplicates = 0
  let misdelivered = 0
  let lastArrival = 0

  const arrived = (chatId: string, direction: Direction, text: unknown) => {
    if (typeof text !== 'string' || !text.startsWith(`${TAG} `)) return
    const at = process.hrtime.bigint()
    const [, id, sentNs] = text.split(' ')
    const n = Number(id)
    const expected = pending.get(n)
    if (!expected) {
      if (seen.has(n)) duplicates++
      return
    }
    if (expected.chatId !== chatId || expected.direction !== direction) {
      misdelivered++
      return
    }
    pending.delete(n)
    seen.add(n)
    samples[direction].push(Number(at - BigInt(sentNs!)) / 1e6)
    lastArrival = performance.now()
  }
  const failed = (m: any) => void (errors[m.code] = (errors[m.code] ?? 0) + 1)
  for (const chat of chats) {
    chat.visitor.handle = (m) => {
      if (m.type === 'message' && m.from === 'agent') arrived(chat.chatId, 'toVisitor', m.text)
      else if (m.type === 'error') failed(m)
    }
  }
  for (const agent of new Set(chats.map((c) => c.agent))) {
    const before = agent.handle
    agent.handle = (m) => {
      before(m)
      if (m.type === 'message' && m.from === 'visitor') arrived(m.chatId, 'toAgent', m.text)
      else if (m.type === 'error') failed(m)
    }
  }

  const send = (n: number) => {
    const chat = chats[(Math.floor(n / 2) * STRIDE) % chats.length]!
    const direction: Direction = n % 2 === 0 ? 'toAgent' : 'toVisitor'
    pending.set(n, { chatId: chat.chatId, direction })
    const text = `${TAG} ${n} ${process.hrtime.bigint()}`
    if (direction === 'toAgent') chat.visitor.socket.send(JSON.stringify({ type: 'message', clientId: `v${n}`, text }))
    else chat.agent.socket.send(JSON.stringify({ type: 'message', chatId: chat.chatId, clientId: `a${n}`, text }))
  }

  const total = chats.length === 0 ? 0 : o.rate * o.seconds
  const gapMs = 1000 / o.rate
  const started = performance.now()
  let sent = 0
  // Each message at its own time (started + n × gap); a late timer sends what is due at once.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - started) / gapMs) + 1)
      while (sent < due) send(sent++)
      if (sent >= total) return resolve()
      setTimeout(tick, Math.max(0, started + sent * gapMs - performance.now()))
    }
    tick()
  })
  const sendSeconds = (performance.now() - started) / 1000
  const drainUntil = performance.now() + o.drainMs
  while (pending.size > 0 && performance.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 10))

  const sorted = (values: number[]) => Float64Array.from(values).sort()
  const sockets = chats.flatMap((c) => [c.visitor, c.agent])
  return {
    sent,
    delivered: seen.size,
    lost: pending.size,
    duplicates,
    misdelivered,
    latencies: { toAgent: sorted(samples.toAgent), toVisitor: sorted(samples.toVisitor), all: sorted([...samples.toAgent, ...samples.toVisitor]) },
    errors,
    sendSeconds,
    seconds: ((pending.size === 0 ? lastArrival : performance.now()) - started) / 1000,
    socketsClosed: new Set(sockets.filter((p) => p.closed)).size
  }
}
