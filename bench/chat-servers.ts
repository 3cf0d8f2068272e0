// The deployment `npm run bench:chat` measures: server processes on one PostgreSQL schema and one
// Redis key prefix (fresh for the run), with the shipped rules whose chat site admits the bench's
// Origin and whose message limits do not throttle 2,000 visitors who all come from 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Redis } from 'ioredis'
import pg from 'pg'

const SHIPPED_RULES = new URL('../routing-rules/', import.meta.url).pathname
const SERVER_PROCESS = new URL('./redis-server-process.ts', import.meta.url).pathname

export interface ChatServer {
  /** A, B… */
  name: string
  url: string
  pid: number
  child: ChildProcess
}

export interface ChatDeployment {
  servers: ChatServer[]
  prefix: string
  /** Redis's used_memory now, in bytes (shared with whatever else uses this Redis). */
  redisMemoryBytes(): Promise<number>
  /** Stops the processes, then drops the schema, the Redis keys and the rules folder. */
  stop(): Promise<void>
}

/** A copy of routing-rules/ whose chat.yaml admits `origin` and takes the limits' maxima; fails when chat.yaml no longer has the lines it edits. */
export function benchRules(origin: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cti-bench-chat-'))
  for (const name of readdirSync(SHIPPED_RULES)) if (name.endsWith('.yaml')) copyFileSync(join(SHIPPED_RULES, name), join(dir, name))
  let chat = readFileSync(join(SHIPPED_RULES, 'chat.yaml'), 'utf8')
  const edits: [RegExp, string][] = [
    [/(demo: \{ origins: )\[[^\]]*\]/, `$1${JSON.stringify([origin])}`],
    // The maxima chat.yaml accepts (src/rules/chat-section.ts).
    [/messages per minute per visitor: \d+/, 'messages per minute per visitor: 10000'],
    [/per ip: \d+/, 'per ip: 100000']
  ]
  for (const [pattern, replacement] of edits) {
    if (!pattern.test(chat)) throw new Error(`routing-rules/chat.yaml has no ${pattern}: bench/chat-servers.ts needs updating`)
    chat = chat.replace(pattern, replacement)
  }
  writeFileSync(join(dir, 'chat.yaml'), chat)
  return dir
}

/** Starts `count` processes one after the other (the first applies the migrations), each on a free port. */
export async function startChatDeployment(o: { count: number; databaseUrl: string; redisUrl: string; origin: string }): Promise<ChatDeployment> {
  const schema = `bench_chat_${randomBytes(5).toString('hex')}`
  const prefix = `cti-bench-chat-${randomBytes(4).toString('hex')}:`
  const rulesDir = benchRules(o.origin)
  const admin = new pg.Client({ connectionString: o.databaseUrl })
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  const redis = new Redis(o.redisUrl)
  const env = { DATABASE_URL: o.databaseUrl, BENCH_DB_SCHEMA: schema, RULES_DIR: rulesDir, RULES_WATCH: 'false', LOG_LEVEL: 'silent', REDIS_URL: o.redisUrl, REDIS_KEY_PREFIX: prefix }
  const servers: ChatServer[] = []
  const stop = async () => {
    await Promise.all(servers.map((s) => stopProcess(s.child)))
    await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
    await deleteKeys(redis, prefix)
    redis.disconnect()
    rmSync(rulesDir, { recursive: true, force: true })
  }
  try {
    for (let i = 0; i < o.count; i++) servers.push(await startProcess(String.fromCharCode(65 + i), env))
  } catch (err) {
    await stop()
    throw err
  }
  const redisMemoryBytes = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? NaN)
  return { servers, prefix, redisMemoryBytes, stop }
}

async function startProcess(name: string, env: Record<string, string>): Promise<ChatServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_PROCESS], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`server ${name} exited with ${code} before listening`)))
  })
  return { name, url: `http://127.0.0.1:${port}`, pid: child.pid!, child }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) await redis.del(...keys)
  } while (cursor !== '0')
}
