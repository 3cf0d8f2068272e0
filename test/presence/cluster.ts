import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Redis } from 'ioredis'
import type { Test } from 'tap'
import { childEnv } from '../helpers/child-env.js'
import { freshSchema, request, TEST_DATABASE_URL } from '../helpers/test-app.js'

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const SERVER = new URL('./server-process.ts', import.meta.url).pathname

/** One server process of a test: its URL, and how to stop or kill it. */
export interface ServerProcess {
  url: string
  child: ChildProcess
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>
  /** SIGKILL: the process dies without releasing anything. */
  kill(): Promise<void>
}

/** What the processes of one test share: a database schema, a Redis key prefix, a rules directory. */
export interface ClusterSetup {
  schema: string
  prefix: string
  rulesDir: string
  redisUrl: string
}

/**
 * Rules for the tests: every call to the "floor" team, longest idle first, ringing long enough never
 * to time out during a test; a call nobody can take ends at once (voicemail), as these tests expect.
 */
const RULES = `rules:
  - name: everyone
    route:
      - team: floor
        strategy: longest-idle
        ring: 10m
    otherwise:
      voicemail:
`

/** The same floor, where a call nobody can take waits in queue "floor" instead. */
export const QUEUE_RULES = RULES.replace('      voicemail:\n', '      queue: floor\n')

/** A fresh schema, a fresh key prefix (its keys deleted at teardown) and the test rules. */
export async function clusterSetup(t: Test, redisUrl = TEST_REDIS_URL, rules = RULES): Promise<ClusterSetup> {
  const schema = await freshSchema(t)
  const prefix = `cti-test-${randomBytes(4).toString('hex')}:`
  const rulesDir = await mkdtemp(join(tmpdir(), 'cti-rules-'))
  await writeFile(join(rulesDir, 'rules.yaml'), rules)
  await writeFile(join(rulesDir, 'catalog.yaml'), 'teams: [floor]\n')
  await writeFile(join(rulesDir, 'calendar.yaml'), 'calendar:\n  timezone: UTC\n  hours:\n    mon-fri: 09:00-19:00\n')
  t.teardown(() => deleteKeys(prefix))
  t.teardown(() => rm(rulesDir, { recursive: true, force: true }))
  return { schema, prefix, rulesDir, redisUrl }
}

/** Deletes every key of a prefix from the test Redis. */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await redis.del(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}

/** Starts one server process on the setup; stopped at teardown. */
export async function startServer(t: Test, setup: ClusterSetup, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: childEnv({
      DATABASE_URL: TEST_DATABASE_URL,
      TEST_DB_SCHEMA: setup.schema,
      REDIS_URL: setup.redisUrl,
      REDIS_KEY_PREFIX: setup.prefix,
      RULES_DIR: setup.rulesDir,
      RULES_WATCH: 'false',
      WRAP_UP_SECONDS: '0',
      ...env
    }),
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`server process exited with ${code} before listening`)))
  })
  const server: ServerProcess = {
    url: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    }
  }
  t.teardown(() => server.stop())
  return server
}

/** Creates agents of the "floor" team through one process and makes them available. */
export async function addAgents(url: string, agents: readonly { id: string; capacity: number }[]): Promise<void> {
  for (const agent of agents) {
    const put = await request(`${url}/v1/agents/${agent.id}`, { method: 'PUT', body: { name: agent.id, sipUri: `sip:${agent.id}@pbx.test`, team: 'floor', capacity: agent.capacity } })
    if (put.status !== 200) throw new Error(`agent ${agent.id}: ${JSON.stringify(put.body)}`)
  }
  for (const agent of agents) {
    const set = await request(`${url}/v1/agents/${agent.id}/state`, { method: 'PUT', body: { state: 'available' } })
    if (set.status !== 200) throw new Error(`agent ${agent.id} state: ${JSON.stringify(set.body)}`)
  }
}

/** Polls until `check` holds (the processes converge asynchronously), or fails after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what} did not hold within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
