/**
 * The agent availability log's observation point: every change of the agent index, whichever path
 * made it (the state API, Redis shared changes, the router's reserve/answer/end, a wrap-up ending,
 * a profile loaded from the CRM), becomes one row with the agent's state after it. The index's own
 * methods are wrapped on this one instance: after each, the agent it names is compared with what
 * was last logged for them, so a call that changes nothing writes nothing. Cheap and synchronous
 * (a map lookup and a copy per change); rows go to `sink`, which batches them off the call path.
 */
import type { Logger } from 'pino'
import type { AgentIndex, AgentProfile, AgentView } from '../routing/index.js'
import { loggedProfile, sameProfile } from '../preview/availability.js'
import type { AvailabilityRow } from '../preview/types.js'

type Logged = { status: string; ringing: number; talking: number; callsToday: number; profile: AgentProfile }

const BY_ID = ['setAgentState', 'reserve', 'release', 'answered', 'ended', 'restoreState'] as const

export class AvailabilityObserver {
  private readonly last = new Map<string, Logged>()
  /** Agents in a wrap-up that ends by itself, and when: tick() ends them without naming them. */
  private readonly wrapUps = new Map<string, number>()
  private nextWrapUpEnd = Number.POSITIVE_INFINITY
  private failures = 0

  constructor(private readonly index: AgentIndex, private readonly sink: (row: AvailabilityRow) => void, private readonly logger: Logger, private readonly now: () => number = Date.now) {
    this.install()
  }

  /**
   * Every agent restated (at start and daily), free agents in the order they wait for their next
   * call, so that a rebuild from the checkpoint offers longest-idle calls as the index did. (The
   * order is read from the index's entries: the one place outside the core that reads them, read-only.)
   */
  checkpoint(at: number): void {
    const order = (id: string): number => this.index.entry(id)?.idleSeq ?? 0
    const views = this.index.snapshot().sort((a, b) => order(a.profile.id) - order(b.profile.id))
    for (const view of views) this.log(view, at, true)
  }

  private install(): void {
    const index = this.index as unknown as Record<string, (...args: unknown[]) => unknown>
    for (const name of BY_ID) {
      const original = index[name]!.bind(this.index)
      index[name] = (id: unknown, ...rest: unknown[]) => {
        const result = original(id, ...rest)
        this.safely(() => {
          const given = timeOf(name, rest)
          const at = Number.isFinite(given) ? given : this.now()
          this.wrapUpsDue(at)
          // Setting a state again (available while available) still sends the agent to the back of the idle order: logged too.
          this.changed(id as string, at, name === 'setAgentState')
        })
        return result
      }
    }
    const upsert = this.index.upsertAgent.bind(this.index)
    this.index.upsertAgent = (agent, initial) => {
      upsert(agent, initial)
      // A profile loaded again re-enters the agent at the back of the idle order: logged even when unchanged.
      this.safely(() => this.changed(agent.id, this.now(), true))
    }
    const remove = this.index.removeAgent.bind(this.index)
    this.index.removeAgent = (id) => {
      const removed = remove(id)
      this.safely(() => {
        if (removed && this.last.delete(id)) this.sink({ at: this.now(), agentId: id, status: 'removed', ringing: 0, talking: 0, callsToday: 0, profile: null })
        this.wrapUps.delete(id)
      })
      return removed
    }
    const tick = this.index.tick.bind(this.index)
    this.index.tick = (now) => {
      tick(now)
      this.safely(() => this.wrapUpsDue(now))
    }
    const reset = this.index.resetDailyCounts.bind(this.index)
    this.index.resetDailyCounts = () => {
      reset()
      this.safely(() => this.checkpoint(this.now()))
    }
  }

  private wrapUpsDue(now: number): void {
    if (now < this.nextWrapUpEnd) return
    let next = Number.POSITIVE_INFINITY
    for (const [id, until] of this.wrapUps) {
      if (until <= now) this.changed(id, until)
      else next = Math.min(next, until)
    }
    this.nextWrapUpEnd = next
  }

  private changed(id: string, at: number, always = false): void {
    const view = this.index.get(id)
    if (view === undefined) return
    const s = view.state
    if (s.status === 'wrap-up' && s.wrapUpUntil !== null) {
      this.wrapUps.set(id, s.wrapUpUntil)
      this.nextWrapUpEnd = Math.min(this.nextWrapUpEnd, s.wrapUpUntil)
    } else {
      this.wrapUps.delete(id)
    }
    const before = this.last.get(id)
    const talking = s.activeCalls - s.ringingCalls
    if (!always && before !== undefined && sameAs(before.profile, view.profile) && before.status === s.status && before.ringing === s.ringingCalls &&
      before.talking === talking && before.callsToday === s.callsToday) return
    // A status change carries its own time (a wrap-up ends when it was due, not when noticed).
    this.log(view, before !== undefined && before.status !== s.status ? Math.max(s.since, 0) || at : at, false)
  }

  private log(view: AgentView, at: number, checkpoint: boolean): void {
    const s = view.state
    const before = this.last.get(view.profile.id)
    const talking = s.activeCalls - s.ringingCalls
    const profileChanged = checkpoint || before === undefined || !sameAs(before.profile, view.profile)
    this.last.set(view.profile.id, { status: s.status, ringing: s.ringingCalls, talking, callsToday: s.callsToday, profile: view.profile })
    this.sink({
      at, agentId: view.profile.id, status: s.status, ringing: s.ringingCalls, talking, callsToday: s.callsToday,
      profile: profileChanged ? loggedProfile(view.profile) : null, checkpoint
    })
  }

  /** The log must never break routing: a failure is logged (the first few in full) and counted. */
  private safely(work: () => void): void {
    try {
      work()
    } catch (err) {
      if (++this.failures <= 5) this.logger.error({ err, failures: this.failures }, 'agent availability log: a change could not be logged; routing goes on')
    }
  }
}

function sameAs(a: AgentProfile, b: AgentProfile): boolean {
  return a === b || sameProfile(a, loggedProfile(b))
}

/** The time a wrapped method was given: its last numeric argument but ended()'s wrap-up seconds. */
function timeOf(name: (typeof BY_ID)[number], rest: unknown[]): number {
  if (name === 'ended') return rest[0] as number
  const at = rest[rest.length - 1]
  return typeof at === 'number' ? at : Number.NaN
}
