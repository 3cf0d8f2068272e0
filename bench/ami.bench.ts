/**
 * AMI benchmarks, through the stand-in (no Asterisk needed):
 *  1. event ingest: a burst of Asterisk 22 events over TCP, counted as the
 *     asterisk-manager library emits them, and as the whole adapter handles them;
 *  2. route request → Redirect: a CtiRoute UserEvent sent to the whole demo server,
 *     until its Redirect reaches the stand-in (caller lookup, rules, reservation, two
 *     Setvars and the Redirect).
 * Targets: ≥ 20,000 events/s; p99 ≤ 5 ms.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import pino from 'pino'
import { App } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { AgentIndex } from '../src/routing/agent-index.js'
import { AmiAdapter } from '../src/telephony/ami/ami-adapter.js'
import { AmiStandIn } from '../test/telephony/ami/ami-stand-in.js'
import { summarize } from './stats.js'

const EVENTS = Number(process.env.AMI_BENCH_EVENTS ?? 200_000)
const CALLS = Number(process.env.AMI_BENCH_CALLS ?? 2_000)

/** A realistic mix of what Asterisk sends during calls, most of which the adapter does not follow. */
function burst(standIn: AmiStandIn, count: number): string {
  const parts: string[] = []
  const channel = standIn.newChannel({ callerNum: '+79161234567' })
  standIn.channels.delete(channel.name)
  const fields = (extra: [string, string][]) => [...standIn.channelFields(channel), ...extra].map(([k, v]) => `${k}: ${v}\r\n`).join('')
  const kinds = [
    `Event: Newexten\r\nPrivilege: dialplan,all\r\n${fields([['Extension', 's'], ['Application', 'MusicOnHold'], ['AppData', '']])}\r\n`,
    `Event: VarSet\r\nPrivilege: dialplan,all\r\n${fields([['Variable', 'CTI_RING'], ['Value', '20']])}\r\n`,
    `Event: DeviceStateChange\r\nPrivilege: call,all\r\nDevice: PJSIP/2001\r\nState: NOT_INUSE\r\n\r\n`,
    `Event: Newstate\r\nPrivilege: call,all\r\n${fields([])}\r\n`,
    `Event: Hangup\r\nPrivilege: call,all\r\n${fields([['Cause', '16'], ['Cause-txt', 'Normal Clearing']])}\r\n`
  ]
  for (let i = 0; i < count; i++) parts.push(kinds[i % kinds.length]!)
  return parts.join('')
}

async function ingestThroughLibrary(): Promise<number> {
  const standIn = new AmiStandIn()
  const port = await standIn.listen()
  const Manager = createRequire(import.meta.url)('asterisk-manager')
  const manager = new Manager(port, '127.0.0.1', 'cti', 'cti-secret', true)
  await new Promise((resolve) => manager.once('fullybooted', resolve))
  const text = burst(standIn, EVENTS)
  let seen = 0
  const done = new Promise<void>((resolve) => manager.on('managerevent', () => ++seen === EVENTS && resolve()))
  const started = process.hrtime.bigint()
  standIn.sendRaw(text)
  await done
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  manager.disconnect()
  await standIn.close()
  return EVENTS / seconds
}

async function ingestThroughAdapter(): Promise<number> {
  const standIn = new AmiStandIn()
  const port = await standIn.listen()
  const logger = pino({ level: 'silent' })
  let seen = 0
  let resolveDone!: () => void
  const done = new Promise<void>((resolve) => (resolveDone = resolve))
  const lifecycle = { route: async () => ({}), failed: () => null, answered: () => true, ended: () => true, ringing: () => undefined, note: () => undefined }
  const adapter = new AmiAdapter({
    settings: { host: '127.0.0.1', port, user: 'cti', secret: 'cti-secret', contexts: { agents: 'cti-agents', wait: 'cti-wait', final: 'cti-final' }, outboundContext: 'cti-outbound', actionTimeoutMs: 5000, reconnectMaxMs: 1000, wrapUpSeconds: 0 },
    lifecycle: lifecycle as never,
    index: new AgentIndex(),
    loadAgents: async () => [],
    logger,
    now: Date.now
  })
  // Counts after the adapter's own handlers (registered first) have run.
  ;(adapter as unknown as { client: { onEvent(l: () => void): void } }).client.onEvent(() => ++seen === EVENTS && resolveDone())
  adapter.start()
  while (!(await adapter.ready()).ok) await new Promise((resolve) => setTimeout(resolve, 10))
  const text = burst(standIn, EVENTS)
  const started = process.hrtime.bigint()
  standIn.sendRaw(text)
  await done
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  await adapter.stop()
  await standIn.close()
  return EVENTS / seconds
}

/** Monday 23 Nov 2026, 11:00 in Moscow: inside the shipped rules' business hours. */
const MONDAY_11_MSK = Date.parse('2026-11-23T11:00:00+03:00')
const IVAN = '+79161234567'

/**
 * A whole server with 8 sales agents, one of them owning Ivan: on a fresh embedded database, or in
 * a fresh schema of the PostgreSQL in DATABASE_URL when set (dropped at the end).
 */
async function startServer(env: Record<string, string>) {
  const started = Date.now()
  const dataDir = await mkdtemp(join(tmpdir(), 'cti-ami-bench-'))
  const url = process.env.DATABASE_URL
  const schema = url ? `ami_bench_${started}` : undefined
  const admin = url ? new pg.Client({ connectionString: url }) : null
  if (admin) {
    await admin.connect()
    await admin.query(`create schema ${schema}`)
  }
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', RULES_WATCH: 'false', ...(url ? { DATABASE_URL: url } : {}), ...env })
  const app = await App.create({ config, logger: pino({ level: 'silent' }), dbSchema: schema, now: () => MONDAY_11_MSK + (Date.now() - started) })
  await app.prepare()
  await app.server.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.server.address()
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const send = (path: string, method: string, body: unknown) => fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  for (let i = 1; i <= 8; i++) {
    await send(`/v1/agents/a-${i}`, 'PUT', { name: `Agent ${i}`, extension: String(1000 + i), team: 'sales', skills: { 'product:crm': i } })
    await send(`/v1/agents/a-${i}/state`, 'PUT', { state: 'available' })
  }
  await send('/v1/customers', 'POST', { name: 'Ivan Petrov', ownerAgentId: 'a-1', phones: [{ phone: IVAN }] })
  return {
    app,
    database: url ? 'PostgreSQL' : 'embedded database',
    async stop() {
      await app.stop()
      await rm(dataDir, { recursive: true, force: true })
      await admin?.query(`drop schema ${schema} cascade`)
      await admin?.end()
    }
  }
}

async function routeToRedirect(): Promise<void> {
  const standIn = new AmiStandIn()
  const port = await standIn.listen()
  const server = await startServer({ AMI_HOST: '127.0.0.1', AMI_PORT: String(port), AMI_USER: 'cti', AMI_SECRET: 'cti-secret', WRAP_UP_SECONDS: '0' })
  while (!(await server.app.ami!.ready()).ok) await new Promise((resolve) => setTimeout(resolve, 10))
  // A known customer (CRM lookup, owner step) and new callers (lead rules, sales team).
  const callers = [IVAN, '+79031112233', '+79160000001', '+79160000002']
  const samples: number[] = []
  for (let i = 0; i < CALLS + 200; i++) {
    const caller = standIn.newChannel({ callerNum: callers[i % callers.length]! })
    const redirected = standIn.nextAction('redirect')
    const started = process.hrtime.bigint()
    standIn.routeRequest(caller, '+74951234567')
    await redirected
    const took = Number(process.hrtime.bigint() - started)
    if (i >= 200) samples.push(took) // the first 200 warm up
    standIn.hangup(caller)
    // About 200 calls/s: each call's end (call record, agent release) is behind it before the next.
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  summarize(`route request → Redirect (${server.database})`, samples)
  await server.stop()
  await standIn.close()
}

console.log(`AMI event ingest, ${EVENTS} events in one burst over loopback TCP:`)
console.log(`  asterisk-manager alone        ${Math.round(await ingestThroughLibrary()).toLocaleString('en')} events/s`)
console.log(`  library + adapter handlers    ${Math.round(await ingestThroughAdapter()).toLocaleString('en')} events/s`)
console.log(`Route request → Redirect, ${CALLS} calls one after another (stand-in in the same process):`)
await routeToRedirect()
