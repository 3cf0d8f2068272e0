import type { RouteDecision } from '../routing/types.js'
import type { QueuedPosition } from '../routing/waiting/types.js'

/** Where a waiting call stands in its queue, as the adapters tell the caller (SIP headers, Asterisk variables). */
export type QueueSpot = Pick<QueuedPosition, 'queue' | 'position' | 'estimatedWaitSeconds'>

/** The spot a decision parked the interaction at, or null when it waits nowhere (it has an agent, or a final action). */
export function queuedSpot(decision: RouteDecision | null | undefined): QueueSpot | null {
  const queued = decision && decision.targets.length === 0 ? decision.queued : undefined
  return queued ? { queue: queued.queue, position: queued.position, estimatedWaitSeconds: queued.estimatedWaitSeconds } : null
}

/** The estimated wait in whole seconds, never negative, as callers are told it. */
export function waitSeconds(spot: QueueSpot): number {
  return Math.max(0, Math.round(spot.estimatedWaitSeconds))
}
