import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { agentToken, request, testDemoApp } from '../helpers/test-app.js'
import { inPathOn } from '../telephony/sip/sip-workplace-fixture.js'
import { freePort, startSipp } from './sipp-harness.js'

/**
 * A blind transfer from the agent's page through a real drachtio-server in path, with sipp as the
 * caller (uac-transferred.xml) and the two agents' phones (uas-agent-answers.xml): Ivan's call is
 * answered by Anna's phone, Anna transfers it to Boris from the page, Anna's phone gets the BYE,
 * Boris's phone gets the INVITE (without SDP) and answers, Ivan is re-INVITEd onto Boris's media
 * and hangs up; the record names Boris. The timings (the transfer request to the INVITE at Boris's
 * phone, to his 200 OK, to the call connected in the core) are printed.
 *
 * The App runs in path on that drachtio-server (see inPathOn). Set DRACHTIO_TEST_SIP=127.0.0.1:5060 to
 * run it; DRACHTIO_TEST_ADMIN (default 127.0.0.1:9022) and DRACHTIO_TEST_SECRET (default cymru) say
 * where the server connects. No other application may be connected to that drachtio-server meanwhile.
 */
const sipAddress = process.env.DRACHTIO_TEST_SIP
const [adminHost, adminPort] = (process.env.DRACHTIO_TEST_ADMIN ?? '127.0.0.1:9022').split(':') as [string, string]
const secret = process.env.DRACHTIO_TEST_SECRET ?? 'cymru'
const scenarios = new URL('./', import.meta.url).pathname
const shippedRules = new URL('../../routing-rules/', import.meta.url).pathname
const sipp = spawnSync('sipp', ['-v']).error === undefined
const SPRING_LINE = '+74951234567'

/** The messages of a sipp -trace_msg file: when (wall-clock ms), sent or received, and the first line. */
function traced(trace: string): { at: number; dir: 'sent' | 'received'; line: string }[] {
  const out: { at: number; dir: 'sent' | 'received'; line: string }[] = []
  for (const block of trace.split(/^-{20,} /m)) {
    const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\.(\d{6})\n\w+ message (sent|received)[^\n]*\n\s*([^\n]+)/.exec(block)
    if (m) out.push({ at: new Date(`${m[1]}T${m[2]}`).getTime() + Number(m[3]) / 1000, dir: m[4] as 'sent' | 'received', line: m[5]!.trim() })
  }
  return out
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

if (!sipAddress) {
  t.pass('skipped: DRACHTIO_TEST_SIP is not set (no real drachtio-server to call through)')
} else if (!sipp) {
  t.pass('skipped: sipp is not installed (apt-get install sip-tester)')
} else {
  t.setTimeout(120_000)

  /** The demo server in path on that drachtio-server, each agent's phone at a sipp port of this machine (Anna's and Boris's their own). */
  async function demoInPath(t: Test, trunk: string | null) {
    const rulesDir = await mkdtemp(join(tmpdir(), 'sipp-rules-'))
    t.teardown(() => rm(rulesDir, { recursive: true, force: true }))
    for (const file of await readdir(shippedRules)) {
      if (file.endsWith('.yaml')) await writeFile(join(rulesDir, file), (await readFile(join(shippedRules, file), 'utf8')).replace(/ring: \d+s/g, 'ring: 5s'))
    }
    const { app, url } = await testDemoApp(t, { RULES_DIR: rulesDir, TRANSFER_RING_SECONDS: '10', ...inPathOn({ host: adminHost, port: Number(adminPort), secret }, trunk) })
    const adapter = app.sip!
    const meUrl = url
    await until(() => adapter.status.state === 'connected', `drachtio-server at ${adminHost}:${adminPort}`)

    const [annaPort, borisPort, othersPort] = [await freePort(), await freePort(), await freePort()]
    const ports: Record<string, number> = { 'a-anna': annaPort, 'a-boris': borisPort }
    for (const agent of (await request(`${url}/v1/agents`)).body as { id: string; name: string; team: string | null; skills: Record<string, number> }[]) {
      const sipUri = `sip:${agent.id.slice(2)}@127.0.0.1:${ports[agent.id] ?? othersPort}`
      const res = await request(`${url}/v1/agents/${agent.id}`, { method: 'PUT', body: { name: agent.name, team: agent.team ?? undefined, skills: agent.skills, sipUri } })
      t.equal(res.status, 200, `${agent.id} at ${sipUri}`)
    }
    const anna = await agentToken(url, 'a-anna')
    return { app, url, adapter, meUrl, annaPort, borisPort, anna }
  }

  t.test('in path, Anna transfers the call from the page: Boris\'s phone gets the INVITE and answers, and the record names him', async (t) => {
    const { app, url, adapter, meUrl, annaPort, borisPort, anna } = await demoInPath(t, null)

    const traces = await mkdtemp(join(tmpdir(), 'sipp-transfer-'))
    t.teardown(() => rm(traces, { recursive: true, force: true }))
    const phone = (port: number, name: string) => {
      const run = startSipp(t, ['-sf', `${scenarios}uas-agent-answers.xml`, '-p', String(port), '-m', '1', '-trace_msg', '-message_file', join(traces, `${name}.log`)])
      t.teardown(() => run.stop())
      return run
    }
    const annaPhone = phone(annaPort, 'anna')
    const borisPhone = phone(borisPort, 'boris')
    const callId = `sipp-transfer-${process.pid}@127.0.0.1`
    const caller = startSipp(t, ['-sf', `${scenarios}uac-transferred.xml`, '-s', SPRING_LINE, '-m', '1', '-p', String(await freePort()), '-cid_str', `sipp-transfer-${process.pid}@%s`, sipAddress])
    t.teardown(() => caller.stop())

    await until(() => adapter.callControl!.holds(callId) && app.agents.get('a-anna')?.state.status === 'busy', 'Anna talking to Ivan')
    const asked = Date.now()
    const res = await request(`${meUrl}/v1/me/calls/${encodeURIComponent(callId)}/transfer`, { method: 'POST', headers: { authorization: `Bearer ${anna}` }, body: { toAgentId: 'a-boris', note: 'wants a discount' } })
    const accepted = Date.now()
    t.equal(res.status, 202, JSON.stringify(res.body))
    t.match(res.body, { callId, fromAgentId: 'a-anna', toAgentId: 'a-boris', status: 'ringing' })
    t.equal(app.agents.get('a-anna')?.state.status, 'wrap-up', 'Anna is in wrap-up')
    await until(() => app.agents.get('a-boris')?.state.status === 'busy', 'Boris talking')
    const connected = Date.now()

    t.equal(await caller.done, 0, 'the caller was answered, re-INVITEd onto Boris, and hung up')
    t.equal(await annaPhone.done, 0, "Anna's phone answered and got the BYE")
    t.equal(await borisPhone.done, 0, "Boris's phone got the INVITE, answered and took the caller's BYE")

    const annaTrace = traced(await readFile(join(traces, 'anna.log'), 'utf8'))
    const borisTrace = traced(await readFile(join(traces, 'boris.log'), 'utf8'))
    const annaBye = annaTrace.find((m) => m.dir === 'received' && m.line.startsWith('BYE'))
    const borisInvite = borisTrace.find((m) => m.dir === 'received' && m.line.startsWith('INVITE'))
    const borisOk = borisTrace.find((m) => m.dir === 'sent' && m.line.startsWith('SIP/2.0 200'))
    const borisAck = borisTrace.find((m) => m.dir === 'received' && m.line.startsWith('ACK'))
    t.ok(annaBye && borisInvite && borisOk && borisAck, 'the traces show the BYE to Anna, and the INVITE, 200 and ACK of Boris')
    const ms = (at: number | undefined) => (at === undefined ? 'n/a' : `${(at - asked).toFixed(1)} ms`)
    t.comment(
      [
        'from the transfer request (POST) to:',
        `  202 answered             ${ms(accepted)}`,
        `  BYE at Anna's phone       ${ms(annaBye?.at)}`,
        `  INVITE at Boris's phone   ${ms(borisInvite?.at)}`,
        `  Boris's 200 OK sent       ${ms(borisOk?.at)} (his phone rings 300 ms by its scenario)`,
        `  ACK at Boris's phone      ${ms(borisAck?.at)} (after the caller's re-INVITE)`,
        `  connected in the core     ${ms(connected)}`,
        `  200 OK → connected        ${borisOk ? `${(connected - borisOk.at).toFixed(1)} ms` : 'n/a'}`
      ].join('\n')
    )

    await app.calls.flush()
    const db = app.database.db
    const record = await db.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirst()
    const steps = await db.selectFrom('call_events').select(['kind', 'agent_id', 'data']).where('call_id', '=', callId).orderBy('at').orderBy('id').execute()
    t.match(record, { outcome: 'answered', agent_id: 'a-boris', end_cause: 'caller hung up' }, 'the record names Boris')
    t.match(steps.find((s) => s.kind === 'transfer'), { agent_id: 'a-anna', data: { fromAgentId: 'a-anna', toAgentId: 'a-boris', note: 'wants a discount' } })
    t.same(steps.filter((s) => s.kind === 'answered').map((s) => s.agent_id), ['a-anna', 'a-boris'], `steps: ${steps.map((s) => s.kind).join(', ')}`)
  })
  t.test("in path, Anna calls Ivan back from the page: her phone rings first, then Ivan's through the trunk, and the record is outbound", async (t) => {
    const customerPort = await freePort()
    const { app, url, anna, annaPort } = await demoInPath(t, `127.0.0.1:${customerPort}`)
    const annaPhone = startSipp(t, ['-sf', `${scenarios}uas-agent-answers.xml`, '-p', String(annaPort), '-m', '1'])
    t.teardown(() => annaPhone.stop())
    const ivanPhone = startSipp(t, ['-sf', `${scenarios}uas-customer-answers-hangs-up.xml`, '-p', String(customerPort), '-m', '1'])
    t.teardown(() => ivanPhone.stop())
    const ivan = (await request(`${url}/v1/customers/by-phone/${encodeURIComponent('+79161234567')}/card`)).body.customer
    const asked = Date.now()
    const res = await request(`${url}/v1/me/callbacks`, { method: 'POST', headers: { authorization: `Bearer ${anna}` }, body: { customerId: Number(ivan.id) } })
    t.equal(res.status, 202, JSON.stringify(res.body))
    t.match(res.body, { via: 'sip', customerId: Number(ivan.id), status: 'ringing-agent' })
    await until(() => app.agents.get('a-anna')?.state.status === 'busy', 'Anna talking to Ivan', 10_000)
    t.comment(`call-back asked → Anna's phone answered and she is on the call: ${Date.now() - asked} ms (her phone rings 300 ms by its scenario)`)
    t.equal(await ivanPhone.done, 0, "Ivan's phone was called through the trunk, answered and hung up")
    t.equal(await annaPhone.done, 0, "Anna's phone rang first, answered, and got the BYE when Ivan hung up")
    await app.calls.flush()
    const record = await app.database.db.selectFrom('calls').selectAll().where('id', '=', res.body.callId).executeTakeFirst()
    t.match(record, { direction: 'outbound', outcome: 'answered', agent_id: 'a-anna', customer_id: String(ivan.id) }, 'an outbound call of Anna with Ivan')
  })
}
