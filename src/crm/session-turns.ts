/**
 * At most this many urgent turns in a row while an ordinary one waits: at the peak hour lookups alone
 * could fill the session, and the call records must still get written.
 */
const URGENT_IN_A_ROW = 8

/**
 * Turns at the embedded database's one session: one holder at a time, in the order asked, except that
 * an urgent turn (a caller being identified while the phone rings) goes before the ordinary ones
 * still waiting. A holder already in its turn (a batch of call records in a transaction) keeps it.
 */
export class SessionTurns {
  private held = false
  private urgentInARow = 0
  private readonly urgent: Array<() => void> = []
  private readonly ordinary: Array<() => void> = []

  /** Resolves with the function that ends the turn, once it is this caller's. */
  take(urgent: boolean): Promise<() => void> {
    return new Promise((resolve) => {
      const start = () => resolve(this.once())
      if (!this.held) {
        this.held = true
        start()
      } else (urgent ? this.urgent : this.ordinary).push(start)
    })
  }

  private once(): () => void {
    let done = false
    return () => {
      if (done) return
      done = true
      const next = this.next()
      if (next === undefined) this.held = false
      else next()
    }
  }

  private next(): (() => void) | undefined {
    if (this.urgent.length > 0 && (this.ordinary.length === 0 || this.urgentInARow < URGENT_IN_A_ROW)) {
      this.urgentInARow = this.ordinary.length === 0 ? 0 : this.urgentInARow + 1
      return this.urgent.shift()
    }
    this.urgentInARow = 0
    return this.ordinary.shift()
  }
}
