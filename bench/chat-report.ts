// What `npm run bench:chat` prints: a table for people, then one JSON line for scripts.
import { percentile } from './stats.js'
import type { TrafficResult } from './chat-traffic.js'

export interface ChatBenchResult {
  date: string
  loadAverage: { atStart: string; atEnd: string }
  node: string
  processes: string[]
  agents: number
  chatCapacity: number
  visitors: number
  chats: { opened: number; waitedFirst: number; notOpened: number; crossProcess: number; doubleAssignments: number; seconds: number; firstFailure: string | null }
  traffic: TrafficResult
  rate: number
  /** Per process, CPU seconds over the traffic's window, and over the settle window before it (idle, chats open). */
  cpu: { seconds: number[]; idlePerSecond: number[] }
  memory: { rssBefore: number[]; rssAfter: number[]; redisBefore: number; redisAfter: number }
}

const TARGET_P99_MS = 100

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : '—')
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`
const n = (v: number) => v.toLocaleString('en-US')
const perSecond = (count: number, seconds: number) => (seconds > 0 ? `${(count / seconds).toFixed(1)}/s` : '—')

function spread(sorted: Float64Array): { p50: number; p99: number; max: number } {
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.length === 0 ? NaN : sorted[sorted.length - 1]! }
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  return rows.map((r) => `  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ')}`).join('\n')
}

/** Prints the result and says whether the run failed (messages lost or misdelivered, chats not opened, a chat given twice). */
export function report(r: ChatBenchResult): boolean {
  const t = r.traffic
  const all = spread(t.latencies.all)
  const toAgent = spread(t.latencies.toAgent)
  const toVisitor = spread(t.latencies.toVisitor)
  const seconds = t.seconds
  const perChat = (delta: number) => (r.chats.opened === 0 ? NaN : delta / r.chats.opened)
  const rssDelta = r.memory.rssAfter.map((after, i) => after - r.memory.rssBefore[i]!)
  const rssTotal = rssDelta.reduce((a, b) => a + b, 0)
  const cpuPerMessage = r.cpu.seconds.map((s) => (t.sent === 0 ? NaN : (s * 1000) / t.sent))
  const cpuNet = r.cpu.seconds.map((s, i) => (t.sent === 0 ? NaN : ((s - r.cpu.idlePerSecond[i]! * seconds) * 1000) / t.sent))
  const met = all.p99 <= TARGET_P99_MS

  console.log(`web chat over ${r.processes.length} processes (one PostgreSQL schema, one Redis), ${r.date}, load average ${r.loadAverage.atStart} → ${r.loadAverage.atEnd}, Node ${r.node}`)
  console.log(`${n(r.agents)} agents × ${r.chatCapacity} chats, ${n(r.visitors)} visitors; ${r.rate} messages/s for ${t.sendSeconds.toFixed(1)} s, alternately visitor → agent and agent → visitor`)
  console.log(
    table([
      ['', 'result'],
      ['chats opened', `${n(r.chats.opened)} of ${n(r.visitors)} in ${r.chats.seconds.toFixed(1)} s`],
      ['  waited a moment first', n(r.chats.waitedFirst)],
      ['  visitor on the other process', `${n(r.chats.crossProcess)} of ${n(r.chats.opened)}`],
      ['  given to two agents', n(r.chats.doubleAssignments)],
      ['messages sent', `${n(t.sent)} (${perSecond(t.sent, t.sendSeconds)})`],
      ['messages shown on the other side', `${n(t.delivered)} (${perSecond(t.delivered, seconds)})`],
      ['messages lost', n(t.lost)],
      ['  shown twice / on a wrong socket', `${n(t.duplicates)} / ${n(t.misdelivered)}`],
      ['  refused by the server', Object.keys(t.errors).length === 0 ? '0' : Object.entries(t.errors).map(([code, count]) => `${code} ×${count}`).join(', ')],
      ['  sockets closed by the server', n(t.socketsClosed)],
      ['sent → shown, all  p50 / p99 / max', `${ms(all.p50)} / ${ms(all.p99)} / ${ms(all.max)}`],
      ['  visitor → agent  p50 / p99 / max', `${ms(toAgent.p50)} / ${ms(toAgent.p99)} / ${ms(toAgent.max)}`],
      ['  agent → visitor  p50 / p99 / max', `${ms(toVisitor.p50)} / ${ms(toVisitor.p99)} / ${ms(toVisitor.max)}`],
      [`target p99 ≤ ${TARGET_P99_MS} ms`, met ? 'met' : 'MISSED'],
      ['Redis used_memory per open chat', kib(perChat(r.memory.redisAfter - r.memory.redisBefore))],
      ['RSS per open chat (all processes)', kib(perChat(rssTotal))]
    ])
  )
  console.log(
    table([
      ['process', 'CPU/message', 'idle CPU', 'CPU/message net of idle', 'RSS, no chat', 'RSS, chats open', 'per open chat'],
      ...r.processes.map((name, i) => [name, ms(cpuPerMessage[i]!), `${(r.cpu.idlePerSecond[i]! * 100).toFixed(1)} %`, ms(cpuNet[i]!), mib(r.memory.rssBefore[i]!), mib(r.memory.rssAfter[i]!), kib(perChat(rssDelta[i]!))])
    ])
  )
  const failed = r.chats.notOpened > 0 || t.lost > 0 || t.misdelivered > 0 || r.chats.doubleAssignments > 0
  if (r.chats.firstFailure) console.log(`  first chat not opened: ${r.chats.firstFailure}`)
  const round = (v: number, digits = 2) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null)
  console.log(
    JSON.stringify({
      bench: 'chat', date: r.date, loadAverage: r.loadAverage, node: r.node, processes: r.processes.length, agents: r.agents, chatCapacity: r.chatCapacity, visitors: r.visitors,
      chats: r.chats, rate: r.rate,
      messages: { sent: t.sent, delivered: t.delivered, lost: t.lost, duplicates: t.duplicates, misdelivered: t.misdelivered, errors: t.errors, socketsClosed: t.socketsClosed, sentPerSecond: t.sendSeconds > 0 ? round(t.sent / t.sendSeconds, 1) : null, deliveredPerSecond: seconds > 0 ? round(t.delivered / seconds, 1) : null },
      latencyMs: { all: mapValues(all, round), toAgent: mapValues(toAgent, round), toVisitor: mapValues(toVisitor, round) },
      targetP99Ms: TARGET_P99_MS, targetMet: met,
      cpuMsPerMessage: cpuPerMessage.map((v) => round(v, 3)), cpuMsPerMessageNetOfIdle: cpuNet.map((v) => round(v, 3)), idleCpuShare: r.cpu.idlePerSecond.map((v) => round(v, 3)),
      rssMiB: { before: r.memory.rssBefore.map((b) => round(b / 2 ** 20, 1)), after: r.memory.rssAfter.map((b) => round(b / 2 ** 20, 1)) },
      kibPerOpenChat: { rss: round(perChat(rssTotal) / 1024, 1), redis: round(perChat(r.memory.redisAfter - r.memory.redisBefore) / 1024, 1) },
      failed
    })
  )
  return failed
}

function mapValues<T extends Record<string, number>>(o: T, f: (v: number) => number | null): Record<keyof T, number | null> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) as Record<keyof T, number | null>
}
