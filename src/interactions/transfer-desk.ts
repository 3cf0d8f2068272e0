import type { Logger } from 'pino'
import { CtiError } from '../errors.js'
import type { AgentStateStore } from '../presence/agent-state-store.js'
import type { OfferFailure } from '../routing/call-router.js'
import type { AgentIndex } from '../routing/index.js'
import type { RouteDecision, RuleSet } from '../routing/types.js'
import type { CallControl, TransferEvents } from './call-control.js'
import type { InteractionRouter } from './interaction-router.js'
import { requestedAgentRules } from './requested-agent.js'

export interface TransferDeskOptions {
  interactions: InteractionRouter
  callControl: CallControl | null
  agents: AgentIndex
  agentStates: AgentStateStore
  rules: () => RuleSet
  ringSeconds: number
  /** Where a call goes when its transfer is not taken: back to the agent who made it, or by the rules. */
  notTaken: 'back' | 'rules'
  logger: Logger
  now: () => number
}

/** Whom a call is handed to: a named colleague, anyone free in a team, or whoever the rules choose. */
export type TransferTarget = { agentId: string } | { team: string } | { rules: true }

export interface TransferStarted {
  callId: string
  fromAgentId: string
  toAgentId: string
  toName: string | null
  ringSeconds: number
}

export const TransferErrors = {
  noTelephony: () => new CtiError('CTI_ERR_NO_TELEPHONY', 'transfers are made through Asterisk (set AMI_HOST) or drachtio in path (SIP_DRACHTIO_HOST); neither is configured here', 503, 503),
  notTalking: (callId: string) => new CtiError('CTI_ERR_CALL_NOT_FOUND', `you are not talking on call ${callId}: only the agent on a live call hands it on`, 404, 404),
  underWay: (callId: string) => new CtiError('CTI_ERR_TRANSFER_UNDER_WAY', `call ${callId} is being transferred already; wait for that to end`, 409, 409),
  nobody: (why: string) => new CtiError('CTI_ERR_TRANSFER_REFUSED', `nobody can take the call now (${why}); it stays with you`, 409, 409),
  sameAgent: () => new CtiError('CTI_ERR_BAD_REQUEST', 'you cannot transfer a call to yourself', 400, 400)
}

/**
 * Blind transfers from the agent's page. The core chooses and reserves the target (a named
 * colleague is still checked: state, capacity) and puts the transferring agent into wrap-up; the
 * telephony then moves the caller. When the telephony refuses, the call is given back to the
 * agent still talking on it. When the target does not take it, the call goes back to the agent
 * who made the transfer (their wrap-up cut short) or where the rules say, and is never lost.
 */
export class TransferDesk {
  private readonly underWay = new Set<string>()

  constructor(private readonly options: TransferDeskOptions) {}

  async transfer(callId: string, fromAgentId: string, target: TransferTarget, note: string | null): Promise<TransferStarted> {
    const { interactions, callControl, agents, logger } = this.options
    if (!callControl) throw TransferErrors.noTelephony()
    const progress = interactions.progress(callId)
    if (!progress?.answered || progress.agentId !== fromAgentId || !callControl.holds(callId)) throw TransferErrors.notTalking(callId)
    if ('agentId' in target && target.agentId === fromAgentId) throw TransferErrors.sameAgent()
    if (this.underWay.has(callId)) throw TransferErrors.underWay(callId)
    const story = { fromAgentId, fromName: agents.get(fromAgentId)?.profile.name ?? null, note }
    const decision = await interactions.transfer(callId, fromAgentId, this.rulesFor(target), story)
    if (!decision) throw TransferErrors.notTalking(callId)
    const to = decision.targets[0]
    if (!to) throw TransferErrors.nobody(decision.reason)
    this.underWay.add(callId)
    const log = logger.child({ callId, fromAgentId, toAgentId: to.agentId })
    const events: TransferEvents = {
      answered: () => {
        this.underWay.delete(callId)
        interactions.answered(callId, to.agentId)
      },
      failed: (why) => void this.notTaken(callId, fromAgentId, to.agentId, why, log)
    }
    try {
      await callControl.transfer({ callId, fromAgentId, toAgentId: to.agentId, ringSeconds: to.ringSeconds }, events)
    } catch (err) {
      this.underWay.delete(callId)
      log.warn({ err }, 'the telephony refused the transfer; the call stays with the agent')
      await this.giveBack(callId, to.agentId, fromAgentId)
      throw err
    }
    log.info({ ringSeconds: to.ringSeconds, note }, 'call transferred; the colleague rings')
    return { callId, fromAgentId, toAgentId: to.agentId, toName: agents.get(to.agentId)?.profile.name ?? null, ringSeconds: to.ringSeconds }
  }

  private rulesFor(target: TransferTarget): RuleSet {
    const base = this.options.rules()
    const ringSeconds = this.options.ringSeconds
    if ('agentId' in target) {
      const named = requestedAgentRules(base, target.agentId)
      return { ...named, rules: named.rules.map((r) => ({ ...r, name: `transfer to ${target.agentId}`, steps: [{ kind: 'agent' as const, agentId: target.agentId, ringSeconds }] })) }
    }
    if ('team' in target) {
      const otherwise = { kind: 'reject' as const, cause: `nobody in team ${target.team} can take it now`, sipStatus: 480 as const }
      return { ...base, rules: [{ name: `transfer to team ${target.team}`, source: 'request', priority: 0, steps: [{ kind: 'team', team: target.team, strategy: 'longest-idle', ringSeconds }], otherwise }], fallback: otherwise }
    }
    return base
  }

  /** The target did not take it: back to the agent who transferred it, or by the rules. */
  private async notTaken(callId: string, fromAgentId: string, toAgentId: string, why: OfferFailure, log: Logger): Promise<void> {
    this.underWay.delete(callId)
    const back = this.options.notTaken === 'back'
    if (back) this.cutWrapUp(fromAgentId)
    const rules = back ? requestedAgentRules(this.options.rules(), fromAgentId) : this.options.rules()
    let decision: RouteDecision | null = null
    try {
      decision = await this.options.interactions.transferNotTaken(callId, toAgentId, why, fromAgentId, rules)
    } catch (err) {
      log.error({ err }, 'a transfer not taken could not be routed again')
    }
    const next = decision?.targets[0]
    log.info({ why, next: next?.agentId ?? null, final: next ? undefined : decision?.final.kind }, 'transfer not taken')
    if (!next || !this.options.callControl) return
    // The caller waits in the telephony's hold: moving them to the next agent is another transfer leg.
    const events: TransferEvents = {
      answered: () => this.options.interactions.answered(callId, next.agentId),
      failed: (again) => void this.notTaken(callId, fromAgentId, next.agentId, again, log)
    }
    await this.options.callControl.transfer({ callId, fromAgentId, toAgentId: next.agentId, ringSeconds: next.ringSeconds }, events).catch((err: unknown) => log.error({ err }, 'the held caller could not be moved to the next agent'))
  }

  /** The telephony did not move the caller: they still talk with `fromAgentId`, who gets the call back at once. */
  private async giveBack(callId: string, toAgentId: string, fromAgentId: string): Promise<void> {
    this.cutWrapUp(fromAgentId)
    const decision = await this.options.interactions.transferNotTaken(callId, toAgentId, 'unreachable', fromAgentId, requestedAgentRules(this.options.rules(), fromAgentId))
    if (decision?.targets[0]?.agentId === fromAgentId) this.options.interactions.answered(callId, fromAgentId)
  }

  /** An agent in wrap-up after handing a call on is free for it again (only from wrap-up: not when away). */
  private cutWrapUp(agentId: string): void {
    if (this.options.agents.get(agentId)?.state.status === 'wrap-up') this.options.agentStates.setState(agentId, 'available', this.options.now())
  }
}
