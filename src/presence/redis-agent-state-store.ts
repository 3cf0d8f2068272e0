import type { Logger } from 'pino'
import type { InteractionEvent, ReservationOutcome } from '../interactions/interaction-router.js'
import type { AgentIndex } from '../routing/agent-index.js'
import type { CallRouter } from '../routing/call-router.js'
import type { AgentStateStore, ChosenStatus, StoreReadiness } from './agent-state-store.js'
import { OwnCalls } from './own-calls.js'
import type { RedisKeys } from './redis-keys.js'
import type { RedisLink } from './redis-link.js'
import { ConfirmationHealth, type UnconfirmedOutcome } from './confirmation-health.js'
import type { WrapUpEnds } from './wrap-up-ends.js'
import { WriteQueue } from './write-queue.js'
import { holderOf, parseSharedState, type SharedAgentState } from './shared-agent-state.js'

type AgentScript = 'cti_reserve' | 'cti_answered' | 'cti_finish' | 'cti_set_presence' | 'cti_reassert' | 'cti_snapshot'

/** Reserve scripts sent per reservation before it counts as unconfirmed: the second answer says whether the first arrived. */
const CONFIRM_ATTEMPTS = 2

export interface RedisAgentStateStoreOptions {
  link: RedisLink
  keys: RedisKeys
  index: AgentIndex
  router: CallRouter
  /** Unique among the processes sharing the store. */
  processId: string
  /** How long a reservation outlives its process's last refresh. */
  leaseMs: number
  wrapUpSeconds: number
  /** Ends wrap-ups on time here; the store writes each end to Redis, where the others read it. */
  wrapUps?: WrapUpEnds
  logger: Logger
  now: () => number
}

/**
 * Agents' states shared through Redis. The index stays this process's replica: the core decides
 * and reserves on it synchronously, then `confirmReservation` runs the reserve script, which refuses
 * when another process holds the agent's last slot. Every change is published by the script that
 * made it; each process applies it to its replica, counting its own calls from its router and the
 * others' from the published state. While Redis is unreachable the process routes on its replica
 * alone and keeps what it did; when Redis is back it writes that back, re-checking its reservations.
 */
export class RedisAgentStateStore implements AgentStateStore {
  private readonly own = new OwnCalls()
  private readonly shared = new Map<string, SharedAgentState>()
  private readonly writes: WriteQueue
  private readonly timers: NodeJS.Timeout[] = []
  private readonly health: ConfirmationHealth
  /** Told after the replica took in an agent's shared state (another process freed them, say): waiting calls are served. */
  synced: ((agentId: string) => void) | null = null
  /** Counts this process's writes; a hold in Redis carries the seq it was written with (see finish.lua). */
  private seq = 0

  constructor(private readonly options: RedisAgentStateStoreOptions) {
    const { link, keys, logger } = options
    this.writes = new WriteQueue({ link, logger })
    this.health = new ConfirmationHealth({ link, now: options.now })
    link.handle(keys.agentsChannel, (message) => this.received(message))
    link.on('up', () => void this.reconcile())
    options.wrapUps?.onEnded((agentIds) => void this.wrapUpsEnded(agentIds).catch((err: unknown) => logger.warn({ err, agentIds }, 'wrap-up end not written to Redis')))
  }

  /** Starts refreshing this process's leases and sweeping expired ones of dead processes. */
  start(): void {
    const { leaseMs } = this.options
    const every = (ms: number, work: () => Promise<void>) => {
      const timer = setInterval(() => void work().catch((err: unknown) => this.options.logger.warn({ err }, 'shared agent state upkeep failed')), ms)
      timer.unref()
      this.timers.push(timer)
    }
    every(Math.max(100, Math.floor(leaseMs / 3)), () => this.refreshLeases())
    every(Math.max(100, Math.floor(leaseMs / 2)), () => this.sweep())
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer)
    this.writes.close()
  }

  readiness(): StoreReadiness {
    return this.health.readiness()
  }

  /** True while Redis is unreachable, or did not confirm a reservation in time lately. */
  get degraded(): boolean {
    return this.health.degradedReason() !== null
  }

  /** Why agent states are degraded now (see ConfirmationHealth); null when not. */
  degradedReason(): 'redis-unreachable' | 'redis-timeout' | null {
    return this.health.degradedReason()
  }

  /** Tells `listener` of every reservation Redis did not confirm (for the metrics). */
  onUnconfirmed(listener: (outcome: UnconfirmedOutcome) => void): void {
    this.health.onUnconfirmed(listener)
  }

  /**
   * The InteractionRouter's confirmation hook. A reserve that times out on a live connection still
   * runs in Redis later, in order: it is sent once more (idempotent by call id, so that answer covers
   * both), and when that times out too the reservation is withdrawn and released in Redis by call id,
   * a write that runs after both attempts. Only while Redis is unreachable is a reservation kept
   * unconfirmed (degraded), to be written back when Redis returns.
   */
  readonly confirmReservation = async (agentId: string, callId: string, _ringSeconds: number): Promise<ReservationOutcome> => {
    const { link, processId, leaseMs, logger } = this.options
    this.own.add(agentId, callId)
    const capacity = this.options.index.get(agentId)?.profile.capacity ?? 1
    for (let attempt = 1; attempt <= CONFIRM_ATTEMPTS; attempt++) {
      // Released meanwhile (the call ended, the lease upkeep dropped it): that release went out after
      // the first attempt and covers it, but a second attempt would reach Redis after it and hold the
      // agent again until the lease ran out.
      if (attempt > 1 && !this.own.has(agentId, callId)) {
        this.health.unconfirmed('withdrawn')
        return 'unconfirmed'
      }
      if (!link.inSync) return this.keptDegraded(agentId, callId, capacity)
      try {
        const [ok, why] = (await this.script('cti_reserve', agentId, [callId, processId, capacity, leaseMs, ++this.seq])) as [number, string]
        if (ok === 1) return 'confirmed'
        this.own.remove(agentId, callId)
        logger.debug({ callId, agentId, why }, 'reservation refused by the shared store')
        return 'taken'
      } catch (err) {
        // The connection dropped: what Redis got is unknown, and the outage's write-back settles it.
        if (!link.connected) return this.keptDegraded(agentId, callId, capacity)
        logger.warn({ err, callId, agentId, attempt }, 'reservation not confirmed by Redis in time')
      }
    }
    this.finish(agentId, callId)
    this.health.unconfirmed('withdrawn')
    return 'unconfirmed'
  }

  /** Follows the InteractionRouter: releases, answers and ends are written to the store. */
  readonly handle = (event: InteractionEvent): void => {
    switch (event.type) {
      case 'offered':
        for (const agentId of this.own.agentsOf(event.callId)) if (agentId !== event.agentId) this.finish(agentId, event.callId)
        this.own.add(event.agentId, event.callId)
        return
      case 'offer-failed':
        this.finish(event.agentId, event.callId)
        return
      case 'answered': {
        const { agentId, callId } = event
        const seq = ++this.seq
        this.writes.now(() => this.script('cti_answered', agentId, [callId, this.options.processId, this.options.leaseMs, seq]))
        return
      }
      case 'final':
      case 'ended':
        for (const agentId of this.own.agentsOf(event.callId)) this.finish(agentId, event.callId)
        return
    }
  }

  setState(agentId: string, status: ChosenStatus, at: number): boolean {
    if (!this.options.index.setAgentState(agentId, status, at)) return false
    this.writes.now(() => this.script('cti_set_presence', agentId, [status, at], at))
    return true
  }

  /** Reads every indexed agent's shared state into the replica (start-up, after an outage). */
  async loadAll(): Promise<void> {
    const failed = await this.snapshots(this.options.index.snapshot().map((view) => view.profile.id))
    if (failed) throw failed
  }

  /** Applies the shared state of an agent the index has just (re)loaded from the CRM. */
  async agentLoaded(agentId: string): Promise<void> {
    this.syncIndex(agentId)
    if (this.options.link.inSync) await this.script('cti_snapshot', agentId, [])
  }

  /** Degraded: the replica decides; the reservation is written back when Redis returns. */
  private keptDegraded(agentId: string, callId: string, capacity: number): ReservationOutcome {
    const { processId, leaseMs } = this.options
    const seq = ++this.seq
    this.writes.later(() => this.script('cti_reassert', agentId, [callId, 'r', processId, leaseMs, capacity, seq]))
    this.health.unconfirmed('kept')
    return 'degraded'
  }

  private finish(agentId: string, callId: string): void {
    if (!this.own.remove(agentId, callId)) return
    const at = this.options.now()
    // The seq is taken now: a hold this process writes later for the same call is newer than this release.
    const seq = ++this.seq
    this.writes.now(() => this.script('cti_finish', agentId, [callId, this.options.wrapUpSeconds, this.options.processId, seq], at))
  }

  /** Runs an agent script with the agent's keys and common arguments in front of `args`. */
  private script(name: AgentScript, agentId: string, args: (string | number)[], at = this.options.now()): Promise<unknown> {
    const { keys, link } = this.options
    return link.commands[name](keys.agent(agentId), keys.agentCalls(agentId), keys.agentLeases(agentId), keys.agentFinished(agentId), agentId, keys.agentsChannel, at, ...args).then((result) => {
      // Scripts return the new state (alone, or last): applied now rather than when the message comes round.
      if (typeof result === 'string') this.apply(result)
      else if (Array.isArray(result) && typeof result[result.length - 1] === 'string') this.apply(result[result.length - 1] as string)
      return result
    })
  }

  /** Ends due wrap-ups in Redis (the snapshot script does, on this process's clock) and publishes them. */
  private async wrapUpsEnded(agentIds: readonly string[]): Promise<void> {
    if (!this.options.link.inSync) return
    const failed = await this.snapshots(agentIds)
    if (failed) this.options.logger.warn({ err: failed, agentIds }, 'wrap-up end not written to Redis')
  }

  /**
   * Runs the snapshot script for each agent in one pipeline (dropping expired leases, ending due
   * wrap-ups, publishing what changed) and applies the states; returns the first error, if any.
   */
  private async snapshots(agentIds: readonly string[]): Promise<Error | null> {
    if (agentIds.length === 0) return null
    const { keys, link, now } = this.options
    const pipeline = link.commands.pipeline()
    for (const id of agentIds) (pipeline as any).cti_snapshot(keys.agent(id), keys.agentCalls(id), keys.agentLeases(id), keys.agentFinished(id), id, keys.agentsChannel, now())
    let failed: Error | null = null
    for (const [err, json] of (await pipeline.exec()) ?? []) {
      if (err) failed ??= err
      else this.apply(json as string)
    }
    return failed
  }

  private received(message: string): void {
    this.apply(message)
  }

  /** Takes a published state into the replica; one older than known is ignored. */
  private apply(json: string): void {
    const state = parseSharedState(json)
    if (!state) {
      this.options.logger.warn({ message: json.slice(0, 200) }, 'malformed shared agent state ignored')
      return
    }
    const known = this.shared.get(state.id)
    if (known && known.v >= state.v) return
    this.shared.set(state.id, state)
    this.syncIndex(state.id)
  }

  /** The replica's state of one agent: the store's presence, this process's own calls, the others' calls. */
  private syncIndex(agentId: string): void {
    const state = this.shared.get(agentId)
    if (!state) return
    const { processId, router, index, now } = this.options
    let ringingCalls = 0
    let talkingCalls = 0
    for (const value of Object.values(state.calls)) {
      const holder = holderOf(value)
      if (holder.process === processId) continue
      if (holder.talking) talkingCalls++
      else ringingCalls++
    }
    for (const callId of this.own.callsOf(agentId)) {
      const progress = router.progress(callId)
      if (progress?.agentId !== agentId) continue
      if (progress.answered) talkingCalls++
      else ringingCalls++
    }
    const wrapUpUntil = state.presence === 'wrap-up' && state.wrapUpUntil > 0 ? state.wrapUpUntil : null
    index.restoreState(
      agentId,
      { presence: state.presence, ringingCalls, talkingCalls, wrapUpUntil, callsToday: state.callsToday, lastCallEndedAt: state.lastCallEndedAt > 0 ? state.lastCallEndedAt : null },
      now()
    )
    if (wrapUpUntil !== null) this.options.wrapUps?.watch(agentId)
    this.synced?.(agentId)
  }

  /** Keeps this process's reservations alive; forgets (and releases) the ones its router no longer holds. */
  private async refreshLeases(): Promise<void> {
    if (!this.options.link.inSync) return
    const { keys, link, router, leaseMs } = this.options
    const pipeline = link.commands.pipeline()
    let any = false
    for (const agentId of [...this.own.agents()]) {
      const held = [...this.own.callsOf(agentId)].filter((callId) => {
        if (router.progress(callId)?.agentId === agentId) return true
        this.finish(agentId, callId)
        return false
      })
      if (held.length === 0) continue
      ;(pipeline as any).cti_refresh(keys.agentLeases(agentId), leaseMs, ...held)
      any = true
    }
    if (any) await pipeline.exec()
  }

  /** Drops the expired reservations (of processes that died) on agents this replica sees busy elsewhere. */
  private async sweep(): Promise<void> {
    if (!this.options.link.inSync) return
    const { processId } = this.options
    const busyElsewhere = [...this.shared.values()].filter((state) => Object.values(state.calls).some((value) => holderOf(value).process !== processId))
    const failed = await this.snapshots(busyElsewhere.map((state) => state.id))
    if (failed) throw failed
  }

  /**
   * After an outage: writes back what this process did meanwhile (in order), re-asserts every call
   * it holds (logging an agent left over capacity: two processes booked them while apart), re-asserts
   * agents' last known choices (the newest wins), then reads every agent's state afresh.
   */
  private async reconcile(): Promise<void> {
    const { link, router, index, processId, leaseMs, logger } = this.options
    try {
      await this.writes.drain()
      const reasserts: Promise<void>[] = []
      for (const agentId of [...this.own.agents()]) {
        const capacity = index.get(agentId)?.profile.capacity ?? 1
        for (const callId of [...this.own.callsOf(agentId)]) {
          const progress = router.progress(callId)
          if (progress?.agentId !== agentId) {
            this.finish(agentId, callId)
            continue
          }
          reasserts.push(
            this.script('cti_reassert', agentId, [callId, progress.answered ? 't' : 'r', processId, leaseMs, capacity, ++this.seq]).then((result) => {
              if ((result as [number])[0] === 1) logger.warn({ agentId, callId, capacity }, 'agent holds more calls than their capacity after the Redis outage (booked by two processes meanwhile)')
            })
          )
        }
      }
      for (const state of [...this.shared.values()]) {
        if (state.setAt > 0 && state.presence !== 'ringing' && state.presence !== 'busy') reasserts.push(this.script('cti_set_presence', state.id, [state.presence, state.setAt]).then(() => undefined))
      }
      await Promise.all(reasserts)
      // Redis may have restarted empty (versions from 1 again): what it holds now is the truth, and
      // only a state published after it is read may replace it.
      for (const state of this.shared.values()) state.v = -1
      await this.loadAll()
      await this.writes.drain()
      link.markInSync()
    } catch (err) {
      logger.warn({ err }, 'reconciling with Redis failed; retrying at the next reconnection')
    }
  }
}
