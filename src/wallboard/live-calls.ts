import type { InteractionEvent } from '../interactions/interaction-router.js'
import type { RuleSet } from '../routing/types.js'
import type { WaitOutcome } from './today-counters.js'

/** A call in progress as the wallboard shows it. Times are epoch ms. */
export interface BoardCall {
  id: string
  caller: string | null
  callerName: string | null
  customer: { id: string; name: string } | null
  agentId: string | null
  rule: string | null
  /** The queue it waits in, or would wait in (its rule's `otherwise: queue`); null for none. */
  queue: string | null
  phase: 'waiting' | 'ringing' | 'talking'
  arrivedAt: number
  /** When its current wait began (arrival, or the last failed offer). */
  waitingSince: number
  answeredAt: number | null
  /** 1-based place in its queue while it waits there. */
  position: number | null
  /** Who may see it: the agent's team once an agent has it, else the teams its rule offers it to. */
  teams: string[]
}

/** What happened to a call, with the call as it stands after it: sent to every process. */
export interface CallFact {
  event: 'changed' | 'answered' | 'ended'
  call: BoardCall
  at: number
  /** For 'ended': the call's outcome (answered, abandoned, missed…). */
  outcome?: string
}

export interface LiveCallsOptions {
  teamOf: (agentId: string) => string | null
  rules: () => RuleSet | null
  now: () => number
  /** Each wait that finished (answered, or ended unanswered), for today's counters. */
  onWaitDone: (queue: string, outcome: WaitOutcome, at: number) => void
}

/**
 * Calls in progress, from the router's events here and from the facts other processes
 * publish. Every change is a fact applied the same way wherever it happened, so each
 * process counts every process's calls; `drain()` says what changed since it was last called.
 */
export class LiveCalls {
  readonly calls = new Map<string, BoardCall>()
  private changed = new Set<string>()
  private gone = new Set<string>()
  /** Whether changes are gathered for drain() (while a board is connected); otherwise only the calls are kept. */
  tracking = false

  constructor(private readonly o: LiveCallsOptions) {}

  /** The InteractionRouter listener; returns the fact to share, or null when nothing changed. */
  fromEvent(event: InteractionEvent): CallFact | null {
    const at = this.o.now()
    if (event.type === 'routed') {
      const { routed, request } = event
      const { decision } = routed
      const phone = routed.caller.phone
      const final = decision.final
      const call: BoardCall = {
        id: event.callId,
        caller: phone.ok ? phone.e164 : phone.input.slice(0, 64) || null,
        callerName: request.callerName,
        customer: routed.caller.customer ? { id: routed.caller.customer.id, name: routed.caller.customer.name } : null,
        agentId: null,
        rule: decision.rule,
        queue: decision.queued?.queue ?? (final.kind === 'queue' ? final.queue : null),
        phase: 'waiting',
        arrivedAt: request.at,
        waitingSince: request.at,
        answeredAt: null,
        position: decision.queued?.position ?? null,
        teams: []
      }
      call.teams = this.ruleTeams(call, routed.caller.customer?.ownerAgentId ?? null)
      return this.share({ event: 'changed', call, at })
    }
    const known = this.calls.get(event.callId)
    if (!known) return null
    const call = { ...known }
    switch (event.type) {
      case 'offered':
        call.phase = 'ringing'
        call.agentId = event.agentId
        call.position = null
        break
      case 'offer-failed':
        call.phase = 'waiting'
        call.agentId = null
        call.waitingSince = at
        break
      case 'queued':
      case 'queue-moved':
        call.queue = event.queue
        call.position = event.position
        if (event.type === 'queued') call.phase = 'waiting'
        break
      case 'answered':
        call.phase = 'talking'
        call.agentId = event.agentId
        call.answeredAt = at
        return this.share({ event: 'answered', call: this.withTeams(call), at })
      case 'ended':
        return this.share({ event: 'ended', call, at: event.detail.at ?? at, outcome: event.detail.outcome ?? (call.answeredAt === null ? 'missed' : 'answered') })
      default:
        return null
    }
    return this.share({ event: 'changed', call: this.withTeams(call), at })
  }

  /** Applies a fact, made here or by another process. */
  apply(fact: CallFact): void {
    const { call } = fact
    if (fact.event === 'ended') {
      this.calls.delete(call.id)
      this.changed.delete(call.id)
      if (this.tracking) this.gone.add(call.id)
      if (call.answeredAt === null) this.o.onWaitDone(call.queue ?? '', { answered: false, waitMs: Math.max(0, fact.at - call.arrivedAt), outcome: fact.outcome ?? 'missed' }, fact.at)
      return
    }
    if (fact.event === 'answered' && this.calls.get(call.id)?.answeredAt == null) {
      this.o.onWaitDone(call.queue ?? '', { answered: true, waitMs: Math.max(0, (call.answeredAt ?? fact.at) - call.arrivedAt) }, fact.at)
    }
    this.calls.set(call.id, call)
    if (this.tracking) this.changed.add(call.id)
  }

  /** Calls changed and calls ended since the last drain. */
  drain(): { changed: BoardCall[]; ended: string[] } {
    const changed = [...this.changed].flatMap((id) => this.calls.get(id) ?? [])
    const ended = [...this.gone]
    this.changed = new Set()
    this.gone = new Set()
    return { changed, ended }
  }

  private share(fact: CallFact): CallFact {
    this.apply(fact)
    return fact
  }

  private withTeams(call: BoardCall): BoardCall {
    if (call.agentId) {
      const team = this.o.teamOf(call.agentId)
      call.teams = team ? [team] : []
    }
    return call
  }

  /** The teams a waiting call's rule offers it to: its team steps and the owner's team. */
  private ruleTeams(call: BoardCall, ownerAgentId: string | null): string[] {
    const teams = new Set<string>()
    const rule = this.o.rules()?.rules.find((r) => r.name === call.rule)
    for (const step of rule?.steps ?? []) {
      if (step.kind === 'team' || (step.kind === 'skills' && step.team)) teams.add(step.team!)
      if (step.kind === 'owner' && ownerAgentId) {
        const team = this.o.teamOf(ownerAgentId)
        if (team) teams.add(team)
      }
      if (step.kind === 'agent') {
        const team = this.o.teamOf(step.agentId)
        if (team) teams.add(team)
      }
    }
    return [...teams]
  }
}
