import { spawn, spawnSync } from 'node:child_process'
import dgram from 'node:dgram'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { request, testDemoApp } from '../helpers/test-app.js'

/**
 * The sipp scenarios against a real drachtio-server. Each test starts a
 * server (demo data loaded, agents available) connected to drachtio-server's
 * admin port, points the agents' addresses at sipp phones, and calls through
 * drachtio's SIP address with sipp. Set DRACHTIO_TEST_SIP=127.0.0.1:5060
 * (drachtio's SIP address) to run them; DRACHTIO_TEST_ADMIN (default
 * 127.0.0.1:9022) and DRACHTIO_TEST_SECRET (default cymru) say where the
 * servers connect. No other application may be connected to that
 * drachtio-server meanwhile. Without the setting, or without sipp, this file
 * says so and skips.
 */
const sipAddress = process.env.DRACHTIO_TEST_SIP
const [adminHost, adminPort] = (process.env.DRACHTIO_TEST_ADMIN ?? '127.0.0.1:9022').split(':') as [string, string]
const secret = process.env.DRACHTIO_TEST_SECRET ?? 'cymru'
const scenarios = new URL('./', import.meta.url).pathname
const shippedRules = new URL('../../routing-rules/', import.meta.url).pathname
const sipp = spawnSync('sipp', ['-v']).error === undefined
const SPRING_LINE = '+74951234567'

if (!sipAddress) {
  t.pass('skipped: DRACHTIO_TEST_SIP is not set (no real drachtio-server to call through)')
} else if (!sipp) {
  t.pass('skipped: sipp is not installed (apt-get install sip-tester)')
} else {
  t.setTimeout(180_000)

  t.test('a known customer calling through drachtio-server is redirected to their owner', async (t) => {
    const server = await serverOnDrachtio(t, 'redirect')
    const code = await runSipp(t, ['-sf', `${scenarios}uac-expect-302.xml`, '-s', SPRING_LINE, '-m', '20', '-r', '10', '-l', '1', '-p', String(await freePort()), sipAddress])
    t.equal(code, 0, 'every call got 302 with the owner first')
    const calls = await server.records()
    t.equal(calls.length, 20, 'one record per call')
    t.ok(calls.every((c) => c.call.outcome === 'redirected' && c.call.agent_id === 'a-anna'), 'each recorded as redirected to a-anna')
  })

  t.test('in path, when the owner\'s phone rings out the next agent is rung and takes the call', async (t) => {
    const server = await serverOnDrachtio(t, 'in-path')
    const [ringsPort, answersPort] = [await freePort(), await freePort()]
    await server.pointAgents({ 'a-anna': ringsPort }, answersPort)
    const owner = runSipp(t, ['-sf', `${scenarios}uas-agent-rings.xml`, '-p', String(ringsPort), '-m', '1'])
    const next = runSipp(t, ['-sf', `${scenarios}uas-agent-answers.xml`, '-p', String(answersPort), '-m', '1'])
    const caller = await runSipp(t, ['-sf', `${scenarios}uac-in-path.xml`, '-s', SPRING_LINE, '-m', '1', '-p', String(await freePort()), sipAddress])
    t.equal(caller, 0, 'the caller heard ringing, was answered, talked and hung up')
    t.equal(await owner, 0, 'the owner\'s phone rang and was cancelled at the end of the ring time')
    t.equal(await next, 0, 'the next agent\'s phone answered and took the BYE')
    const [record] = await server.records()
    t.equal(record?.call.outcome, 'answered', 'recorded as answered')
    t.equal(record?.call.agent_id, 'a-clara', 'answered by the VIP desk')
    const failed = record?.steps.find((s) => s.kind === 'offer-failed')
    t.equal(failed?.agent_id, 'a-anna', 'the owner\'s offer failed')
    t.match(failed?.data, { why: 'ring-timeout' }, 'because the ring time ran out')
    t.same(record?.steps.map((s) => s.kind), ['routed', 'offered', 'ringing', 'offer-failed', 'offered', 'ringing', 'answered', 'ended'], 'every step in the record')
  })

  t.test('in path, a caller who cancels while the agent rings gets 487, the agent\'s leg is cancelled and the call is abandoned', async (t) => {
    const server = await serverOnDrachtio(t, 'in-path')
    const ringsPort = await freePort()
    await server.pointAgents({ 'a-anna': ringsPort }, await freePort())
    const owner = runSipp(t, ['-sf', `${scenarios}uas-agent-rings.xml`, '-p', String(ringsPort), '-m', '1'])
    const caller = await runSipp(t, ['-sf', `${scenarios}uac-cancel.xml`, '-s', SPRING_LINE, '-m', '1', '-p', String(await freePort()), sipAddress])
    t.equal(caller, 0, 'the caller got 200 for the CANCEL and 487 for the INVITE')
    t.equal(await owner, 0, 'the owner\'s phone got the CANCEL')
    const [record] = await server.records()
    t.equal(record?.call.outcome, 'abandoned', 'recorded as abandoned')
    t.equal(record?.call.end_cause, 'caller cancelled', 'because the caller cancelled')
    t.equal(server.app.agents.get('a-anna')?.state.activeCalls, 0, 'the owner is free again')
  })
}

/** A demo server connected to the real drachtio-server, ring times cut to 3 s so a ring-out takes seconds. */
async function serverOnDrachtio(t: Test, mode: 'redirect' | 'in-path') {
  const rulesDir = await mkdtemp(join(tmpdir(), 'sipp-rules-'))
  t.teardown(() => rm(rulesDir, { recursive: true, force: true }))
  for (const file of await readdir(shippedRules)) {
    if (file.endsWith('.yaml')) await writeFile(join(rulesDir, file), (await readFile(join(shippedRules, file), 'utf8')).replace(/ring: \d+s/g, 'ring: 3s'))
  }
  const server = await testDemoApp(t, {
    RULES_DIR: rulesDir,
    SIP_DRACHTIO_HOST: adminHost,
    SIP_DRACHTIO_PORT: adminPort,
    SIP_DRACHTIO_SECRET: secret,
    SIP_MODE: mode
  })
  const { app, url } = server
  for (let waited = 0; app.sip?.status.state !== 'connected'; waited += 50) {
    if (waited > 10_000) throw new Error(`not connected to drachtio-server at ${adminHost}:${adminPort}: ${app.sip?.status.lastError}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    app,
    /** Rings the named agents at their own sipp phone's port, everyone else at `others`. */
    async pointAgents(ports: Record<string, number>, others: number) {
      const agents = (await request(`${url}/v1/agents`)).body as { id: string; name: string; team: string | null; skills: Record<string, number> }[]
      for (const agent of agents) {
        const sipUri = `sip:${agent.id.slice(2)}@127.0.0.1:${ports[agent.id] ?? others}`
        const res = await request(`${url}/v1/agents/${agent.id}`, { method: 'PUT', body: { name: agent.name, team: agent.team ?? undefined, skills: agent.skills, sipUri } })
        if (res.status !== 200) throw new Error(`agent ${agent.id}: ${JSON.stringify(res.body)}`)
      }
    },
    /** The calls that came over SIP (not the demo history), each with its steps. */
    async records() {
      await app.calls.flush()
      const db = app.database.db
      const calls = await db.selectFrom('calls').selectAll().where('id', 'not like', 'demo-%').orderBy('routed_at').execute()
      return Promise.all(
        calls.map(async (call) => ({
          call,
          steps: await db.selectFrom('call_events').select(['kind', 'agent_id', 'data']).where('call_id', '=', call.id).orderBy('at').orderBy('id').execute()
        }))
      )
    }
  }
}

/** A UDP port free now, for a sipp phone to listen on. */
async function freePort(): Promise<number> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return port
}

let sippRuns = 0

/**
 * Runs sipp on loopback until its calls are done (or 60 s pass); resolves with
 * its exit code, 0 when every call succeeded. What sipp found wrong goes to the
 * test's output.
 */
async function runSipp(t: Test, args: string[]): Promise<number | null> {
  const errors = join(tmpdir(), `sipp-${process.pid}-${++sippRuns}-errors.log`)
  const code = await new Promise<number | null>((resolve) =>
    spawn('sipp', [...args, '-i', '127.0.0.1', '-nostdin', '-timeout', '60s', '-trace_err', '-error_file', errors], { stdio: 'ignore' }).on('close', resolve)
  )
  const found = await readFile(errors, 'utf8').catch(() => '')
  if (code !== 0 && found) t.comment(`sipp ${args[1]}:\n${found.slice(0, 4000)}`)
  await rm(errors, { force: true })
  return code
}
