import { randomBytes } from 'node:crypto'
import pg from 'pg'
import pino from 'pino'
import type { Test } from 'tap'
import { App } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { openDatabase, type CrmDatabase } from '../../src/crm/database.js'
import { migrate } from '../../src/crm/migrate.js'

/** The real PostgreSQL the tests use (trust auth, database `test`). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const MIGRATIONS = new URL('../../sql/', import.meta.url).pathname

/** Creates an empty PostgreSQL schema for one test file and drops it at teardown. */
export async function freshSchema(t: Test, url = TEST_DATABASE_URL): Promise<string> {
  const schema = `t_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query(`create schema ${schema}`)
  await client.end()
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    await c.query(`drop schema if exists ${schema} cascade`)
    await c.end()
  })
  return schema
}

/** A migrated database in a fresh schema, closed at teardown. */
export async function testDatabase(t: Test): Promise<CrmDatabase> {
  const schema = await freshSchema(t)
  const database = await openDatabase({ url: TEST_DATABASE_URL, dataDir: '', poolSize: 4, timeoutMs: 2000, schema })
  await migrate(database.db, MIGRATIONS)
  t.teardown(() => database.close())
  return database
}

/** A whole server on real PostgreSQL in a fresh schema, listening on a random port; stopped at teardown. */
export async function testApp(t: Test, env: Record<string, string> = {}, options: { now?: () => number } = {}): Promise<{ app: App; url: string; config: Config }> {
  const schema = await freshSchema(t)
  const config = loadConfig({ DATABASE_URL: TEST_DATABASE_URL, PORT: '1', RULES_WATCH: 'false', ...env })
  const app = await App.create({ config: { ...config, PORT: 0 }, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), dbSchema: schema, now: options.now })
  t.teardown(() => app.stop())
  await app.prepare()
  await app.server.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { app, url: `http://127.0.0.1:${port}`, config }
}

/** fetch() a JSON endpoint and return status and parsed body. */
export async function request(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { ...init.headers }
  let body: string | undefined
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body)
    headers['content-type'] ??= 'application/json'
  }
  const response = await fetch(url, { method: init.method ?? 'GET', headers, body })
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // Not JSON (CSV, HTML): the test reads the text.
  }
  return { status: response.status, body: parsed }
}

/** Monday 23 Nov 2026, 11:00 in Moscow: inside the demo rules' business hours. */
export const MONDAY_11_MSK = Date.parse('2026-11-23T11:00:00+03:00')

/** A server on real PostgreSQL with the demo CRM loaded and its clock pinned to MONDAY_11_MSK. */
export async function testDemoApp(t: Test, env: Record<string, string> = {}): ReturnType<typeof testApp> {
  const server = await testApp(t, { DEMO_DATA: 'true', ...env }, { now: () => MONDAY_11_MSK })
  const loaded = await request(`${server.url}/v1/demo-data`, { method: 'POST' })
  if (loaded.status !== 201) throw new Error(`demo data: ${JSON.stringify(loaded.body)}`)
  return server
}

/** Issues a token for an agent's page. */
export async function agentToken(url: string, agentId: string): Promise<string> {
  const res = await request(`${url}/v1/agents/${agentId}/token`, { method: 'POST' })
  if (res.status !== 201) throw new Error(`token: ${JSON.stringify(res.body)}`)
  return res.body.token
}
