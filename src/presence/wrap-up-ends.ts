import type { InteractionEvent } from '../interactions/interaction-router.js'
import type { AgentIndex } from '../routing/agent-index.js'
import { WrapUpQueue } from '../routing/wrap-up-queue.js'

export interface WrapUpEndsOptions {
  index: AgentIndex
  now: () => number
}

/**
 * Ends wrap-ups on time. The index ends a due wrap-up only when it is told the time, which may be
 * long after (the next call); this keeps one timer, for the earliest wrap-up end it knows of, tells
 * the index the time then, and tells its listeners which agents came out of wrap-up (the shared
 * store writes that to Redis, so the other processes and Redis itself see it on time too).
 *
 * It learns of wrap-ups from the interactions (an answered call that ended) and from `watch` (a
 * state read from the shared store).
 */
export class WrapUpEnds {
  private readonly due = new WrapUpQueue<string>()
  /** Answered calls in progress → their agent, whose wrap-up starts when the call ends. */
  private readonly talking = new Map<string, string>()
  private readonly listeners: ((agentIds: string[]) => void)[] = []
  private timer: NodeJS.Timeout | undefined
  private timerAt = Infinity

  constructor(private readonly options: WrapUpEndsOptions) {}

  /** Tells `listener` of the agents whose wrap-up has just ended on time. */
  onEnded(listener: (agentIds: string[]) => void): void {
    this.listeners.push(listener)
  }

  /** The InteractionRouter listener. */
  readonly handle = (event: InteractionEvent): void => {
    if (event.type === 'answered') this.talking.set(event.callId, event.agentId)
    else if (event.type === 'ended') {
      const agentId = this.talking.get(event.callId)
      if (agentId === undefined) return
      this.talking.delete(event.callId)
      this.watch(agentId)
    }
  }

  /** Schedules the end of the agent's wrap-up, if they are in one that ends by itself. */
  watch(agentId: string): void {
    const until = this.options.index.get(agentId)?.state.wrapUpUntil
    if (until === null || until === undefined) return
    this.due.push(agentId, until)
    this.schedule()
  }

  close(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(): void {
    const next = this.due.nextUntil()
    if (next === undefined || next >= this.timerAt) return
    clearTimeout(this.timer)
    this.timerAt = next
    this.timer = setTimeout(() => this.fire(), Math.max(0, next - this.options.now()))
    this.timer.unref()
  }

  private fire(): void {
    this.timer = undefined
    this.timerAt = Infinity
    const { index, now: clock } = this.options
    const now = clock()
    index.tick(now)
    const ended = new Set<string>()
    for (let due = this.due.popDue(now); due !== undefined; due = this.due.popDue(now)) {
      const state = index.get(due.entry)?.state
      // A later wrap-up of the same agent has its own entry.
      if (state && !(state.wrapUpUntil !== null && state.wrapUpUntil > now)) ended.add(due.entry)
    }
    if (ended.size > 0) for (const listener of this.listeners) listener([...ended])
    this.schedule()
  }
}
