import type { InteractionEvent } from '../../interactions/interaction-router.js'
import type { RouteDecision } from '../../routing/types.js'
import type { InviteDeps } from './invite-chain.js'
import type { QueueSpot } from '../queue-spot.js'
import { QueueWait } from './queue-wait.js'
import type { SipCall } from './sip-call.js'

/**
 * Follows the waits of the calls this adapter holds: 'queued' and 'queue-moved' tell a call's
 * position (sent to the caller as 182 Queued), 'offered' hands a waiting call its agent and
 * 'final' its queue's overflow. Events of calls not held here (other channels, other
 * processes) are ignored. Runs inside the router's emit: never throws, never waits.
 */
export function followQueue(deps: InviteDeps, event: InteractionEvent): void {
  if (deps.settings.mode !== 'in-path') return
  switch (event.type) {
    case 'queued':
    case 'queue-moved': {
      const call = deps.held.get(event.callId)
      if (!call || call.stopped) return
      const spot: QueueSpot = { queue: event.queue, position: event.position, estimatedWaitSeconds: event.estimatedWaitSeconds }
      if (call.queueWait) call.queueWait.moved(spot)
      else call.queueWait = new QueueWait(call, spot, deps.settings.queueRefreshSeconds)
      return
    }
    case 'offered':
      return deps.held.get(event.callId)?.queueWait?.done(event.routed.decision)
    case 'final':
      return deps.held.get(event.callId)?.queueWait?.done(event.decision)
  }
}

/**
 * Holds the caller's INVITE in the queue (182 Queued, refreshed) until the core hands the call
 * an agent or its overflow; null when the caller cancelled or the connection was lost meanwhile
 * (whoever stopped the call records its end: a CANCEL as abandoned, with the wait).
 */
export async function waitInQueue(call: SipCall, deps: InviteDeps, spot: QueueSpot): Promise<RouteDecision | null> {
  const wait = (call.queueWait ??= new QueueWait(call, spot, deps.settings.queueRefreshSeconds))
  call.onCancel = () => wait.done(null)
  call.onLost = () => wait.done(null)
  call.log.info({ queue: spot.queue, position: spot.position, estimatedWaitSeconds: spot.estimatedWaitSeconds }, 'call waits in queue')
  try {
    const decision = await wait.wait()
    if (decision) call.log.info({ agentId: decision.targets[0]?.agentId ?? null, sent182: wait.sent }, decision.targets[0] ? 'queue wait over: agent chosen' : 'queue wait over: overflow')
    return decision
  } finally {
    wait.done(null)
    if (call.queueWait === wait) call.queueWait = null
    call.onCancel = null
    call.onLost = null
  }
}
