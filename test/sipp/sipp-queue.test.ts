import { spawnSync } from 'node:child_process'
import { loadavg } from 'node:os'
import t from 'tap'
import { request } from '../helpers/test-app.js'
import { peakHourRulesDir } from '../telephony/queue-rules.js'
import { freePort, runSipp, serverOnDrachtio, startSipp } from './sipp-harness.js'

/**
 * Waiting calls through a real drachtio-server, in path: callers get 182 Queued (refreshed every
 * second here) until a seller frees up, then 180 and 200; a CANCEL while waiting is an abandoned
 * call. Runs with DRACHTIO_TEST_SIP set, as sipp-scenarios.test.ts; skips otherwise.
 */
const sipAddress = process.env.DRACHTIO_TEST_SIP
const scenarios = new URL('./', import.meta.url).pathname
const sipp = spawnSync('sipp', ['-v']).error === undefined
const SPRING_LINE = '+74951234567'
const SELLERS = ['a-boris', 'a-dmitri']

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

if (!sipAddress) {
  t.pass('skipped: DRACHTIO_TEST_SIP is not set (no real drachtio-server to call through)')
} else if (!sipp) {
  t.pass('skipped: sipp is not installed (apt-get install sip-tester)')
} else {
  t.setTimeout(180_000)

  /** An in-path server on the peak-hour rules with both sellers away: new callers wait. */
  async function sellersAway(t: Parameters<typeof serverOnDrachtio>[0], phonePort: number) {
    const server = await serverOnDrachtio(t, 'in-path', { RULES_DIR: await peakHourRulesDir(t), WRAP_UP_SECONDS: '0', SIP_QUEUE_REFRESH_SECONDS: '1' })
    await server.pointAgents({}, phonePort)
    for (const id of SELLERS) await setState(server.url, id, 'away')
    return server
  }

  async function setState(url: string, agentId: string, state: 'available' | 'away') {
    const res = await request(`${url}/v1/agents/${agentId}/state`, { method: 'PUT', body: { state } })
    if (res.status !== 200) throw new Error(`state of ${agentId}: ${JSON.stringify(res.body)}`)
  }

  t.test('four new callers wait with 182 Queued, refreshed, and are answered one after another by the seller who comes back', async (t) => {
    const phonePort = await freePort()
    const server = await sellersAway(t, phonePort)
    const calls = 4
    const phone = runSipp(t, ['-sf', `${scenarios}uas-agent-answers.xml`, '-p', String(phonePort), '-m', String(calls)])
    const startedAt = Date.now()
    const callers = startSipp(t, ['-sf', `${scenarios}uac-queued.xml`, '-s', SPRING_LINE, '-m', String(calls), '-r', '10', '-l', String(calls), '-p', String(await freePort()), sipAddress])
    t.teardown(() => callers.stop())
    await until(() => server.app.router.positions().size === calls, `${calls} calls waiting`)
    const queuedAfter = Date.now() - startedAt
    // Long enough for at least one refresh of every caller's 182 (the scenario requires two 182s).
    await new Promise((resolve) => setTimeout(resolve, 2500))
    const freedAt = Date.now()
    await setState(server.url, 'a-boris', 'available')
    t.equal(await callers.done, 0, 'every caller got 182 Queued twice or more, then 180 and 200, and hung up')
    const servedIn = Date.now() - freedAt
    t.equal(await phone, 0, "the seller's phone answered every call")
    const records = await server.records()
    t.equal(records.length, calls, 'one record per call')
    t.ok(records.every((r) => r.call.outcome === 'answered' && r.call.agent_id === 'a-boris'), 'each answered by the seller who came back')
    t.ok(records.every((r) => r.steps.some((s) => s.kind === 'queued')), 'each record says it waited')
    t.comment(`${calls} calls queued within ${queuedAfter} ms, all served ${servedIn} ms after the seller came back (each talks 1 s); load average ${loadavg()[0]!.toFixed(1)}`)
  })

  t.test('a caller who cancels while waiting gets 487 and is recorded as abandoned', async (t) => {
    const server = await sellersAway(t, await freePort())
    const caller = await runSipp(t, ['-sf', `${scenarios}uac-queued-cancel.xml`, '-s', SPRING_LINE, '-m', '1', '-p', String(await freePort()), sipAddress])
    t.equal(caller, 0, 'the caller got 182 Queued, then 200 for the CANCEL and 487 for the INVITE')
    const [record] = await server.records()
    t.equal(record?.call.outcome, 'abandoned', 'recorded as abandoned')
    t.equal(server.app.router.positions().size, 0, 'nobody waits any more')
  })
}
