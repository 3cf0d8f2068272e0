import type { InteractionEvent } from '../../interactions/interaction-router.js'
import type { CallMoves } from './call-moves.js'
import type { InboundCallTable } from './inbound-call-table.js'

/**
 * Follows the calls waiting in the holding context: 'queue-moved' sets the new position and wait
 * on the channel (Setvar: the next announcement says them), 'offered' Redirects the call to the
  * chosen agent, 'final' to the queue's overflow. Events of calls not waiting here are ignored.
 * Runs inside the router's emit: the AMI actions go out without being waited for.
 */
export function followQueue(table: InboundCallTable, moves: CallMoves, event: InteractionEvent): void {
  if (event.type !== 'queue-moved' && event.type !== 'offered' && event.type !== 'final') return
  const call = table.get(event.callId)
  if (!call?.queued || call.hungUp) return
  const done = (err: unknown) => call.log.error({ err, event: event.type }, 'moving a waiting call failed')
  switch (event.type) {
    case 'queue-moved':
      void moves.moved(call, { queue: event.queue, position: event.position, estimatedWaitSeconds: event.estimatedWaitSeconds }).catch(done)
      return
    case 'offered':
      call.queued = null
      call.log.info({ agentId: event.agentId }, 'queue wait over: agent chosen')
      void moves.carryOut(call, event.routed.decision).catch(done)
      return
    case 'final':
      call.queued = null
      call.log.info({ final: event.decision.final.kind }, 'queue wait over: overflow')
      void moves.carryOut(call, event.decision).catch(done)
  }
}

/**
 * A caller held after a transfer nobody took, put in a queue by the workplace ('queued'): they wait
 * in the holding context like any waiting call, and the agent the queue gives them later is offered
 * and reported answered as for a new call (the record keeps that the call was talked already).
 */
export function followTransferHold(table: InboundCallTable, moves: CallMoves, event: InteractionEvent): void {
  if (event.type !== 'queued') return
  const call = table.get(event.callId)
  if (call?.transfer?.phase !== 'held' || call.hungUp) return
  call.transfer = null
  call.answered = false
  call.log.info({ queue: event.queue, position: event.position }, 'caller held after a transfer goes to wait in queue')
  void moves.hold(call, { queue: event.queue, position: event.position, estimatedWaitSeconds: event.estimatedWaitSeconds }).catch((err: unknown) => call.log.error({ err }, 'moving a held caller into the queue failed'))
}
