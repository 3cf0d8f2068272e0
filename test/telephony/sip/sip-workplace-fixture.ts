import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { testDemoApp } from '../../helpers/test-app.js'
import { DrachtioStandIn } from './drachtio-stand-in.js'

const RULES = new URL('../../../routing-rules/', import.meta.url).pathname

/**
 * The demo server with drachtio in path (the App's own SIP wiring, SIP_OUTBOUND_TRUNK for
 * call-backs) and the agent's workplace (`/v1/me/…`) on the SIP call control. `meUrl` is the App's
 * own address, named apart for the tests that read as "the page's routes".
 */
export async function sipWorkplace(t: Test, env: Record<string, string> = {}, options: { outboundTrunk?: string | null; ringSeconds?: number } = {}) {
  const standIn = await DrachtioStandIn.start({ secret: 'cymru' })
  t.teardown(() => standIn.close())
  const rulesDir = await mkdtemp(join(tmpdir(), 'sip-rules-'))
  t.teardown(() => rm(rulesDir, { recursive: true, force: true }))
  for (const file of await readdir(RULES)) {
    if (!file.endsWith('.yaml')) continue
    const text = await readFile(join(RULES, file), 'utf8')
    await writeFile(join(rulesDir, file), text.replace(/ring: \d+s/g, `ring: ${options.ringSeconds ?? 5}s`))
  }
  const trunk = options.outboundTrunk === undefined ? 'trunk.example.com:5060' : options.outboundTrunk
  const server = await testDemoApp(t, { RULES_DIR: rulesDir, TRANSFER_RING_SECONDS: '5', ...inPathOn({ host: '127.0.0.1', port: standIn.port, secret: 'cymru' }, trunk), ...env })
  await standIn.connected()
  const { app } = server
  const adapter = app.sip
  if (!adapter?.callControl) throw new Error('the App built no SIP call control')

  return {
    ...server,
    standIn,
    adapter,
    /** Where the workplace routes (/v1/me/calls/:id/transfer, /v1/me/callbacks) are served: the App itself. */
    meUrl: server.url,
    /** The call record and its steps, once written. */
    async record(callId: string) {
      await app.calls.flush()
      const db = app.database.db
      const call = await db.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirst()
      const steps = await db.selectFrom('call_events').select(['kind', 'agent_id', 'data']).where('call_id', '=', callId).orderBy('at').orderBy('id').execute()
      return { call, steps }
    }
  }
}

/** The settings that put the App's SIP adapter in path on `drachtio` (the stand-in or a real drachtio-server). */
export function inPathOn(drachtio: { host: string; port: number; secret: string }, outboundTrunk: string | null): Record<string, string> {
  return {
    SIP_DRACHTIO_HOST: drachtio.host,
    SIP_DRACHTIO_PORT: String(drachtio.port),
    SIP_DRACHTIO_SECRET: drachtio.secret,
    SIP_MODE: 'in-path',
    ...(outboundTrunk ? { SIP_OUTBOUND_TRUNK: outboundTrunk } : {})
  }
}
