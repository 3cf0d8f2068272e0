import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../crm/schema.js'
import { claimDueReminders, claimEscalations } from '../crm/task-schedule.repository.js'
import type { TaskNotice } from '../crm/task.repository.js'
import { isConnectionError } from '../errors.js'
import type { ScreenPopEvent } from '../screenpop/card-events.js'
import { RepeatedWarnings, type UndeliveredCause } from './repeated-warnings.js'

export type { UndeliveredCause } from './repeated-warnings.js'

export interface TaskRemindersOptions {
  db: Kysely<Database>
  notify: (agentId: string, event: ScreenPopEvent) => void
  logger: Logger
  now: () => number
  pollMs: number
  /** How long a task may stay overdue before the assignee's team lead is told. */
  escalateAfterMs: number
  /** Least time between two summary lines of one cause of undelivered notices (default 10 minutes). */
  summaryEveryMs?: number
}

/**
 * Pushes a reminder to a task's assignee when it falls due, and tells the
 * assignee's team lead when it stays overdue past the configured time. Polls
 * the database every few seconds; each task is claimed in the same statement
 * that marks it, so several servers never remind twice. Time is the injected clock.
 *
 * A notice nobody can receive (no assignee, no team lead) is claimed like the
 * others, so each task counts once; the log gets the first one of each cause,
 * then a summary line now and then, and every one is counted (onUndelivered, /metrics).
 */
export class TaskReminders {
  private timer: NodeJS.Timeout | undefined
  private ticking: Promise<void> | null = null
  private readonly warnings: RepeatedWarnings

  constructor(private readonly options: TaskRemindersOptions) {
    this.warnings = new RepeatedWarnings(options.logger, options.now, options.summaryEveryMs ?? 600_000)
  }

  /** Called once per task notice that had nobody to go to, with its cause. */
  onUndelivered(listener: (cause: UndeliveredCause) => void): void {
    this.warnings.listeners.push(listener)
  }

  /** Undelivered notices so far, by cause. */
  undelivered(cause: UndeliveredCause): number {
    return this.warnings.total(cause)
  }

  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => void this.tick(), this.options.pollMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.ticking
  }

  /** One poll: due reminders, then escalations. Never rejects; a poll already running is joined. */
  tick(): Promise<void> {
    this.ticking ??= this.poll().finally(() => {
      this.ticking = null
    })
    return this.ticking
  }

  private async poll(): Promise<void> {
    const { db, notify, logger, now, escalateAfterMs } = this.options
    try {
      const at = now()
      const due = await claimDueReminders(db, at)
      const dueNames = await this.assigneeNames(due)
      for (const task of due) {
        const overdueMinutes = Math.max(0, Math.floor((at - Date.parse(task.dueAt)) / 60_000))
        if (task.assigneeAgentId) notify(task.assigneeAgentId, { type: 'reminder', callId: task.callId, task, escalated: false, overdueMinutes, assigneeName: dueNames(task) })
        else this.warnings.count('no-assignee', { taskId: task.id })
      }
      const escalations = await claimEscalations(db, at, escalateAfterMs)
      const escalatedNames = await this.assigneeNames(escalations.map((e) => e.task))
      for (const { task, teamLeadAgentId, overdueMinutes } of escalations) {
        if (!teamLeadAgentId) {
          this.warnings.count('no-team-lead', { taskId: task.id, assignee: task.assigneeAgentId })
          continue
        }
        logger.debug({ taskId: task.id, assignee: task.assigneeAgentId, teamLead: teamLeadAgentId, overdueMinutes }, 'overdue task escalated')
        notify(teamLeadAgentId, { type: 'reminder', callId: task.callId, task, escalated: true, overdueMinutes, assigneeName: escalatedNames(task) })
      }
      this.warnings.summarise()
    } catch (err) {
      if (isConnectionError(err)) logger.warn({ err }, 'database unreachable; task reminders wait for the next poll')
      else logger.error({ err }, 'task reminder poll failed')
    }
  }

  /**
   * The display name of each claimed task's assignee, read in one query: a notice names the
   * agent ("assigned to Dmitri Sokolov"), not their id. The tasks are claimed already, so a
   * failed read costs the names only (null: the page shows the id), never the notices.
   */
  private async assigneeNames(tasks: TaskNotice[]): Promise<(task: TaskNotice) => string | null> {
    const ids = [...new Set(tasks.map((task) => task.assigneeAgentId).filter((id): id is string => id !== null))]
    let names = new Map<string, string>()
    if (ids.length > 0) {
      try {
        const rows = await this.options.db.selectFrom('agents').select(['id', 'name']).where('id', 'in', ids).execute()
        names = new Map(rows.map((row) => [row.id, row.name]))
      } catch (err) {
        this.options.logger.warn({ err }, 'assignee names not read; task notices carry the agent ids alone')
      }
    }
    return (task) => (task.assigneeAgentId ? (names.get(task.assigneeAgentId) ?? null) : null)
  }
}
