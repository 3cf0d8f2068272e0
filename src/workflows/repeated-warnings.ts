import type { Logger } from 'pino'

/** Why a task notice reached nobody. */
export type UndeliveredCause = 'no-assignee' | 'no-team-lead'

const MESSAGES: Record<UndeliveredCause, string> = {
  'no-assignee': 'task fell due with nobody assigned; give it an assignee',
  'no-team-lead': "overdue task has no team lead to escalate to; set the team's lead (teams.lead_agent_id)"
}

interface CauseState {
  total: number
  /** Counted since the last line written for this cause. */
  sinceLine: number
  lastLineAt: number | null
}

/**
 * One warning per cause, not per task: the first occurrence is logged with its
 * task, later ones are counted and summed up in one line at most every
 * `everyMs`; the listeners (the metrics) see each one.
 */
export class RepeatedWarnings {
  readonly listeners: ((cause: UndeliveredCause) => void)[] = []
  private readonly causes = new Map<UndeliveredCause, CauseState>()

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly everyMs: number
  ) {}

  count(cause: UndeliveredCause, fields: Record<string, unknown>): void {
    let state = this.causes.get(cause)
    if (!state) this.causes.set(cause, (state = { total: 0, sinceLine: 0, lastLineAt: null }))
    state.total++
    for (const listener of this.listeners) listener(cause)
    if (state.lastLineAt === null) {
      state.lastLineAt = this.now()
      this.logger.warn({ ...fields, cause, metric: `cti_task_notices_undelivered_total{cause="${cause}"}` }, `${MESSAGES[cause]} (further ones are counted, and summed up in the log every ${Math.round(this.everyMs / 1000)} s)`)
      return
    }
    state.sinceLine++
  }

  /** Writes the summary lines that are due. */
  summarise(): void {
    const now = this.now()
    for (const [cause, state] of this.causes) {
      if (state.sinceLine === 0 || state.lastLineAt === null || now - state.lastLineAt < this.everyMs) continue
      this.logger.warn({ cause, count: state.sinceLine, total: state.total }, `${state.sinceLine} more: ${MESSAGES[cause]}`)
      state.sinceLine = 0
      state.lastLineAt = now
    }
  }

  total(cause: UndeliveredCause): number {
    return this.causes.get(cause)?.total ?? 0
  }
}
