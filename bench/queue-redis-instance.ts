// Instance A of `npm run bench:queue:redis`, in a process of its own: started by
// bench/queue-redis.bench.ts (instance B) with the same settings in BENCH_INSTANCE (JSON), it routes
// the calls that wait, and reports when its core chose a waiting call for the freed agent and when
// Redis confirmed the offer. Times are process.hrtime (CLOCK_MONOTONIC, the same clock in every
// process of the machine), so B's "freed" and A's "chosen" can be subtracted.
import { Redis } from 'ioredis'
import pino from 'pino'
import { App } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { type Pause, watchGcPauses } from './gc-pauses.js'

export type ToInstance = { cmd: 'route'; callId: string } | { cmd: 'end'; callId: string } | { cmd: 'await-status'; status: string } | { cmd: 'probe'; channel: string } | { cmd: 'stop' }
export type FromInstance =
  | { type: 'ready' }
  | { type: 'routed'; callId: string; queued: boolean }
  | { type: 'status'; status: string }
  | { type: 'chosen' | 'offered'; callId: string; at: string }
  | { type: 'probing' }
  | { type: 'heard'; seq: string; at: string }
  | { type: 'stopped'; cpuUs: number; gcPauses: Pause[] }

const { env, schema } = JSON.parse(process.env.BENCH_INSTANCE ?? '{}') as { env: Record<string, string>; schema: string }
const send = (message: FromInstance): void => void process.send!(message)
const app = await App.create({ config: loadConfig(env), logger: pino({ level: 'silent' }), dbSchema: schema })
await app.prepare()
app.agents.upsertAgent({ id: 'bench-q', name: 'bench-q', team: 'floor', address: 'sip:q@pbx.test', capacity: 1, skills: {} })
await app.shared!.agents.agentLoaded('bench-q')
app.interactions.onEvent((event) => {
  if (event.type === 'dequeued' && event.why === 'served') send({ type: 'chosen', callId: event.callId, at: String(process.hrtime.bigint()) })
  if (event.type === 'offered') send({ type: 'offered', callId: event.callId, at: String(process.hrtime.bigint()) })
})
const cpuBefore = process.cpuUsage()
const gc = watchGcPauses()
let listener: Redis | undefined

/** Polls on the event loop (not a timer) so that it adds no delay of its own. */
function whenStatus(status: string): void {
  if (app.agents.get('bench-q')?.state.status === status) send({ type: 'status', status })
  else setImmediate(() => whenStatus(status))
}

process.on('message', (message: ToInstance) => {
  switch (message.cmd) {
    case 'route':
      void app.interactions.route({ caller: '+79160000002', dialed: null, callId: message.callId, channel: 'http', ringTimer: false }).then((r) =>
        send({ type: 'routed', callId: message.callId, queued: Boolean(r.decision.queued) })
      )
      return
    case 'end':
      app.interactions.ended(message.callId)
      return
    case 'await-status':
      whenStatus(message.status)
      return
    case 'probe': {
      // The floor: a bare pub/sub hop between the two processes, with nothing of the server on it.
      listener = new Redis(env.REDIS_URL!)
      listener.on('message', (_channel: string, seq: string) => send({ type: 'heard', seq, at: String(process.hrtime.bigint()) }))
      void listener.subscribe(message.channel).then(() => send({ type: 'probing' }))
      return
    }
    case 'stop': {
      const cpu = process.cpuUsage(cpuBefore)
      listener?.disconnect()
      void app.stop().then(() => {
        gc.stop()
        send({ type: 'stopped', cpuUs: cpu.user + cpu.system, gcPauses: gc.pauses })
        process.disconnect()
      })
    }
  }
})
send({ type: 'ready' })
