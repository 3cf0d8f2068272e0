/**
 * Agents rebuilt from the availability log: rows applied in time order to an AgentIndex of its own,
 * so that the pure core decides a past call against who was free at that instant.
 */
import { AgentIndex, type AgentProfile, type AgentView } from '../routing/index.js'
import { presenceOf, type AvailabilityRow, type LoggedProfile } from './types.js'

/** Applies one log row. Returns false for a state row of an agent whose profile is not known yet. */
export function applyRow(index: AgentIndex, row: AvailabilityRow): boolean {
  const id = row.agentId
  if (row.status === 'removed') {
    index.removeAgent(id)
    return true
  }
  const presence = presenceOf(row)
  let current = index.get(id)
  if (row.profile !== null && (current === undefined || !sameProfile(current.profile, row.profile))) {
    index.upsertAgent(toProfile(id, row.profile), { status: presence, since: row.at, callsToday: row.callsToday })
    current = index.get(id)!
  }
  if (current === undefined) return false
  const state = current.state
  const talkingNow = state.activeCalls - state.ringingCalls
  if (row.checkpoint !== true && presence === 'available' && statusMatches(row, state.status) && row.ringing === state.ringingCalls &&
    row.talking === talkingNow && row.callsToday === state.callsToday) {
    // Nothing changed but the agent's place: set available again (or loaded again), they wait at the back, as live.
    index.setAgentState(id, 'available', row.at)
    return true
  }
  // A new offer goes through reserve(), as it did live, so that round-robin moves on past the agent.
  if (row.ringing === state.ringingCalls + 1 && row.talking === state.activeCalls - state.ringingCalls && presence === 'available') {
    index.reserve(id, row.at)
  }
  index.restoreState(id, {
    presence,
    ringingCalls: row.ringing,
    talkingCalls: row.talking,
    // A wrap-up lasts until the log says the agent is free again.
    wrapUpUntil: null,
    callsToday: row.callsToday,
    lastCallEndedAt: row.talking < talkingNow ? row.at : state.lastCallEndedAt
  }, row.at)
  return true
}

function statusMatches(row: AvailabilityRow, status: string): boolean {
  return row.status === status
}

export function toProfile(id: string, p: LoggedProfile): AgentProfile {
  return { id, name: p.name, team: p.team, address: p.address, capacity: p.capacity, skills: p.skills }
}

export function loggedProfile(p: AgentProfile): LoggedProfile {
  return { name: p.name, team: p.team, address: p.address, capacity: p.capacity, skills: p.skills }
}

export function sameProfile(a: AgentProfile | LoggedProfile, b: LoggedProfile): boolean {
  if (a.name !== b.name || a.team !== b.team || a.address !== b.address || a.capacity !== b.capacity) return false
  const ka = Object.keys(a.skills)
  if (ka.length !== Object.keys(b.skills).length) return false
  return ka.every((k) => a.skills[k] === b.skills[k])
}

/**
 * Walks a time-ordered stream of rows alongside a time-ordered stream of calls: advanceTo(t) applies
 * every row before t (not at t: the reservation a call's own decision made carries its time).
 * Rows come a page at a time; advanceTo answers undefined when the page in hand was enough, so a
 * replay awaits only when a page runs out.
 */
export class AvailabilityCursor {
  readonly index = new AgentIndex()
  /** Rows applied, and state rows skipped for an agent not known yet. */
  applied = 0
  unknownAgentRows = 0
  private page: readonly AvailabilityRow[] = []
  private at = 0
  private done = false

  constructor(private readonly pages: AsyncIterator<readonly AvailabilityRow[]>) {}

  advanceTo(t: number): Promise<void> | undefined {
    const page = this.page
    let i = this.at
    while (i < page.length) {
      const row = page[i]!
      if (row.at >= t) {
        this.at = i
        return undefined
      }
      if (applyRow(this.index, row)) this.applied++
      else this.unknownAgentRows++
      i++
    }
    this.at = i
    return this.done ? undefined : this.nextPage(t)
  }

  private async nextPage(t: number): Promise<void> {
    const r = await this.pages.next()
    if (r.done === true) {
      this.done = true
      return
    }
    this.page = r.value
    this.at = 0
    await this.advanceTo(t)
  }
}

/** Who was free at `at`: every agent known then, with their state, from pages of rows in time order. */
export async function availabilityAt(pages: AsyncIterable<readonly AvailabilityRow[]>, at: number): Promise<AgentView[]> {
  const cursor = new AvailabilityCursor(pages[Symbol.asyncIterator]())
  await cursor.advanceTo(at + 1)
  cursor.index.tick(at)
  return cursor.index.snapshot()
}
