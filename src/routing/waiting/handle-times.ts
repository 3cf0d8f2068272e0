/** Talk times kept for the mean: recent enough to follow the day, enough to be steady. */
export const HANDLE_TIMES_KEPT = 100

/**
 * The mean talk time of the last HANDLE_TIMES_KEPT answered interactions, for the estimated wait.
 * Before any has ended it is the configured starting value.
 */
export class HandleTimes {
  private readonly kept: number[] = []
  private next = 0
  private sum = 0

  constructor(private readonly initialMs: number) {
    if (!Number.isFinite(initialMs) || initialMs <= 0) throw new RangeError(`the starting handle time must be above 0 ms, got ${initialMs}`)
  }

  add(talkMs: number): void {
    if (!Number.isFinite(talkMs) || talkMs < 0) return
    if (this.kept.length < HANDLE_TIMES_KEPT) this.kept.push(talkMs)
    else {
      this.sum -= this.kept[this.next]!
      this.kept[this.next] = talkMs
      this.next = (this.next + 1) % HANDLE_TIMES_KEPT
    }
    this.sum += talkMs
  }

  get meanMs(): number {
    return this.kept.length === 0 ? this.initialMs : this.sum / this.kept.length
  }
}

/**
 * Estimated wait in whole seconds: position × mean handle time ÷ logged-in agents who can take it
 * (at least one). With N agents busy, one frees up about every handle time ÷ N on average.
 */
export function estimateSeconds(position: number, agents: number, meanHandleMs: number): number {
  return Math.round((position * meanHandleMs) / Math.max(1, agents) / 1000)
}
