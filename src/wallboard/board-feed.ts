import type { Principal } from '../api/supervisor-auth.js'
import type { AgentIndex, AgentView } from '../routing/agent-index.js'
import type { RuleSet } from '../routing/types.js'
import type { BoardCall, LiveCalls } from './live-calls.js'
import { queueViews, type BoardQueue } from './queue-views.js'
import type { TodayCounters } from './today-counters.js'

/** An agent as the wallboard shows them. `since` is when their state began (epoch ms). */
export interface BoardAgent {
  id: string
  name: string
  team: string | null
  status: string
  since: number
  activeCalls: number
  capacity: number
  callsToday: number
  /** The supervisor who set the current state, when one did. */
  setBy: string | null
}

/** A connected wallboard: who it is for, and how to send it a message (already JSON). */
export interface Viewer {
  principal: Principal
  send(message: string): void
}

export interface WallboardFeedOptions {
  index: AgentIndex
  live: LiveCalls
  counters: TodayCounters
  rules: () => RuleSet | null
  now: () => number
  /** Deltas are gathered this long and sent as one message (at most one per interval). */
  intervalMs: number
  /** The language boards show when their address does not choose one (WALLBOARD_LANGUAGE). */
  language?: string | null
}

/** Viewers who see the same teams share one scope: each delta is cut and serialised once per scope. */
interface Scope {
  principal: Principal
  viewers: Set<Viewer>
  calls: Set<string>
  agents: Set<string>
}

/**
 * The wallboard's live feed: a snapshot when a board connects, then deltas gathered for
 * `intervalMs` (agents whose state changed, calls changed or ended, queues whose figures
 * changed), each cut to what the viewer's teams may see. Agents' states are read from the
 * in-memory index, which every process keeps in step (through Redis when shared); calls
 * and today's counters come from the router's events. Nothing here reads the database.
 */
export class WallboardFeed {
  private readonly scopes = new Map<string, Scope>()
  private readonly agentsSent = new Map<string, SentAgent>()
  private queuesSent = new Map<string, string>()
  private readonly setBy = new Map<string, { by: string; at: number }>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly o: WallboardFeedOptions) {}

  /** Sends the snapshot and keeps the viewer until the returned function is called. */
  subscribe(viewer: Viewer): () => void {
    if (this.scopes.size === 0) this.primeDiff()
    const key = scopeKey(viewer.principal)
    let scope = this.scopes.get(key)
    if (!scope) this.scopes.set(key, (scope = { principal: viewer.principal, viewers: new Set(), calls: new Set(), agents: new Set() }))
    scope.viewers.add(viewer)
    const at = this.o.now()
    const agents = this.o.index.snapshot().filter((v) => sees(viewer.principal, v.profile.team)).map((v) => this.present(v))
    const calls = [...this.o.live.calls.values()].filter((c) => seesCall(viewer.principal, c))
    for (const agent of agents) scope.agents.add(agent.id)
    for (const call of calls) scope.calls.add(call.id)
    const rules = this.o.rules()
    const queues = queueViews(this.o.live.calls.values(), this.o.counters.all(at), rules)
    const principal = viewer.principal.kind === 'admin' ? { kind: 'admin' } : { kind: 'supervisor', name: viewer.principal.name, teams: viewer.principal.teams }
    viewer.send(JSON.stringify({ type: 'snapshot', at, viewer: principal, timeZone: rules?.calendar.timeZone ?? 'UTC', language: this.o.language ?? null, agents, calls, queues }))
    this.timer ??= setInterval(() => this.flush(), this.o.intervalMs)
    return () => {
      scope.viewers.delete(viewer)
      if (scope.viewers.size === 0) this.scopes.delete(key)
      if (this.scopes.size === 0) this.stop()
    }
  }

  /** A supervisor set this agent's state at `at` (shown beside the agent while that state lasts). */
  stateSetBy(agentId: string, by: string, at: number): void {
    this.setBy.set(agentId, { by, at })
  }

  get viewers(): number {
    let n = 0
    for (const scope of this.scopes.values()) n += scope.viewers.size
    return n
  }

  /** Sends what changed since the last flush to every viewer (the timer calls it). */
  flush(): void {
    const at = this.o.now()
    this.o.index.tick(at)
    const { changed: callsChanged, ended } = this.o.live.drain()
    const agentsChanged: BoardAgent[] = []
    const seen = new Set<string>()
    for (const view of this.o.index.snapshot()) {
      const id = view.profile.id
      seen.add(id)
      const sent = this.agentsSent.get(id)
      const setBy = this.setByOf(view)
      if (sent && sameAgent(sent, view, setBy)) continue
      this.agentsSent.set(id, sentOf(view, setBy))
      agentsChanged.push(this.present(view))
    }
    const agentsGone = [...this.agentsSent.keys()].filter((id) => !seen.has(id))
    for (const id of agentsGone) this.agentsSent.delete(id)
    const queues = this.changedQueues(at)
    if (callsChanged.length + ended.length + agentsChanged.length + agentsGone.length + queues.length === 0) return
    for (const scope of this.scopes.values()) this.send(scope, at, agentsChanged, agentsGone, callsChanged, ended, queues)
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.o.live.tracking = false
  }

  private send(scope: Scope, at: number, agentsChanged: BoardAgent[], agentsGone: string[], callsChanged: BoardCall[], ended: string[], queues: BoardQueue[]): void {
    const { principal } = scope
    const agents: BoardAgent[] = []
    const removedAgents = agentsGone.filter((id) => scope.agents.delete(id))
    for (const agent of agentsChanged) {
      if (sees(principal, agent.team)) {
        scope.agents.add(agent.id)
        agents.push(agent)
      } else if (scope.agents.delete(agent.id)) removedAgents.push(agent.id)
    }
    const calls: BoardCall[] = []
    const endedCalls = ended.filter((id) => scope.calls.delete(id))
    for (const call of callsChanged) {
      if (seesCall(principal, call)) {
        scope.calls.add(call.id)
        calls.push(call)
      } else if (scope.calls.delete(call.id)) endedCalls.push(call.id)
    }
    if (agents.length + removedAgents.length + calls.length + endedCalls.length + queues.length === 0) return
    const message = JSON.stringify({ type: 'delta', at, agents, removedAgents, calls, endedCalls, queues })
    for (const viewer of scope.viewers) viewer.send(message)
  }

  private changedQueues(at: number): BoardQueue[] {
    const views = queueViews(this.o.live.calls.values(), this.o.counters.all(at), this.o.rules())
    const sent = new Map<string, string>()
    const changed: BoardQueue[] = []
    for (const view of views) {
      const json = JSON.stringify(view)
      sent.set(view.name, json)
      if (this.queuesSent.get(view.name) !== json) changed.push(view)
    }
    this.queuesSent = sent
    return changed
  }

  /** The first board after none: what the last one saw is forgotten, its snapshot is the base. */
  private primeDiff(): void {
    this.o.live.tracking = true
    this.agentsSent.clear()
    for (const view of this.o.index.snapshot()) this.agentsSent.set(view.profile.id, sentOf(view, this.setByOf(view)))
    this.o.live.drain()
    this.queuesSent = new Map(queueViews(this.o.live.calls.values(), this.o.counters.all(this.o.now()), this.o.rules()).map((q) => [q.name, JSON.stringify(q)]))
  }

  /** The supervisor who set the agent's current state, while that state lasts. */
  private setByOf(view: AgentView): string | null {
    if (this.setBy.size === 0) return null
    const set = this.setBy.get(view.profile.id)
    const { state } = view
    return set && set.at === state.since && (state.status === 'away' || state.status === 'offline') ? set.by : null
  }

  private present(view: AgentView): BoardAgent {
    const { profile, state } = view
    const setBy = this.setByOf(view)
    return { id: profile.id, name: profile.name, team: profile.team, status: state.status, since: state.since, activeCalls: state.activeCalls, capacity: profile.capacity, callsToday: state.callsToday, setBy }
  }
}

/** What was last sent of an agent: compared field by field at each flush, without building anything. */
interface SentAgent {
  status: string
  since: number
  activeCalls: number
  callsToday: number
  /** The index replaces the (frozen) profile when name, team or capacity change. */
  profile: AgentView['profile']
  setBy: string | null
}

function sentOf(view: AgentView, setBy: string | null): SentAgent {
  const { state } = view
  return { status: state.status, since: state.since, activeCalls: state.activeCalls, callsToday: state.callsToday, profile: view.profile, setBy }
}

function sameAgent(sent: SentAgent, view: AgentView, setBy: string | null): boolean {
  const { state } = view
  return sent.since === state.since && sent.status === state.status && sent.activeCalls === state.activeCalls && sent.callsToday === state.callsToday && sent.profile === view.profile && sent.setBy === setBy
}

function scopeKey(principal: Principal): string {
  return principal.kind === 'admin' ? '*' : [...principal.teams].sort().join(',')
}

function sees(principal: Principal, team: string | null): boolean {
  return principal.kind === 'admin' || (team !== null && principal.teams.includes(team))
}

function seesCall(principal: Principal, call: BoardCall): boolean {
  return principal.kind === 'admin' || call.teams.some((team) => principal.teams.includes(team))
}
