import type { TaskNotice } from '../crm/task.repository.js'

/** A page the web visitor looked at. */
export interface VisitPage {
  url: string
  title?: string
  seconds?: number
}

/** What an agent's page is told of a lead the CRM already holds (a returning unknown caller). */
export interface LeadNotice {
  id: number
  source: string | null
  campaign: string | null
  line: string | null
  agentId: string | null
  status: string
  /** When the lead was first seen, ISO 8601. */
  since: string
}

/**
 * Workflow notices on an agent's screen-pop channel (and their webhooks): a
 * new task for them, a task falling due or escalated to them as team lead, a
 * task closed by itself, a new inquiry (lead), a web visit worth their attention.
 * Each carries `callId` like the call events: the interaction it stems from, or null.
 */
export type WorkflowEvent =
  | { type: 'task'; callId: string | null; task: TaskNotice; why: 'missed-call' | 'callback-request' | 'assigned' }
  | {
      type: 'reminder'
      callId: string | null
      task: TaskNotice
      /** True when sent to the assignee's team lead because the task is overdue. */
      escalated: boolean
      overdueMinutes: number
      /** The display name of the task's assignee (`task.assigneeAgentId`); null when the task has none or the agent is gone. */
      assigneeName: string | null
    }
  | { type: 'task-closed'; callId: string | null; taskId: number; why: string }
  | { type: 'lead'; callId: string; lead: LeadNotice; isNew: boolean }
  | {
      type: 'visit'
      callId: string
      title: string
      customer: { id: number; name: string } | null
      leadId: number | null
      visitorId: string | null
      phone: string | null
      product: string | null
      pages: VisitPage[]
      callbackRequested: boolean
      reason: string
    }
