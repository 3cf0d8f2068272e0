/**
 * The wallboard under load: 10,000 agents in 20 teams changing state at 500 changes/s while
 * 200 calls/s are routed, answered and ended, with 50 boards connected (10 for the whole floor,
 * 40 team leads of two teams each) in a process of their own. Prints p50/p99 from a change to
 * the board's message, throughput, and the server's CPU per change with the boards connected
 * and, for comparison, without any (the difference is the wallboard's own cost).
 *
 * Run: npm run bench:wallboard  (options: --seconds 20 --agents 10000 --changes 500 --calls 200 --boards 50)
 * Needs the test PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test); works in a schema of its own.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import pg from 'pg'
import pino from 'pino'
import { App } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { childEnv } from '../test/helpers/child-env.js'
import { formatBytes } from './stats.js'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, agents: { type: 'string', default: '10000' }, changes: { type: 'string', default: '500' }, calls: { type: 'string', default: '200' }, boards: { type: 'string', default: '50' } } })
const [SECONDS, AGENTS, CHANGES, CALLS, BOARDS] = [values.seconds, values.agents, values.changes, values.calls, values.boards].map(Number) as [number, number, number, number, number]
const TEAMS = 20
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const ADMIN_TOKEN = 'bench-admin-token'
const team = (i: number) => `t${String(i % TEAMS).padStart(2, '0')}`

// A fresh schema and rules that ring any agent of the floor.
const schema = `bench_${randomBytes(4).toString('hex')}`
const admin = new pg.Client({ connectionString: DATABASE_URL })
await admin.connect()
await admin.query(`create schema ${schema}`)
try {
const rulesDir = await mkdtemp(join(tmpdir(), 'cti-wallboard-rules-'))
await writeFile(join(rulesDir, 'rules.yaml'), 'rules:\n  - name: everyone\n    route:\n      - skills: { floor: 1 }\n        strategy: longest-idle\n        ring: 10m\n    otherwise:\n      queue: floor\n')
await writeFile(join(rulesDir, 'catalog.yaml'), 'skills: [floor]\n')
await writeFile(join(rulesDir, 'calendar.yaml'), 'calendar:\n  timezone: Europe/Moscow\n  hours:\n    mon-sun: 00:00-24:00\n')
const config = loadConfig({ DATABASE_URL, RULES_DIR: rulesDir, RULES_WATCH: 'false', LOG_LEVEL: 'silent', WRAP_UP_SECONDS: '2', PORT: '1', ADMIN_TOKEN })
const app = await App.create({ config: { ...config, PORT: 0 }, logger: pino({ level: 'silent' }), dbSchema: schema })
await app.prepare()
await app.server.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.server.address()
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

// 10,000 agents in 20 teams, written in bulk and loaded, all available.
const db = app.database.db
await db.insertInto('teams').values(Array.from({ length: TEAMS }, (_, i) => ({ id: team(i), name: team(i) }))).execute()
await db.insertInto('skills').values({ id: 'floor', description: null }).execute()
for (let from = 0; from < AGENTS; from += 2000) {
  const ids = Array.from({ length: Math.min(2000, AGENTS - from) }, (_, k) => from + k)
  await db.insertInto('agents').values(ids.map((i) => ({ id: `a${i}`, name: `Agent ${i}`, sip_uri: `sip:a${i}@pbx.test`, team_id: team(i), capacity: 1 }))).execute()
  await db.insertInto('agent_skills').values(ids.map((i) => ({ agent_id: `a${i}`, skill_id: 'floor', proficiency: 5 }))).execute()
}
await app.migrateAndLoad()
const ids = Array.from({ length: AGENTS }, (_, i) => `a${i}`)
for (const id of ids) app.agentStates.setState(id, 'available', Date.now())

// 50 boards: a fifth see the whole floor, the others are leads of two teams each.
const tokens: string[] = []
for (let i = 0; i < BOARDS; i++) {
  if (i % 5 === 0) {
    tokens.push(ADMIN_TOKEN)
    continue
  }
  const id = `lead-${i}`
  await post(`/v1/supervisors`, { id, name: `Lead ${i}`, teams: [team(i), team(i + 1)] })
  tokens.push((await post(`/v1/supervisors/${id}/token`)).token)
}

async function post(path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined })
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`)
  return response.json()
}

let seed = 7
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
let callSeq = 0

/** Drives the load for `seconds`; resolves with the changes made and the server's CPU time (µs) meanwhile. */
async function drive(seconds: number): Promise<{ changes: number; calls: number; cpuUs: number; wallMs: number }> {
  let changes = 0
  let calls = 0
  const start = Date.now()
  const cpu = process.cpuUsage()
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = (Date.now() - start) / 1000
      if (elapsed >= seconds) {
        clearInterval(timer)
        return resolve()
      }
      while (changes < elapsed * CHANGES) {
        const id = ids[Math.floor(random() * ids.length)]!
        const status = app.agents.get(id)!.state.status
        if (status !== 'available' && status !== 'away') continue
        app.agentStates.setState(id, status === 'away' ? 'available' : 'away', Date.now())
        changes++
      }
      while (calls < elapsed * CALLS) {
        calls++
        const callId = `wb-${++callSeq}`
        void app.interactions.route({ caller: `+7916${String(1_000_000 + (callSeq % 1000))}`, dialed: null, callId, channel: 'http', ringTimer: false }).then((routed) => {
          const agentId = routed.decision.targets[0]?.agentId
          setTimeout(() => agentId && app.interactions.answered(callId, agentId), 200)
          setTimeout(() => app.interactions.ended(callId), 2000)
        })
      }
    }, 5)
  })
  const used = process.cpuUsage(cpu)
  return { changes, calls, cpuUs: used.user + used.system, wallMs: Date.now() - start }
}

console.log(`${new Date().toISOString()}  load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}  ${AGENTS} agents, ${CHANGES} changes/s, ${CALLS} calls/s, ${BOARDS} boards, ${SECONDS} s each run`)
const clients = spawn(process.execPath, ['--import', 'tsx', new URL('./wallboard-clients.ts', import.meta.url).pathname, base.replace('http', 'ws'), ...tokens], { env: childEnv(), stdio: ['ignore', 'pipe', 'inherit'] })
const lines = createInterface({ input: clients.stdout! })
const nextLine = () => new Promise<any>((resolve) => lines.once('line', (line) => resolve(JSON.parse(line))))
await nextLine()
const withBoards = await drive(SECONDS)
const heap = process.memoryUsage()
clients.kill('SIGTERM')
const result = await nextLine()
await new Promise((resolve) => setTimeout(resolve, 3000))
const withoutBoards = await drive(SECONDS)

const perChange = (run: typeof withBoards) => run.cpuUs / (run.changes + run.calls * 3)
console.log(`change → board message          n=${result.count}  p50 ${result.p50} ms  p99 ${result.p99} ms  max ${result.max} ms`)
console.log(`load driven                      ${(withBoards.changes / (withBoards.wallMs / 1000)).toFixed(0)} state changes/s, ${(withBoards.calls / (withBoards.wallMs / 1000)).toFixed(0)} calls/s (each routed, answered, ended)`)
console.log(`sent to the boards               ${result.messages} messages, ${formatBytes(result.bytes / (withBoards.wallMs / 1000))}/s in all, ${result.reconnects} reconnections`)
console.log(`server CPU with ${BOARDS} boards        ${perChange(withBoards).toFixed(1)} µs per change (${((withBoards.cpuUs / withBoards.wallMs) / 10).toFixed(0)} % of a core)`)
console.log(`server CPU without boards        ${perChange(withoutBoards).toFixed(1)} µs per change (${((withoutBoards.cpuUs / withoutBoards.wallMs) / 10).toFixed(0)} % of a core)`)
console.log(`the wallboard's own cost         ${(perChange(withBoards) - perChange(withoutBoards)).toFixed(1)} µs per change`)
console.log(`server memory                    heap ${formatBytes(heap.heapUsed)}, rss ${formatBytes(heap.rss)}`)
console.log(`${new Date().toISOString()}  load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
await app.stop()
await rm(rulesDir, { recursive: true, force: true })
} finally {
  // The schema goes whatever happened: a failed run leaves nothing behind.
  await admin.query(`drop schema ${schema} cascade`)
  await admin.end()
}
