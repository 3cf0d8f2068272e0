import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import type { UnroutedCall } from '../calls/call-recorder.js'
import type { InteractionEvent } from '../interactions/interaction-types.js'
import type { Channel, InteractionKind } from '../routing/types.js'
import type { RedisKeys } from './redis-keys.js'
import type { RedisLink } from './redis-link.js'

const source = (name: string) => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8')

type QueueRedis = {
  cti_queue_park(queue: string, call: string, own: string, processes: string, callId: string, score: number, processId: string, queueName: string, json: string): Promise<number>
  cti_queue_leave(queue: string, call: string, own: string, callId: string): Promise<number>
  cti_queue_beat(processes: string, processId: string, timeoutMs: number): Promise<string[]>
  cti_queue_claim(processes: string, deadCalls: string, deadId: string, timeoutMs: number, tag: string): Promise<string[]>
}

/** Priorities are clamped to ±400 so that the score (priority, then arrival ms) stays an exact double. */
export function queueScore(priority: number, arrivalMs: number): number {
  return (400 - Math.max(-400, Math.min(400, Math.round(priority)))) * 1e13 + arrivalMs
}

/** What is kept in Redis of a waiting call: enough for another process to write its record. */
interface WaitingCall {
  caller: string | null
  dialed: string | null
  channel: Channel
  kind: InteractionKind
  direction: 'inbound' | 'outbound'
  at: number
  queue: string
}

export interface RedisWaitingQueueOptions {
  link: RedisLink
  keys: RedisKeys
  processId: string
  /** A process that has not beaten for this long is dead: its waiting calls are taken over. */
  timeoutMs: number
  /** The priority of a waiting interaction (the core's), for its place in the queue's sorted set. */
  priorityOf: (callId: string) => number
  /** Writes the record of a call taken over from a dead process (ended as failed). */
  record: (call: UnroutedCall) => void
  logger: Logger
  now: () => number
}

/**
 * The calls waiting on this process, written to Redis: one sorted set per queue (priority, then
 * arrival), a hash per call, a set per process, and a heartbeat per process. Every process beats;
 * a process that finds another silent past the timeout takes its waiting calls over atomically
 * (queue-claim.lua: exactly one process gets them) and ends each as failed with a record, so no
 * call is left waiting for a process that is gone.
 */
export class RedisWaitingQueue {
  private readonly redis: QueueRedis
  private readonly routedAt = new Map<string, Omit<WaitingCall, 'queue'>>()
  private readonly parked = new Map<string, WaitingCall>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly options: RedisWaitingQueueOptions) {
    const client = options.link.commands
    client.defineCommand('cti_queue_park', { numberOfKeys: 4, lua: source('queue-park') })
    client.defineCommand('cti_queue_leave', { numberOfKeys: 3, lua: source('queue-leave') })
    client.defineCommand('cti_queue_beat', { numberOfKeys: 1, lua: source('queue-beat') })
    client.defineCommand('cti_queue_claim', { numberOfKeys: 2, lua: source('queue-claim') })
    this.redis = client as unknown as QueueRedis
    // After an outage the calls waiting here are written again.
    options.link.on('up', () => {
      for (const [callId, call] of this.parked) this.write(callId, call)
    })
  }

  /** Beats (and looks for dead processes) every third of the timeout. */
  start(): void {
    this.timer = setInterval(() => void this.beat(), Math.max(250, Math.floor(this.options.timeoutMs / 3)))
    this.timer.unref()
    void this.beat()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /** Calls waiting on this process, as written to Redis. */
  get waiting(): number {
    return this.parked.size
  }

  /** The InteractionRouter listener. */
  readonly handle = (event: InteractionEvent): void => {
    switch (event.type) {
      case 'routed': {
        const { request } = event
        const caller = event.routed.caller.phone.ok ? event.routed.caller.phone.e164 : null
        this.routedAt.set(event.callId, { caller, dialed: request.dialed, channel: request.channel, kind: request.kind, direction: request.direction, at: request.at })
        return
      }
      case 'queued':
      case 'queue-moved': {
        const known = this.parked.get(event.callId)
        if (known?.queue === event.queue) return
        const base = known ?? this.routedAt.get(event.callId)
        if (!base) return
        if (known) this.leave(event.callId, known)
        const call = { ...base, queue: event.queue }
        this.parked.set(event.callId, call)
        this.write(event.callId, call)
        return
      }
      case 'dequeued': {
        const call = this.parked.get(event.callId)
        if (!call) return
        if (event.why !== 'callback') return this.leave(event.callId, call)
        // A call-back keeps the place: it still waits here, as a call-back.
        call.kind = 'callback'
        this.write(event.callId, call)
        return
      }
      case 'offered':
      case 'final':
        this.routedAt.delete(event.callId)
        return
      case 'ended': {
        this.routedAt.delete(event.callId)
        const call = this.parked.get(event.callId)
        // The caller's leg of a call-back that kept the place ends; the call-back waits on.
        if (call && call.kind !== 'callback') this.leave(event.callId, call)
        return
      }
    }
  }

  private write(callId: string, call: WaitingCall): void {
    const { keys, processId, link, logger } = this.options
    if (!link.inSync) return
    const score = queueScore(this.options.priorityOf(callId), call.at)
    this.redis
      .cti_queue_park(keys.queue(call.queue), keys.waitingCall(callId), keys.processCalls(processId), keys.processes, callId, score, processId, call.queue, JSON.stringify(call))
      .catch((err: unknown) => logger.warn({ err, callId, queue: call.queue }, 'waiting call not written to Redis'))
  }

  private leave(callId: string, call: WaitingCall): void {
    const { keys, processId, link, logger } = this.options
    this.parked.delete(callId)
    if (!link.inSync) return
    this.redis.cti_queue_leave(keys.queue(call.queue), keys.waitingCall(callId), keys.processCalls(processId), callId).catch((err: unknown) => logger.warn({ err, callId }, 'waiting call not removed from Redis'))
  }

  /** Beats, then takes over the calls of every process that stopped beating. */
  private async beat(): Promise<void> {
    const { keys, processId, timeoutMs, link, logger } = this.options
    if (!link.inSync) return
    try {
      const dead = await this.redis.cti_queue_beat(keys.processes, processId, timeoutMs)
      for (const deadId of dead) if (deadId !== processId) await this.takeOver(deadId)
    } catch (err) {
      logger.warn({ err }, 'queue heartbeat failed')
    }
  }

  private async takeOver(deadId: string): Promise<void> {
    const { keys, timeoutMs, logger, now, processId } = this.options
    const taken = await this.redis.cti_queue_claim(keys.processes, keys.processCalls(deadId), deadId, timeoutMs, keys.queueTag)
    for (let i = 0; i + 2 < taken.length; i += 3) {
      const callId = taken[i]!
      const queue = taken[i + 2]!
      let call: Partial<WaitingCall> = {}
      try {
        call = JSON.parse(taken[i + 1]!) as WaitingCall
      } catch (err) {
        logger.warn({ err, callId }, 'a waiting call taken over had unreadable details')
      }
      logger.warn({ callId, queue, deadProcess: deadId }, 'the process holding a waiting call stopped; the call is ended as failed')
      // A call-back's caller already has a record (the call ended when they asked): nothing to overwrite.
      if (call.kind === 'callback') continue
      this.options.record({
        callId,
        channel: call.channel ?? 'http',
        kind: call.kind,
        direction: call.direction,
        caller: call.caller ?? null,
        dialed: call.dialed ?? null,
        outcome: 'failed',
        reason: `waiting in queue ${queue} on server process ${deadId}, which stopped answering; ended by ${processId}`,
        at: now(),
        arrivedAt: call.at
      })
    }
  }
}
