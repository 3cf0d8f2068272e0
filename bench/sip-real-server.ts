/**
 * Our server for bench:sip:real, in a process of its own: redirect mode on the
 * data set of bench:sip, connected to the drachtio-server the benchmark names,
 * every agent available. Sends { type: 'ready' } once connected; on
 * { type: 'stop' } its CPU time since { type: 'mark' } ({ type: 'cpu', us }),
 * then stops.
 */
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { App } from '../src/app.js'
import { loadConfig } from '../src/config.js'

const RULES = fileURLToPath(new URL('../routing-rules/', import.meta.url))
const [host, port] = (process.env.DRACHTIO_BENCH_ADMIN ?? '127.0.0.1:9022').split(':') as [string, string]
const rulesDir = await mkdtemp(join(tmpdir(), 'sip-real-rules-'))
for (const file of await readdir(RULES)) if (file.endsWith('.yaml') && file !== 'calendar.yaml') await copyFile(join(RULES, file), join(rulesDir, file))
await writeFile(join(rulesDir, 'calendar.yaml'), 'calendar:\n  timezone: Europe/Moscow\n  hours:\n    mon-sun: 00:00-24:00\n')
const config = loadConfig({
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  RULES_DIR: rulesDir,
  RULES_WATCH: 'false',
  LOG_LEVEL: 'warn',
  SIP_DRACHTIO_HOST: host,
  SIP_DRACHTIO_PORT: port,
  SIP_DRACHTIO_SECRET: process.env.DRACHTIO_BENCH_SECRET ?? 'cymru',
  SIP_MODE: 'redirect'
})
const app = await App.create({ config, logger: pino({ level: 'warn' }), dbSchema: 'bench_sip' })
await app.prepare()
for (const view of app.agents.snapshot()) app.agentStates.setState(view.profile.id, 'available', Date.now())
for (let waited = 0; app.sip?.status.state !== 'connected'; waited += 50) {
  if (waited > 30_000) throw new Error(`not connected to drachtio-server at ${host}:${port}: ${app.sip?.status.lastError}`)
  await new Promise((resolve) => setTimeout(resolve, 50))
}
process.send?.({ type: 'ready' })
// The CPU counted is from 'mark' (sent once warmed up, as the measured calls start) to 'stop', so
// start-up (compiling the sources, loading 10,000 agents) is not spread over the calls.
let marked = process.cpuUsage()
process.on('message', (message: { type: string }) => {
  if (message.type === 'mark') marked = process.cpuUsage()
  if (message.type !== 'stop') return
  const cpu = process.cpuUsage(marked)
  void app
    .stop()
    .then(() => rm(rulesDir, { recursive: true, force: true }))
    .then(() => process.send?.({ type: 'cpu', us: cpu.user + cpu.system }, () => process.exit(0)))
})
