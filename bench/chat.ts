// The web chat across two server processes sharing one PostgreSQL schema and one Redis: 200 agents,
// their chat sockets half on each process; 2,000 visitors who each view a CRM page and ask for a
// chat, their socket on the other process than their agent's, so every message crosses Redis.
// Then a fixed rate of messages (100/s for 30 s), alternately visitor → agent and agent → visitor,
// timed from send to arrival on the other side's socket. Prints p50/p99/max, messages lost,
// throughput, CPU per message of each process (from /proc) and RSS per open chat; exits 1 when a
// message was lost or a chat could not be opened. Timings are reported, never asserted.
//
// `npm run bench:chat`. Needs PostgreSQL (BENCH_DATABASE_URL, default the local `test` database)
// and Redis (BENCH_REDIS_URL). BENCH_AGENTS (200), BENCH_CHAT_CAPACITY (12), BENCH_VISITORS (2000),
// BENCH_RATE (messages/s, 100), BENCH_SECONDS (30), BENCH_SETTLE_MS (pause before each memory
// reading, also the idle-CPU window, 3000), BENCH_DRAIN_MS (5000), BENCH_OPEN_CONCURRENCY (20),
// BENCH_ORIGIN (http://bench.example). The chat rules do not look at the business hours (chat.yaml),
// so the real clock serves at any hour.
import { readFileSync } from 'node:fs'
import { chatBenchSettings } from './chat-settings.js'
import { startChatDeployment } from './chat-servers.js'
import { ChatOwners, connectAgents, openChat, pool, type BenchChat } from './chat-people.js'
import { driveMessages } from './chat-traffic.js'
import { report } from './chat-report.js'
import { cpuSeconds, rssBytes } from './proc-usage.js'

const settings = chatBenchSettings(process.env)
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const atStart = loadAverage()
const date = new Date().toISOString()

const deployment = await startChatDeployment({ count: 2, databaseUrl: settings.databaseUrl, redisUrl: settings.redisUrl, origin: settings.origin })
const { servers } = deployment
const pids = servers.map((s) => s.pid)
let failed = true
try {
  const agents = await connectAgents(servers, { count: settings.agents, chatCapacity: settings.chatCapacity, concurrency: settings.openConcurrency })
  const owners = new ChatOwners()
  owners.listen(agents)
  await sleep(settings.settleMs)
  const rssBefore = pids.map(rssBytes)
  const redisBefore = await deployment.redisMemoryBytes()

  const chats: BenchChat[] = []
  let notOpened = 0
  let firstFailure: string | null = null
  const openStarted = performance.now()
  await pool(Array.from({ length: settings.visitors }, (_, i) => i), settings.openConcurrency, async (i) => {
    try {
      const chat = await openChat(servers, servers[i % servers.length]!, agents, owners, { origin: settings.origin, waitMs: 15_000 })
      if (chat) chats.push(chat)
      else {
        notOpened++
        firstFailure ??= 'no agent got the chat within 15 s'
      }
    } catch (err) {
      notOpened++
      firstFailure ??= String(err)
    }
  })
  const openSeconds = (performance.now() - openStarted) / 1000

  // The settle window doubles as the idle baseline: chats open, nothing said.
  const idleStart = pids.map(cpuSeconds)
  const idleStarted = performance.now()
  await sleep(settings.settleMs)
  const idleSeconds = (performance.now() - idleStarted) / 1000
  const idlePerSecond = pids.map((pid, i) => (idleSeconds > 0 ? (cpuSeconds(pid) - idleStart[i]!) / idleSeconds : 0))
  const rssAfter = pids.map(rssBytes)
  const redisAfter = await deployment.redisMemoryBytes()

  const cpuStart = pids.map(cpuSeconds)
  const traffic = await driveMessages(chats, settings)
  const cpu = pids.map((pid, i) => cpuSeconds(pid) - cpuStart[i]!)

  failed = report({
    date, loadAverage: { atStart, atEnd: loadAverage() }, node: process.versions.node, processes: servers.map((s) => s.name),
    agents: settings.agents, chatCapacity: settings.chatCapacity, visitors: settings.visitors, rate: settings.rate,
    chats: { opened: chats.length, waitedFirst: chats.filter((c) => c.waitedFirst).length, notOpened, crossProcess: chats.filter((c) => c.visitor.server !== c.agent.server).length, doubleAssignments: owners.doubles, seconds: openSeconds, firstFailure },
    traffic, cpu: { seconds: cpu, idlePerSecond }, memory: { rssBefore, rssAfter, redisBefore, redisAfter }
  })
  for (const peer of [...chats.map((c) => c.visitor), ...agents]) peer.socket.close()
} catch (err) {
  console.error('bench:chat did not run to the end:', err)
} finally {
  await deployment.stop()
}
process.exitCode = failed ? 1 : 0
