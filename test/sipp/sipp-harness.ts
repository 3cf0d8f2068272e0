import { spawn, type ChildProcess } from 'node:child_process'
import dgram from 'node:dgram'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { childEnv } from '../helpers/child-env.js'
import { agentToken, request, testDemoApp } from '../helpers/test-app.js'

/**
 * What the tests against a real drachtio-server share: a demo server
 * connected to its admin port, sipp callers and phones on loopback, and the
 * agents' pages. DRACHTIO_TEST_ADMIN (default 127.0.0.1:9022) and
 * DRACHTIO_TEST_SECRET (default cymru) say where the servers connect.
 */
const [adminHost, adminPort] = (process.env.DRACHTIO_TEST_ADMIN ?? '127.0.0.1:9022').split(':') as [string, string]
const secret = process.env.DRACHTIO_TEST_SECRET ?? 'cymru'
const shippedRules = new URL('../../routing-rules/', import.meta.url).pathname
const watcherScript = new URL('./card-watcher.ts', import.meta.url).pathname

/** A demo server connected to the real drachtio-server, ring times cut to 3 s so a ring-out takes seconds. */
export async function serverOnDrachtio(t: Test, mode: 'redirect' | 'in-path', env: Record<string, string> = {}) {
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
    SIP_MODE: mode,
    ...env
  })
  const { app, url } = server
  const connected = async () => {
    for (let waited = 0; app.sip?.status.state !== 'connected'; waited += 50) {
      if (waited > 10_000) throw new Error(`not connected to drachtio-server at ${adminHost}:${adminPort}: ${app.sip?.status.lastError}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  await connected()
  return {
    app,
    url,
    /** Resolves once connected to drachtio-server (again). */
    connected,
    /** Rings the named agents at their own sipp phone's port, everyone else at `others`. */
    async pointAgents(ports: Record<string, number>, others: number) {
      const agents = (await request(`${url}/v1/agents`)).body as { id: string; name: string; team: string | null; skills: Record<string, number> }[]
      for (const agent of agents) {
        const sipUri = `sip:${agent.id.slice(2)}@127.0.0.1:${ports[agent.id] ?? others}`
        const res = await request(`${url}/v1/agents/${agent.id}`, { method: 'PUT', body: { name: agent.name, team: agent.team ?? undefined, skills: agent.skills, sipUri } })
        if (res.status !== 200) throw new Error(`agent ${agent.id}: ${JSON.stringify(res.body)}`)
      }
    },
    /**
     * Opens every agent's page in a watcher process of its own; `cards()` ends it and gives when each
     * card arrived there (wall-clock ms with microseconds, as sipp's traces), by `callId agentId`.
     */
    async watchCards(t: Test): Promise<{ cards(): Promise<Map<string, number>> }> {
      const pairs = await Promise.all(app.agents.snapshot().map(async (view) => `${view.profile.id}=${await agentToken(url, view.profile.id)}`))
      const watcher = spawn(process.execPath, ['--import', 'tsx', watcherScript, url, ...pairs], { env: childEnv(), stdio: ['pipe', 'pipe', 'inherit'] })
      t.teardown(() => watcher.exitCode === null && watcher.kill())
      let output = ''
      watcher.stdout!.on('data', (data: Buffer) => (output += data.toString()))
      const exited = new Promise<void>((resolve) => watcher.on('close', () => resolve()))
      for (let waited = 0; !output.startsWith('ready\n'); waited += 20) {
        if (waited > 20_000 || watcher.exitCode !== null) throw new Error(`the card watcher did not start: ${output}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      return {
        async cards() {
          watcher.stdin!.end()
          await exited
          return new Map(Object.entries(JSON.parse(output.slice('ready\n'.length)) as Record<string, number>))
        }
      }
    },
    /**
     * The calls that came over SIP (not the demo history), each with its steps, read on a connection
     * of their own: after a burst the server's pool is still busy with the cards and records.
     */
    async records() {
      await app.calls.flush()
      const { db, close } = await app.database.unhurried()
      try {
        const calls = await db.selectFrom('calls').selectAll().where('id', 'not like', 'demo-%').orderBy('routed_at').execute()
        const steps = await db.selectFrom('call_events').select(['call_id', 'kind', 'agent_id', 'data']).where('call_id', 'not like', 'demo-%').orderBy('at').orderBy('id').execute()
        const byCall = new Map<string, typeof steps>()
        for (const step of steps) byCall.set(step.call_id, [...(byCall.get(step.call_id) ?? []), step])
        return calls.map((call) => ({ call, steps: byCall.get(call.id) ?? [] }))
      } finally {
        await close()
      }
    }
  }
}

/** A UDP port free now, for a sipp phone to listen on. */
export async function freePort(): Promise<number> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return port
}

let sippRuns = 0

/**
 * Starts sipp on loopback; `done` resolves with its exit code once its calls
 * are over (or 60 s pass), 0 when every call succeeded. What sipp found wrong
 * goes to the test's output. `stop()` ends it early.
 */
export function startSipp(t: Test, args: string[]): { done: Promise<number | null>; stop(): void } {
  const errors = join(tmpdir(), `sipp-${process.pid}-${++sippRuns}-errors.log`)
  const child: ChildProcess = spawn('sipp', [...args, '-i', '127.0.0.1', '-nostdin', '-timeout', '60s', '-trace_err', '-error_file', errors], { stdio: 'ignore' })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  const done = exited.then(async (code) => {
    const found = await readFile(errors, 'utf8').catch(() => '')
    if (code !== 0 && found) t.comment(`sipp ${args[1]}:\n${found.slice(0, 4000)}`)
    await rm(errors, { force: true })
    return code
  })
  return { done, stop: () => child.exitCode === null && child.kill('SIGTERM') }
}

export function runSipp(t: Test, args: string[]): Promise<number | null> {
  return startSipp(t, args).done
}

/** One INVITE as a sipp phone logged it (-trace_msg): when it came, for which call and agent. */
export interface TracedInvite {
  at: number
  /** The caller's Call-ID, which the server puts in X-Original-Call-ID. */
  callId: string
  /** The Request-URI's user: the agent's id without its "a-". */
  user: string
}

/** The INVITEs a sipp phone received, from its message trace (local times with microseconds). */
export function tracedInvites(trace: string): TracedInvite[] {
  const invites: TracedInvite[] = []
  for (const block of trace.split(/^-{20,} /m)) {
    const head = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\.(\d{6})\n\w+ message received[^\n]*\n\s*INVITE sip:([^@\s]+)@/.exec(block)
    const callId = /^X-Original-Call-ID:\s*(.+?)\s*$/im.exec(block)?.[1]
    if (!head || !callId) continue
    invites.push({ at: new Date(`${head[1]}T${head[2]}`).getTime() + Number(head[3]) / 1000, callId, user: head[4]! })
  }
  return invites
}
