/**
 * Types of the waiting queue in the routing core. An interaction whose rule finds nobody free and
 * ends in `queue: NAME` (or whose step says to wait for its agents) is parked in the CallRouter,
 * not ended: it waits there, indexed by the agents its current stage accepts, until one of them
 * frees up, its wait for the step runs out (widening), or the queue's longest wait is reached
 * (overflow). Everything is pure and synchronous: the service around the core calls the router
 * after each event and runs one timer at `nextDueAt()`.
 */
import type { FinalAction, InteractionKind, RouteDecision } from '../types.js'

/** A wallboard threshold: at or past `warn` the figure shows amber, at or past `alert` red. */
export interface Threshold {
  warn: number
  alert: number
}

export interface QueueThresholds {
  /** Interactions waiting now. */
  waiting: Threshold
  /** The longest current wait, in seconds. */
  longestWaitSeconds: Threshold
  /** Share answered within serviceLevelSeconds. Lower is worse: amber below `warn`, red below `alert` (alert <= warn). */
  serviceLevelPercent: Threshold
}

/** What a queue does when nobody who could take the call is logged in (app_queue's joinempty). */
export type WhenNobodyLoggedIn = 'overflow' | 'wait'

/** One queue's settings, from `queues.yaml` of the rules set. */
export interface QueueSettings {
  name: string
  /** Where it was configured ("queues.yaml:4"), or null for a queue given its defaults. */
  source: string | null
  /** The longest wait; when it is reached the overflow applies. */
  maxWaitSeconds: number
  /** What happens at the longest wait, when the queue is full, or when nobody is logged in. */
  overflow: FinalAction
  /** The most interactions waiting at once; an arrival over it goes to overflow at once. */
  maxWaiting: number
  /** Answered within this many seconds counts as within the service level (reports, wallboard). */
  serviceLevelSeconds: number
  /** How often adapters announce the position and estimated wait to the caller; 0 for never. */
  announceEverySeconds: number
  /**
   * 'overflow' (default): when every agent who could take the interaction is offline, the overflow
   * applies at once. 'wait': it waits anyway. Agents away, in wrap-up or on a call count as logged in.
   */
  whenNobodyLoggedIn: WhenNobodyLoggedIn
  thresholds: QueueThresholds
}

/** Settings of a queue the rules set does not configure (only for rule sets built in code). */
export const DEFAULT_QUEUE_SETTINGS: Readonly<Omit<QueueSettings, 'name' | 'source'>> = Object.freeze({
  maxWaitSeconds: 600,
  overflow: Object.freeze({ kind: 'voicemail', mailbox: null, callbackTask: true }) as FinalAction,
  maxWaiting: 1000,
  serviceLevelSeconds: 20,
  announceEverySeconds: 30,
  whenNobodyLoggedIn: 'overflow',
  thresholds: Object.freeze({
    waiting: { warn: 5, alert: 10 },
    longestWaitSeconds: { warn: 60, alert: 120 },
    serviceLevelPercent: { warn: 80, alert: 60 }
  })
})

export function defaultQueueSettings(name: string): QueueSettings {
  return { name, source: null, ...DEFAULT_QUEUE_SETTINGS }
}

/**
 * Where a waiting interaction stands. `position` is 1-based among the interactions waiting for
 * the same agents (those of its current stage's widest step), ordered by priority then arrival.
 */
export interface QueuedPosition {
  queue: string
  position: number
  /** Estimate, see routing-rules/README.md: position × recent mean handle time ÷ logged-in agents who fit. */
  estimatedWaitSeconds: number
  /** How long it has waited so far (since it was first parked; a call-back keeps the call's wait). */
  waitedMs: number
  priority: number
  /** 'callback' once the caller asked to be called back (keepPlace). */
  kind: InteractionKind
}

/** A waiting interaction the core gave an agent: `decision.targets[0]` is reserved (ringing) now. */
export interface QueueServed {
  interactionId: string
  /** targets[0] is reserved; `trace.steps` ends with a step 'queue NAME' whose note says why it was picked and its wait. */
  decision: RouteDecision
  queue: string
  waitedMs: number
  /** 'callback': the service places the call to the customer (Originate) once the agent is reserved. */
  kind: InteractionKind
}

/** Something that happened to a waiting interaction because time passed (dueWaits). */
export type QueueTimeout =
  /** The wait for a step's agents ran out; `steps` names the steps now also accepted. */
  | { kind: 'widened'; interactionId: string; queue: string; waitedMs: number; steps: string[]; served: QueueServed | null }
  /**
   * The queue's longest wait was reached and its overflow is not another queue: the interaction
   * has left the core (as after ended()); the service applies `final` (voicemail, reject).
   */
  | { kind: 'overflow'; interactionId: string; queue: string; final: FinalAction; waitedMs: number; reason: string }
  /** The overflow is another queue: the interaction waits there now, keeping its place by arrival. */
  | { kind: 'moved'; interactionId: string; from: string; queue: string; waitedMs: number; position: QueuedPosition }

/** One waiting interaction as lists show it. */
export interface QueuedCall {
  interactionId: string
  position: number
  priority: number
  waitedMs: number
  estimatedWaitSeconds: number
  kind: InteractionKind
}

/** One queue now, for GET /v1/queues and the wallboard. */
export interface QueueSnapshot {
  name: string
  settings: QueueSettings
  waiting: number
  /** 0 when nobody waits. */
  longestWaitMs: number
  /** Highest priority first, then longest wait. */
  calls: QueuedCall[]
}

/** How a wait ended when the interaction left the queue without being served (ended, cancel, abandon). */
export interface WaitEnd {
  interactionId: string
  queue: string
  waitedMs: number
  kind: InteractionKind
}
