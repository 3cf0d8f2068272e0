import type { Logger } from 'pino'
import type { InteractionRouter } from '../../interactions/interaction-router.js'
import type { RouteDecision } from '../../routing/types.js'
import { DIAL_FAILURES } from './inbound-calls.js'

/** What the dialplan is told to do next: a ready Dial() argument, or nothing (the final action). */
export interface DialAnswer {
  callId: string
  /** "PJSIP/1001,20", or "" when nobody (more) can take the call. */
  dial: string
  agentId: string | null
  /** The final action's kind when `dial` is empty because of the decision. */
  final: string | null
}

export interface CurlCallsOptions {
  interactions: Pick<InteractionRouter, 'route' | 'failed' | 'answered' | 'ended' | 'note'>
  /** The extension to dial for an agent, or null when they have none. */
  extensionOf: (agentId: string) => string | null
  /** Dial string with {extension}, e.g. "PJSIP/{extension}". */
  dialTemplate: string
  logger: Pick<Logger, 'info' | 'warn'>
  /** Seconds past an offer's ring time the server waits for the dialplan's report before it releases the agent. */
  reportGraceSeconds?: number
}

interface CurlCall {
  callId: string
  offered: string | null
  answered: boolean
  timer: NodeJS.Timeout | undefined
}

const REPORT_GRACE_SECONDS = 5

/**
 * Calls of a dialplan that asks over HTTP with CURL() and dials itself
 * (sip-config/asterisk [cti-inbound-curl]). The dialplan reports each step:
 * answered (from Dial's U() routine on the agent's leg), no-answer with
 * DIALSTATUS (answered with the next Dial argument), ended (from a hangup
 * handler). The server never moves to a next agent on its own: Asterisk is the
 * one ringing, so a second agent would be reserved and screen-popped while the
 * first may be talking. When no report comes within the ring time and a grace,
 * the agent is released and the call ended.
 */
export class CurlCalls {
  private readonly calls = new Map<string, CurlCall>()

  constructor(private readonly options: CurlCallsOptions) {}

  async dial(request: { caller: string | null; dialed: string | null; channel?: string }): Promise<DialAnswer> {
    const routed = await this.options.interactions.route({ callId: request.channel, caller: request.caller, dialed: request.dialed, channel: 'ami', kind: 'call', ringTimer: false })
    const call: CurlCall = { callId: routed.callId, offered: null, answered: false, timer: undefined }
    this.forget(this.calls.get(call.callId))
    this.calls.set(call.callId, call)
    return this.offer(call, routed.decision)
  }

  /** The agent offered now answered; false when the call is not ringing anybody. */
  answered(callId: string): boolean {
    const call = this.calls.get(callId)
    if (!call || call.offered === null) return false
    if (call.answered) return true
    if (!this.options.interactions.answered(callId, call.offered)) return false
    clearTimeout(call.timer)
    call.answered = true
    return true
  }

  /** Dial() returned without an answer: the next Dial argument, or "" for the final action. */
  async noAnswer(callId: string, status: string): Promise<DialAnswer> {
    const call = this.calls.get(callId)
    if (!call || call.offered === null || call.answered) {
      this.options.logger.info({ callId, status }, 'no-answer report for a call not ringing anybody; the dialplan goes to its final action')
      return { callId, dial: '', agentId: null, final: null }
    }
    clearTimeout(call.timer)
    const agentId = call.offered
    call.offered = null
    const next = await this.options.interactions.failed(callId, agentId, DIAL_FAILURES[status] ?? 'ring-timeout')
    if (!next) {
      this.forget(call)
      return { callId, dial: '', agentId: null, final: null }
    }
    return this.offer(call, next)
  }

  /** The caller's channel hung up (the dialplan's hangup handler). */
  ended(callId: string, cause: string | undefined): boolean {
    const call = this.calls.get(callId)
    this.forget(call)
    // Hung up while an agent's phone rang: the caller gave up.
    const abandoned = call !== undefined && call.offered !== null && !call.answered
    return this.options.interactions.ended(callId, { cause, outcome: abandoned ? 'abandoned' : undefined })
  }

  close(): void {
    for (const call of this.calls.values()) clearTimeout(call.timer)
    this.calls.clear()
  }

  private async offer(call: CurlCall, decision: RouteDecision): Promise<DialAnswer> {
    const { interactions, logger } = this.options
    for (let target = decision.targets[0]; target; target = decision.targets[0]) {
      const extension = this.options.extensionOf(target.agentId)
      if (extension !== null) {
        call.offered = target.agentId
        this.waitForReport(call, target.agentId, target.ringSeconds)
        return { callId: call.callId, dial: `${this.options.dialTemplate.replaceAll('{extension}', extension)},${target.ringSeconds}`, agentId: target.agentId, final: null }
      }
      logger.warn({ callId: call.callId, agentId: target.agentId }, 'agent has no extension to dial; offering the next')
      const next = await interactions.failed(call.callId, target.agentId, 'unreachable')
      if (!next) break
      decision = next
    }
    // Nobody is reserved any more; the final action (voicemail, queue, reject) is the dialplan's.
    this.forget(call)
    interactions.ended(call.callId)
    return { callId: call.callId, dial: '', agentId: null, final: decision.final.kind }
  }

  private waitForReport(call: CurlCall, agentId: string, ringSeconds: number): void {
    clearTimeout(call.timer)
    const seconds = ringSeconds + (this.options.reportGraceSeconds ?? REPORT_GRACE_SECONDS)
    call.timer = setTimeout(() => {
      if (this.calls.get(call.callId) !== call || call.answered) return
      this.options.logger.warn({ callId: call.callId, agentId, seconds }, 'no answered or no-answer report from the dialplan; the agent is released and the call ended')
      this.options.interactions.note(call.callId, 'dialplan-silent', { seconds }, agentId)
      this.forget(call)
      this.options.interactions.ended(call.callId, { cause: `no report from the dialplan within ${seconds} s` })
    }, seconds * 1000)
    call.timer.unref()
  }

  private forget(call: CurlCall | undefined): void {
    if (!call) return
    clearTimeout(call.timer)
    if (this.calls.get(call.callId) === call) this.calls.delete(call.callId)
  }
}
