import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { App } from '../src/app.js'
import { loadConfig } from '../src/config.js'

/** Monday 23 Nov 2026, 11:00 in Moscow: inside the demo rules' business hours. */
const MONDAY_11_MSK = Date.parse('2026-11-23T11:00:00+03:00')

export interface DemoServer {
  app: App
  base: string
  /** The server's clock. */
  now(): number
  stop(): Promise<void>
}

/**
 * A whole server in this process on a fresh embedded database with the demo
 * CRM loaded, its clock running from a Monday 11:00 in Moscow so the demo rules
 * route to agents instead of the after-hours voicemail.
 */
export async function startDemoServer(env: Record<string, string> = {}): Promise<DemoServer> {
  const started = Date.now()
  const dataDir = await mkdtemp(join(tmpdir(), 'cti-bench-'))
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', RULES_WATCH: 'false', DEMO_DATA: 'true', ...env })
  const now = () => MONDAY_11_MSK + (Date.now() - started)
  const app = await App.create({ config, logger: pino({ level: 'silent' }), now })
  await app.prepare()
  await app.server.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.server.address()
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const loaded = await fetch(`${base}/v1/demo-data`, { method: 'POST' })
  if (loaded.status !== 201) throw new Error(`demo data not loaded: HTTP ${loaded.status} ${await loaded.text()}`)
  return {
    app,
    base,
    now,
    async stop() {
      await app.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}
