import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { CallRecorder } from '../calls/call-recorder.js'
import type { Database } from '../crm/schema.js'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import type { ScreenPopEvent } from '../screenpop/card-events.js'
import { BackgroundJobs, type BackgroundJobsOptions } from './background-jobs.js'
import { LeadCapture } from './lead-capture.js'
import { MissedCallTasks } from './missed-call-tasks.js'
import { TaskReminders } from './task-reminders.js'
import { WebVisits, type WebVisitsOptions } from './web-visits.js'

/** The workflow settings (see src/config.ts). */
export interface CrmWorkflowSettings {
  CALLBACK_TASK_DUE_MINUTES: number
  TASK_ESCALATE_AFTER_MINUTES: number
  TASK_POLL_SECONDS: number
  WEB_VISIT_MIN_PAGES: number
}

export interface CrmWorkflowsOptions {
  db: Kysely<Database>
  settings: CrmWorkflowSettings
  interactions: InteractionRouter
  calls: CallRecorder
  /** Publishes to an agent's page and webhooks, as the cards are. */
  publish: (agentId: string, event: ScreenPopEvent) => void
  placeCallBack: WebVisitsOptions['placeCallBack']
  logger: Logger
  now: () => number
  /** Where jobs wait past the in-memory limit and across a restart, where those that can never succeed are kept, and who is told of refusals. */
  durability?: Pick<BackgroundJobsOptions, 'journal' | 'deadLetters' | 'health'>
}

/**
 * The CRM workflows around the call path, wired to the call lifecycle: leads
 * from unknown callers and visitors, call-back tasks from missed calls (closed
 * by the next answered call), reminders and escalation of due tasks, and web
 * visits routed to an agent's page.
 */
export class CrmWorkflows {
  readonly jobs: BackgroundJobs
  readonly leads: LeadCapture
  readonly missedCalls: MissedCallTasks
  readonly reminders: TaskReminders
  readonly visits: WebVisits
  /** Publishes a notice to an agent's page; never throws (a failure is logged). */
  readonly notify: (agentId: string, event: ScreenPopEvent) => void
  private readonly logger: Logger

  constructor(options: CrmWorkflowsOptions) {
    const { db, settings, interactions, calls, logger, now } = options
    this.logger = logger
    const publish = (agentId: string, event: ScreenPopEvent): void => {
      try {
        options.publish(agentId, event)
      } catch (err) {
        logger.error({ err, agentId, type: event.type }, 'workflow notice not published')
      }
    }
    this.notify = publish
    this.jobs = new BackgroundJobs({ logger: logger.child({ component: 'workflows' }), ...options.durability })
    this.leads = new LeadCapture({ db, jobs: this.jobs, calls, notify: publish, logger: logger.child({ component: 'leads' }) })
    this.missedCalls = new MissedCallTasks({
      db,
      jobs: this.jobs,
      leadOf: (callId) => this.leads.leadOf(callId),
      notify: publish,
      logger: logger.child({ component: 'call-back-tasks' }),
      now,
      dueMinutes: settings.CALLBACK_TASK_DUE_MINUTES
    })
    this.reminders = new TaskReminders({
      db,
      notify: publish,
      logger: logger.child({ component: 'task-reminders' }),
      now,
      pollMs: settings.TASK_POLL_SECONDS * 1000,
      escalateAfterMs: settings.TASK_ESCALATE_AFTER_MINUTES * 60_000
    })
    this.visits = new WebVisits({
      db,
      interactions,
      leads: this.leads,
      notify: publish,
      placeCallBack: options.placeCallBack,
      logger: logger.child({ component: 'web-visits' }),
      now,
      minPages: settings.WEB_VISIT_MIN_PAGES,
      dueMinutes: settings.CALLBACK_TASK_DUE_MINUTES
    })
    interactions.onEvent(this.leads.handle)
    calls.onFinished(this.missedCalls.handle)
  }

  /** Starts the reminder scheduler (once the database is migrated) and takes up the jobs a previous run left in the journal. */
  start(): void {
    this.reminders.start()
    void this.jobs.start().catch((err: unknown) => this.logger.error({ err }, 'journal of workflow jobs not taken up at start'))
  }

  /** Resolves once every workflow job started so far is done (tests; shutdown). */
  settled(): Promise<void> {
    return this.jobs.settled()
  }

  async stop(): Promise<void> {
    await this.reminders.stop()
    await this.jobs.close()
    await this.jobs.settled()
  }
}
