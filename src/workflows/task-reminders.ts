import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../crm/schema.js'
import { claimDueReminders, claimEscalations } from '../crm/task-schedule.repository.js'
import { isConnectionError } from '../errors.js'
import type { ScreenPopEvent } from '../screenpop/card-events.js'

export interface TaskRemindersOptions {
  db: Kysely<Database>
  notify: (agentId: string, event: ScreenPopEvent) => void
  logger: Logger
  now: () => number
  pollMs: number
  /** How long a task may stay overdue before the assignee's team lead is told. */
  escalateAfterMs: number
}

/**
 * Pushes a reminder to a task's assignee when it falls due, and tells the
 * assignee's team lead when it stays overdue past the configured time. Polls
 * the database every few seconds; each task is claimed in the same statement
 * that marks it, so several servers never remind twice. Time is the injected clock.
 */
export class TaskReminders {
  private timer: NodeJS.Timeout | undefined
  private ticking: Promise<void> | null = null

  constructor(private readonly options: TaskRemindersOptions) {}

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
      for (const task of await claimDueReminders(db, at)) {
        const overdueMinutes = Math.max(0, Math.floor((at - Date.parse(task.dueAt)) / 60_000))
        if (task.assigneeAgentId) notify(task.assigneeAgentId, { type: 'reminder', callId: task.callId, task, escalated: false, overdueMinutes })
        else logger.warn({ taskId: task.id }, 'task fell due with nobody assigned')
      }
      for (const { task, teamLeadAgentId, overdueMinutes } of await claimEscalations(db, at, escalateAfterMs)) {
        if (!teamLeadAgentId) {
          logger.warn({ taskId: task.id, assignee: task.assigneeAgentId }, 'overdue task has no team lead to escalate to')
          continue
        }
        logger.info({ taskId: task.id, assignee: task.assigneeAgentId, teamLead: teamLeadAgentId, overdueMinutes }, 'overdue task escalated')
        notify(teamLeadAgentId, { type: 'reminder', callId: task.callId, task, escalated: true, overdueMinutes })
      }
    } catch (err) {
      if (isConnectionError(err)) logger.warn({ err }, 'database unreachable; task reminders wait for the next poll')
      else logger.error({ err }, 'task reminder poll failed')
    }
  }
}
