// The web chat over two server processes sharing PostgreSQL and Redis: 2,000 visitors chatting with
// 200 agents, each visitor's socket on the other process than their agent's, 100 messages a second
// both ways. Prints p50/p99/max from a message sent to it shown on the other side, messages lost,
// CPU per message of each process, and memory per open chat. `npm run bench:chat`.
// Needs PostgreSQL (BENCH_DATABASE_URL) and Redis (BENCH_REDIS_URL).
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import pg from 'pg'
import WebSocket from 'ws'
import { percentile } from './stats.js'

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const VISITORS = Number(process.env.BENCH_VISITORS ?? 2000)
const AGENTS = Number(process.env.BENCH_AGENTS ?? 200)
const RATE = Number(process.env.BENCH_RATE ?? 100)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30)
const ORIGIN = 'http://bench.example'
const CLOCK_TICKS = 100

interface Server {
  url: string
  child: ChildProcess
}

function rulesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cti-bench-chat-'))
  const shipped = new URL('../routing-rules/', import.meta.url).pathname
  for (const name of readdirSync(shipped)) if (name.endsWith('.yaml')) copyFileSync(join(shipped, name), join(dir, name))
  const chat = readFileSync(join(shipped, 'chat.yaml'), 'utf8')
    .replace(/origins: \[[^\]]*\]/, `origins: ["${ORIGIN}"]`)
    .replace('messages per minute per visitor: 30', 'messages per minute per visitor: 10000')
    .replace('per ip: 120', 'per ip: 100000')
  writeFileSync(join(dir, 'chat.yaml'), chat)
  return dir
}

async function start(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./redis-server-process.ts', import.meta.url).pathname], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
  return { url: `http://127.0.0.1:${port}`, child }
}

async function send(method: string, url: string, body?: unknown): Promise<any> {
  const res = await fetch(url, { method, headers: { origin: ORIGIN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) })
  const answer = await res.json()
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(answer)}`)
  return answer
}

function open(address: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(address, { headers: { origin: ORIGIN } })
    socket.once('open', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** CPU seconds (user + system) of a process so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!
  return Number(line.split(/\s+/)[1]) / 1024
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map((item, j) => work(item, i + j)))
}

const schema = `bench_${randomBytes(5).toString('hex')}`
const db = new pg.Client({ connectionString: DATABASE_URL })
await db.connect()
await db.query(`create schema ${schema}`)
const env = { DATABASE_URL, BENCH_DB_SCHEMA: schema, RULES_DIR: rulesDir(), RULES_WATCH: 'false', LOG_LEVEL: 'silent', REDIS_URL, REDIS_KEY_PREFIX: `cti-bench-chat-${randomBytes(4).toString('hex')}:` }
const servers: Server[] = []
try {
  servers.push(await start(env))
  const [a] = servers as [Server]
  const agents = Array.from({ length: AGENTS }, (_, i) => ({ id: `chat-agent-${i}`, name: `Agent ${i}` }))
  await inBatches(agents, 20, async (agent, i) => {
    await send('PUT', `${a.url}/v1/agents/${agent.id}`, { name: agent.name, team: 'sales', extension: String(2000 + i), skills: { 'product:crm': 5 + (i % 5) }, chatCapacity: Math.ceil((VISITORS * 1.2) / AGENTS) })
  })
  servers.push(await start(env))
  const [, b] = servers as [Server, Server]
  const agentServer = (i: number) => servers[i % 2]!
  const byName = new Map(agents.map((agent, i) => [agent.name, i]))
  const pending = new Map<string, bigint>()
  const latencies: number[] = []
  const arrived = (text: string) => {
    const sentAt = pending.get(text)
    if (sentAt === undefined) return
    pending.delete(text)
    latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6)
  }
  const agentSockets: WebSocket[] = []
  await inBatches(agents, 20, async (agent, i) => {
    const server = agentServer(i)
    await send('PUT', `${server.url}/v1/agents/${agent.id}/state`, { state: 'available' })
    const { token } = await send('POST', `${server.url}/v1/agents/${agent.id}/token`)
    const socket = await open(`${server.url.replace('http', 'ws')}/v1/agents/chat-socket?token=${token}`)
    socket.on('message', (data) => {
      const m = JSON.parse(String(data))
      if (m.type === 'message' && m.from === 'visitor') arrived(m.text)
    })
    agentSockets[i] = socket
  })
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const rssBefore = servers.map((s) => rssMiB(s.child.pid!))

  const chats: { chatId: string; agent: number; visitor: WebSocket }[] = []
  let refused = 0
  let waited = 0
  const openStarted = performance.now()
  await inBatches(Array.from({ length: VISITORS }, (_, i) => i), 25, async (i) => {
    const server = servers[i % 2]!
    const pages = ['/demo/site', '/demo/site/crm', '/demo/site/crm/features']
    let visitorId: string | undefined
    for (const page of pages) visitorId = (await send('POST', `${server.url}/v1/chat/views`, { site: 'demo', ...(visitorId ? { visitorId } : {}), url: `${ORIGIN}${page}` })).visitorId
    const chat = await send('POST', `${server.url}/v1/chat/requests`, { site: 'demo', visitorId })
    let agent = chat.agent ? byName.get(chat.agent.name) : undefined
    // The visitor's socket on the other process than the agent's: every message crosses Redis.
    const other = servers[agent === undefined ? (i + 1) % 2 : (agent + 1) % 2]!
    const visitor = await open(`${other.url.replace('http', 'ws')}/v1/chat/socket?site=demo&visitorId=${visitorId}&chatId=${chat.chatId}&since=0`)
    visitor.on('message', (data) => {
      const m = JSON.parse(String(data))
      if (m.type === 'message' && m.from === 'agent') arrived(m.text)
    })
    if (agent === undefined) {
      // Two processes filled one agent's last slot at once: the chat waited a moment for the next round.
      waited++
      agent = await new Promise<number | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 10_000)
        visitor.on('message', (data) => {
          const m = JSON.parse(String(data))
          if ((m.type === 'state' || m.type === 'hello') && m.state === 'talking') {
            clearTimeout(timer)
            resolve(byName.get(m.agent.name))
          }
        })
      })
    }
    if (agent === undefined) {
      refused++
      visitor.close()
      return
    }
    chats.push({ chatId: chat.chatId, agent, visitor })
  })
  const openSeconds = (performance.now() - openStarted) / 1000
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const rssAfter = servers.map((s) => rssMiB(s.child.pid!))

  const cpuBefore = servers.map((s) => cpuSeconds(s.child.pid!))
  const total = RATE * SECONDS
  let sent = 0
  const started = performance.now()
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE))
      for (; sent < due; sent++) {
        const chat = chats[(sent * 7919) % chats.length]!
        const text = `m:${sent}`
        pending.set(text, process.hrtime.bigint())
        if (sent % 2 === 0) chat.visitor.send(JSON.stringify({ type: 'message', clientId: `c${sent}`, text }))
        else agentSockets[chat.agent]!.send(JSON.stringify({ type: 'message', chatId: chat.chatId, clientId: `c${sent}`, text }))
      }
      if (sent >= total) {
        clearInterval(timer)
        resolve()
      }
    }, 5)
  })
  await new Promise((resolve) => setTimeout(resolve, 3000))
  const cpu = servers.map((s, i) => cpuSeconds(s.child.pid!) - cpuBefore[i]!)
  const seconds = (performance.now() - started) / 1000 - 3
  const sorted = Float64Array.from(latencies).sort()
  const result = {
    date: new Date().toISOString(), loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    visitors: VISITORS, agents: AGENTS, chatsOpen: chats.length, chatsWaitedFirst: waited, chatsRefused: refused, openSeconds: Number(openSeconds.toFixed(1)),
    messagesSent: sent, messagesShown: latencies.length, messagesLost: pending.size, messagesPerSecond: Number((sent / seconds).toFixed(1)),
    p50Ms: Number(percentile(sorted, 50).toFixed(2)), p99Ms: Number(percentile(sorted, 99).toFixed(2)), maxMs: Number((sorted.at(-1) ?? NaN).toFixed(2)),
    cpuPerMessageMs: cpu.map((c) => Number(((c * 1000) / sent).toFixed(3))),
    rssMiB: { before: rssBefore.map((r) => Math.round(r)), after: rssAfter.map((r) => Math.round(r)) },
    kibPerOpenChat: Number((((rssAfter[0]! + rssAfter[1]! - rssBefore[0]! - rssBefore[1]!) * 1024) / Math.max(1, chats.length)).toFixed(1))
  }
  console.log(`web chat over two processes: ${result.chatsOpen} chats open (${result.chatsWaitedFirst} waited a moment first, ${result.chatsRefused} never answered) in ${result.openSeconds} s, ${AGENTS} agents, load average ${result.loadAverage}`)
  console.log(`  messages: ${result.messagesSent} sent at ${result.messagesPerSecond}/s, ${result.messagesShown} shown, ${result.messagesLost} lost`)
  console.log(`  sent → shown on the other process: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms (target p99 ≤ 100 ms: ${result.p99Ms <= 100 ? 'met' : 'missed'})`)
  console.log(`  CPU per message: A ${result.cpuPerMessageMs[0]} ms, B ${result.cpuPerMessageMs[1]} ms (both sides of the chat, Redis relay included)`)
  console.log(`  memory: RSS ${result.rssMiB.before.join(' + ')} MiB with no chat, ${result.rssMiB.after.join(' + ')} MiB with them: ${result.kibPerOpenChat} KiB per open chat`)
  console.log(JSON.stringify(result))
  for (const chat of chats) chat.visitor.close()
  for (const socket of agentSockets) socket.close()
  if (result.messagesLost > 0 || result.chatsRefused > 0) process.exitCode = 1
} finally {
  for (const server of servers) server.child.kill('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 1000))
  await db.query(`drop schema if exists ${schema} cascade`)
  await db.end()
}
