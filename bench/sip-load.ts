/**
 * The network side of the SIP benchmark, in a process of its own so that it
 * does not share the server's event loop: a drachtio stand-in (drachtio's
 * framed TCP protocol) that the server connects to, and PBX callers sending
 * real INVITE texts through it, a given number in flight, timing each from the
 * INVITE leaving to its final response arriving.
 *
 * Spoken to over IPC by bench/sip-invite.bench.ts:
 *   → { type: 'listening', port }            once the stand-in listens
 *   ← { type: 'run', phase: LoadPhase }      runs a phase (closed loop, or paced)
 *   → { type: 'result', result: LoadResult }
 *   ← { type: 'stop' }
 */
import { DrachtioStandIn } from '../test/telephony/sip/drachtio-stand-in.js'
import { header, invite, statusOf } from '../test/telephony/sip/sip-text.js'

/** A caller the load draws from, and where their call should go first. */
export interface LoadCaller {
  /** The From user, as the PBX sends it ("+7916…" or "8916…"). */
  from: string
  /** The SIP URI the first Contact must name, or null when any agent will do (unknown caller, or a rule not routing to the owner). */
  expectedFirst: string | null
}

export interface LoadPhase {
  name: string
  calls: number
  /** Calls outstanding at once (closed loop), or… */
  inFlight: number
  /** …when set, calls started at this rate per second whatever is outstanding (open loop). */
  rate?: number
  callers: LoadCaller[]
  lines: string[]
}

export interface LoadResult {
  name: string
  calls: number
  inFlight: number
  /** Per call, ns from the INVITE written to the final response read. */
  samplesNs: number[]
  seconds: number
  /** CPU this process (stand-in and callers) used, µs. */
  cpuUs: number
  statuses: Record<string, number>
  /** Calls whose first Contact was checked against the expected agent, and how many matched. */
  checked: number
  matched: number
}

const send = (message: unknown) => process.send!(message)
const standIn = await DrachtioStandIn.start({ secret: 'cymru' })
send({ type: 'listening', port: standIn.port })
await standIn.connected()

let sequence = 0
const runId = Date.now().toString(36)

process.on('message', (message: { type: 'run'; phase: LoadPhase } | { type: 'stop' }) => {
  if (message.type === 'stop') {
    void standIn.close().then(() => process.exit(0))
    return
  }
  void run(message.phase).then((result) => send({ type: 'result', result }))
})

async function run(phase: LoadPhase): Promise<LoadResult> {
  const samplesNs: number[] = []
  const statuses: Record<string, number> = {}
  let checked = 0
  let matched = 0
  const call = async (n: number) => {
    const caller = phase.callers[Math.floor(Math.random() * phase.callers.length)]!
    const line = phase.lines[n % phase.lines.length]!
    const text = invite({ to: line, from: `<sip:${caller.from}@10.0.0.1:5060>;tag=pbx-${n}`, callId: `sipbench-${runId}-${++sequence}@10.0.0.1` })
    const t0 = process.hrtime.bigint()
    const answer = await standIn.sendInvite(text).final()
    samplesNs.push(Number(process.hrtime.bigint() - t0))
    const status = statusOf(answer)
    statuses[status] = (statuses[status] ?? 0) + 1
    if (caller.expectedFirst && status === 302) {
      checked++
      if (firstContact(header(answer, 'Contact')) === caller.expectedFirst) matched++
    }
  }
  const cpu = process.cpuUsage()
  const begin = process.hrtime.bigint()
  if (phase.rate) await paced(phase.calls, phase.rate, call)
  else await closedLoop(phase.calls, phase.inFlight, call)
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9
  const used = process.cpuUsage(cpu)
  return { name: phase.name, calls: phase.calls, inFlight: phase.inFlight, samplesNs, seconds, cpuUs: used.user + used.system, statuses, checked, matched }
}

/** `inFlight` callers, each placing its next call when the last is answered. */
async function closedLoop(calls: number, inFlight: number, call: (n: number) => Promise<void>): Promise<void> {
  let started = 0
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (started < calls) await call(started++)
    })
  )
}

/** Calls started on a schedule of `rate` per second, however many are still waiting for their answer. */
async function paced(calls: number, rate: number, call: (n: number) => Promise<void>): Promise<void> {
  const outstanding: Promise<void>[] = []
  const begin = performance.now()
  let started = 0
  while (started < calls) {
    const due = Math.min(calls, Math.floor(((performance.now() - begin) / 1000) * rate) + 1)
    while (started < due) outstanding.push(call(started++))
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  await Promise.all(outstanding)
}

function firstContact(contact: string | undefined): string | null {
  return /<([^>]+)>/.exec(contact ?? '')?.[1] ?? null
}
