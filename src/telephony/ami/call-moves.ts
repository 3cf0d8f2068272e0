import type { OfferFailure } from '../../routing/call-router.js'
import type { RouteDecision } from '../../routing/types.js'
import { queuedSpot, waitSeconds, type QueueSpot } from '../queue-spot.js'
import type { AgentDirectory } from './agent-directory.js'
import type { InboundCall, InboundCallTable } from './inbound-call-table.js'
import type { CallLifecycle, DialplanContexts, SendAction } from './inbound-calls.js'

export interface CallMovesOptions {
  lifecycle: CallLifecycle
  directory: AgentDirectory
  send: SendAction
  contexts: DialplanContexts
  table: InboundCallTable
  /** Seconds between announcements to a caller waiting in `queue` (CTI_ANNOUNCE_EVERY). */
  announceSeconds?: (queue: string) => number
  /** Ends a call the moves cannot carry on (a Redirect refused). */
  finish: (call: InboundCall, detail: { outcome: 'failed'; cause: string }) => void
}

/**
 * Carries out the core's decisions on a waiting channel: Setvar then Redirect
 * to the agent's extension, to the holding context when the call waits in a
 * queue, or to the final action. A Redirect Asterisk
 * refuses ends the call as failed; one not answered (connection lost) is kept
 * for the re-sync to check.
 */
export class CallMoves {
  constructor(private readonly options: CallMovesOptions) {}

  async carryOut(call: InboundCall, decision: RouteDecision): Promise<void> {
    for (let target = decision.targets[0]; target; ) {
      const line = this.options.directory.line(target.agentId)
      if (!line) {
        call.log.warn({ agentId: target.agentId }, 'agent has no extension to Redirect to; offering the next')
        const next = await this.options.lifecycle.failed(call.callId, target.agentId, 'unreachable')
        if (!next) return
        decision = next
        target = next.targets[0]
        continue
      }
      call.offered = target.agentId
      await this.redirect(call, this.options.contexts.agents, line.extension, { CTI_RING: String(target.ringSeconds), CTI_AGENT: target.agentId }, target.agentId)
      return
    }
    call.offered = null
    const spot = queuedSpot(decision)
    if (spot) return this.hold(call, spot)
    call.queued = null
    call.final = decision.final
    const argument = decision.final.kind === 'queue' ? decision.final.queue : decision.final.kind === 'voicemail' ? (decision.final.mailbox ?? '') : decision.final.cause
    await this.redirect(call, this.options.contexts.final, decision.final.kind, { CTI_FINAL: argument }, null)
  }

  /** Sends the call to wait in the holding context, with what it announces; the server's 'offered' takes it out. */
  async hold(call: InboundCall, spot: QueueSpot): Promise<void> {
    call.queued = spot
    const every = this.options.announceSeconds?.(spot.queue) ?? DEFAULT_ANNOUNCE_SECONDS
    call.log.info({ queue: spot.queue, position: spot.position, estimatedWaitSeconds: spot.estimatedWaitSeconds }, 'call waits in queue')
    await this.redirect(call, this.options.contexts.hold ?? DEFAULT_HOLD_CONTEXT, 's', { ...queueVariables(spot), CTI_ANNOUNCE_EVERY: String(every) }, null)
  }

  /** The waiting call's position or estimate changed: the next announcement says the new one. */
  async moved(call: InboundCall, spot: QueueSpot): Promise<void> {
    call.queued = spot
    try {
      await Promise.all(Object.entries(queueVariables(spot)).map(([name, value]) => this.options.send({ Action: 'Setvar', Channel: call.channel, Variable: name, Value: value })))
    } catch (err) {
      // The next move or announcement carries the position again; a channel gone is ended by its Hangup.
      call.log.info({ err, position: spot.position }, 'queue position not set on the channel')
    }
  }

  async redirect(call: InboundCall, context: string, exten: string, variables: Record<string, string>, agentId: string | null): Promise<void> {
    call.unconfirmed = null
    try {
      // One session's actions run in order: the variables are set before the Redirect moves the channel.
      const sets = Object.entries(variables).map(([name, value]) => this.options.send({ Action: 'Setvar', Channel: call.channel, Variable: name, Value: value }))
      const moved = this.options.send({ Action: 'Redirect', Channel: call.channel, Context: context, Exten: exten, Priority: '1' })
      await Promise.all([...sets, moved])
      call.log.info({ agentId, context, exten }, 'call redirected')
    } catch (err) {
      if (this.options.table.get(call.callId) !== call) return
      if ((err as { code?: string }).code !== 'CTI_ERR_AMI_REFUSED') {
        // No answer (connection lost, timeout): Asterisk may have moved the call. The re-sync after
        // the reconnection looks where the channel is and sends the move again if it still waits.
        call.unconfirmed = { context, exten, variables, agentId }
        call.log.warn({ agentId, context, exten, err }, 'Redirect not confirmed; the re-sync will check where the call is')
        return
      }
      const message = err instanceof Error ? err.message : String(err)
      call.log.warn({ agentId, context, exten, err }, 'Redirect refused; the call is ended as failed')
      this.options.lifecycle.note(call.callId, 'redirect-failed', { context, exten, message }, agentId)
      this.options.finish(call, { outcome: 'failed', cause: message })
    }
  }

  async offerFailed(call: InboundCall, agentId: string, why: OfferFailure, status: string): Promise<void> {
    call.offered = null
    call.log.info({ agentId, why, status }, 'agent did not answer')
    const next = await this.options.lifecycle.failed(call.callId, agentId, why)
    if (next) await this.carryOut(call, next)
  }
}

/** The shipped dialplan's holding context (sip-config/asterisk/extensions.conf). */
export const DEFAULT_HOLD_CONTEXT = 'cti-queue-hold'

/** How often a waiting caller hears their position when nothing says otherwise. */
export const DEFAULT_ANNOUNCE_SECONDS = 30

/** The channel variables the holding context announces from. */
function queueVariables(spot: QueueSpot): Record<string, string> {
  return { CTI_QUEUE_NAME: spot.queue, CTI_QUEUE_POSITION: String(spot.position), CTI_QUEUE_WAIT: String(waitSeconds(spot)) }
}
