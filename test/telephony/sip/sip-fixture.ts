import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { request, testDemoApp } from '../../helpers/test-app.js'
import { DrachtioStandIn } from './drachtio-stand-in.js'

const RULES = new URL('../../../routing-rules/', import.meta.url).pathname

/**
 * The demo server with SIP turned on, connected to a drachtio stand-in. The
 * shipped rules are used with every ring time cut to 1 s (or `ringSeconds`)
 * so failover tests do not wait 20 s per agent.
 */
export async function sipDemo(t: Test, env: Record<string, string> = {}, options: { ringSeconds?: number } = {}) {
  const standIn = await DrachtioStandIn.start({ secret: 'cymru' })
  t.teardown(() => standIn.close())
  const rulesDir = await mkdtemp(join(tmpdir(), 'sip-rules-'))
  t.teardown(() => rm(rulesDir, { recursive: true, force: true }))
  for (const file of await readdir(RULES)) {
    if (!file.endsWith('.yaml')) continue
    const text = await readFile(join(RULES, file), 'utf8')
    await writeFile(join(rulesDir, file), text.replace(/ring: \d+s/g, `ring: ${options.ringSeconds ?? 1}s`))
  }
  const server = await testDemoApp(t, {
    RULES_DIR: rulesDir,
    WRAP_UP_SECONDS: '0',
    SIP_DRACHTIO_HOST: '127.0.0.1',
    SIP_DRACHTIO_PORT: String(standIn.port),
    SIP_DRACHTIO_SECRET: 'cymru',
    SIP_RETRY_AFTER_SECONDS: '30',
    ...env
  })
  await standIn.connected()
  const { app, url } = server

  return {
    ...server,
    standIn,
    async setState(agentId: string, state: 'available' | 'away') {
      const res = await request(`${url}/v1/agents/${agentId}/state`, { method: 'PUT', body: { state } })
      if (res.status !== 200) throw new Error(`state of ${agentId}: ${JSON.stringify(res.body)}`)
    },
    async everyoneAvailable() {
      for (const view of app.agents.snapshot()) if (view.state.status === 'away') app.agents.setAgentState(view.profile.id, 'available', Date.now())
    },
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
