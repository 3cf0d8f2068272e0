/** How the wait before a ring ended: what had to go out first went, or the bounded wait ran out. */
export type RingGateResult = 'ready' | 'timed-out' | 'nothing-pending'

/**
 * What must go out before an offered agent's phone rings (their screen-pop card), per interaction:
 * the listeners of an 'offered' event hand in promises, and the adapter about to ring waits for
 * them, but never longer than `maxWaitMs` — a slow CRM delays the card, never the call.
 */
export class RingGate {
  private readonly pending = new Map<string, { agentId: string; done: Promise<unknown> }>()

  constructor(private readonly maxWaitMs: number) {
    if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) throw new RangeError(`maxWaitMs must be 0 or more, got ${maxWaitMs}`)
  }

  /** The interaction was offered to `agentId`; `work` is what must be done before they are rung (null: nothing). */
  offered(callId: string, agentId: string, work: Promise<unknown> | null): void {
    if (work) this.pending.set(callId, { agentId, done: work })
    else this.pending.delete(callId)
  }

  /** Resolves once the work handed in for this offer is done, or after maxWaitMs. Each offer is waited for once. */
  async wait(callId: string, agentId: string): Promise<RingGateResult> {
    const entry = this.pending.get(callId)
    if (!entry || entry.agentId !== agentId) return 'nothing-pending'
    this.pending.delete(callId)
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<RingGateResult>((resolve) => {
      timer = setTimeout(() => resolve('timed-out'), this.maxWaitMs)
    })
    // A listener whose work failed has nothing more to send: the ring need not wait for it.
    const done = entry.done.then(
      () => 'ready' as const,
      () => 'ready' as const
    )
    try {
      return await Promise.race([done, timedOut])
    } finally {
      clearTimeout(timer)
    }
  }

  /** The interaction ended: nothing is waited for any more. */
  forget(callId: string): void {
    this.pending.delete(callId)
  }

  clear(): void {
    this.pending.clear()
  }
}
