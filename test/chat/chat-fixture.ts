import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import pino from 'pino'
import WebSocket from 'ws'
import { App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { freshSchema, MONDAY_11_MSK, request, TEST_DATABASE_URL, testApp } from '../helpers/test-app.js'
import { deleteKeys, TEST_REDIS_URL } from '../presence/cluster.js'

export const SITE_ORIGIN = 'http://127.0.0.1:3000'
const RULES = new URL('../../routing-rules/', import.meta.url).pathname

/**
 * The shipped rules with the chat's demo site allowing `origins` (a test page's own origin), in a
 * folder of the test's own.
 */
export function chatRules(t: Test, origins: readonly string[] = [SITE_ORIGIN], edit: (chatYaml: string) => string = (s) => s): string {
  const dir = mkdtempSync(join(tmpdir(), 'chat-rules-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const name of readdirSync(RULES)) if (name.endsWith('.yaml')) copyFileSync(join(RULES, name), join(dir, name))
  const chat = readFileSync(join(RULES, 'chat.yaml'), 'utf8').replace(/origins: \[[^\]]*\]/, `origins: ${JSON.stringify(origins)}`)
  writeFileSync(join(dir, 'chat.yaml'), edit(chat))
  return dir
}

/** The demo CRM on real PostgreSQL with the chat's demo site, its agents available, the clock running from a Monday 11:00. */
export async function chatApp(t: Test, options: { origins?: readonly string[]; env?: Record<string, string>; edit?: (chatYaml: string) => string; clock?: { offset: number } } = {}) {
  const clock = options.clock ?? { offset: 0 }
  const started = Date.now()
  const now = () => MONDAY_11_MSK + (Date.now() - started) + clock.offset
  const server = await testApp(t, { DEMO_DATA: 'true', RULES_DIR: chatRules(t, options.origins, options.edit), ...options.env }, { now })
  const loaded = await request(`${server.url}/v1/demo-data`, { method: 'POST' })
  if (loaded.status !== 201) throw new Error(`demo data: ${JSON.stringify(loaded.body)}`)
  return { ...server, clock }
}

/** Calls a visitor endpoint as the site's page does (with its Origin). */
export function visitorPost(url: string, path: string, body: unknown, origin = SITE_ORIGIN) {
  return request(`${url}${path}`, { method: 'POST', body, headers: { origin } })
}

/** The visitor's id after `pages` page views of `path`. */
export async function visitPages(url: string, paths: readonly string[], visitorId?: string): Promise<{ visitorId: string; last: any }> {
  let id = visitorId
  let last: any = null
  for (const path of paths) {
    last = (await visitorPost(url, '/v1/chat/views', { site: 'demo', ...(id ? { visitorId: id } : {}), url: `${SITE_ORIGIN}${path}`, title: path })).body
    id = last.visitorId
  }
  return { visitorId: id!, last }
}

/** A socket that keeps every message it gets, for messageMatching. */
export async function openSocket(t: Test, address: string, headers: Record<string, string> = {}): Promise<{ socket: WebSocket; messages: any[]; closed: Promise<{ code: number; reason: string }> }> {
  const socket = new WebSocket(address, { headers })
  const messages: any[] = []
  socket.on('message', (data) => messages.push(JSON.parse(String(data))))
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })))
  t.teardown(() => socket.close())
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  return { socket, messages, closed }
}

export function visitorSocket(t: Test, url: string, q: { visitorId: string; chatId: string; since?: number }, origin = SITE_ORIGIN) {
  const ws = url.replace(/^http/, 'ws')
  return openSocket(t, `${ws}/v1/chat/socket?site=demo&visitorId=${q.visitorId}&chatId=${q.chatId}&since=${q.since ?? 0}`, { origin })
}

export async function agentSocket(t: Test, url: string, agentId: string) {
  const token = (await request(`${url}/v1/agents/${agentId}/token`, { method: 'POST' })).body.token as string
  const opened = await openSocket(t, `${url.replace(/^http/, 'ws')}/v1/agents/chat-socket?token=${token}`)
  return { ...opened, token }
}

/** Sets an agent's state as their page does. */
export function setState(url: string, agentId: string, state: string) {
  return request(`${url}/v1/agents/${agentId}/state`, { method: 'PUT', body: { state } })
}

/**
 * Two servers on one PostgreSQL schema and one Redis key prefix, as two processes of one
 * deployment are: the demo CRM loaded through the first, the second started after it.
 */
export async function chatPair(t: Test, options: { edit?: (chatYaml: string) => string } = {}) {
  const prefix = `cti-test-chat-${randomBytes(4).toString('hex')}:`
  t.teardown(() => deleteKeys(prefix))
  const schema = await freshSchema(t)
  const rulesDir = chatRules(t, [SITE_ORIGIN], options.edit)
  const started = Date.now()
  const now = () => MONDAY_11_MSK + (Date.now() - started)
  const env = { DATABASE_URL: TEST_DATABASE_URL, PORT: '1', RULES_WATCH: 'false', DEMO_DATA: 'true', RULES_DIR: rulesDir, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix }
  const start = async () => {
    const app = await App.create({ config: { ...loadConfig(env), PORT: 0 }, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), dbSchema: schema, now })
    t.teardown(() => app.stop())
    await app.prepare()
    await app.server.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.server.address() as AddressInfo
    return { app, url: `http://127.0.0.1:${address.port}` }
  }
  const a = await start()
  const loaded = await request(`${a.url}/v1/demo-data`, { method: 'POST' })
  if (loaded.status !== 201) throw new Error(`demo data: ${JSON.stringify(loaded.body)}`)
  const b = await start()
  return { a, b }
}
