import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { findOrCreateLead } from '../crm/lead.repository.js'
import type { Database } from '../crm/schema.js'
import { createTask, type TaskNotice } from '../crm/task.repository.js'
import type { AgentIndex } from '../routing/index.js'
import type { WorkflowEvent } from '../workflows/notices.js'
import type { VisitorRow, VisitorStore } from './visitor-store.js'

/** What a visitor's task is about: a message they left, a call they asked for, a chat nobody reached in time. */
export type ChatTaskCause = 'message-left' | 'call-me' | 'unanswered' | 'agent-call-back'

export interface ChatTasksOptions {
  db: Kysely<Database>
  visitors: VisitorStore
  /** The calls' agents, to find a product's best expert when the visitor has no owner. */
  agents: AgentIndex
  /** Tells an agent's page of a task given to them. */
  notify: (agentId: string, event: WorkflowEvent) => void
  logger: Logger
  now: () => number
}

const TITLE_TEXT = 200

/**
 * The tasks the chat makes for people: a message left, a call-back asked from the widget or
 * from the chat, a chat nobody answered before its queue's longest wait. Each goes to the
 * visitor's owner, else the last agent who chatted with them, else the product's best expert.
 */
export class ChatTasks {
  constructor(private readonly o: ChatTasksOptions) {}

  async make(visitor: VisitorRow, cause: ChatTaskCause, detail: { text?: string; phone?: string | null; product: string | null; agentId?: string; chatId: string | null }): Promise<TaskNotice> {
    const who = await this.holder(visitor, detail.phone ?? null, detail.agentId ?? null, detail.chatId)
    const summary = await this.o.visitors.routingSummary(visitor)
    const assignee = detail.agentId ?? summary?.ownerAgentId ?? summary?.lastAgentId ?? this.expertOf(detail.product)
    const task = await createTask(this.o.db, {
      kind: cause === 'message-left' ? 'chat-message' : 'callback',
      title: titleOf(cause, detail),
      dueAt: this.o.now(),
      assigneeAgentId: assignee,
      customerId: who.customerId,
      leadId: who.customerId === null ? who.leadId : null
    })
    if (assignee) this.o.notify(assignee, { type: 'task', callId: null, task, why: cause === 'message-left' ? 'assigned' : 'callback-request' })
    this.o.logger.info({ taskId: task.id, visitorId: visitor.id, cause, assignee }, 'chat: task made for the visitor')
    return task
  }

  /**
   * The customer or lead the task is for. A visitor nobody knows yet becomes a lead (with the phone
   * they gave, else their visitor id), as an unknown caller does.
   */
  async holder(visitor: VisitorRow, phone: string | null, agentId: string | null, chatId: string | null): Promise<{ customerId: number | null; leadId: number | null }> {
    if (visitor.customerId !== null || visitor.leadId !== null) return { customerId: visitor.customerId, leadId: visitor.leadId }
    const { lead } = await findOrCreateLead(this.o.db, { phone, visitorId: visitor.id, line: null, agentId, callId: chatId ?? `visitor-${visitor.id.slice(0, 12)}`, at: this.o.now(), fallbackSource: `web-chat:${visitor.site}` })
    const who = { customerId: null, leadId: lead.id }
    await this.o.visitors.link(visitor.id, who)
    visitor.leadId = lead.id
    return who
  }

  /** The available-or-not agent with the highest level in the product, null when nobody has it. */
  expertOf(product: string | null): string | null {
    if (product === null) return null
    let best: { id: string; level: number } | null = null
    for (const view of this.o.agents.snapshot()) {
      const level = view.profile.skills[product] ?? 0
      if (level > 0 && (!best || level > best.level)) best = { id: view.profile.id, level }
    }
    return best?.id ?? null
  }
}

function titleOf(cause: ChatTaskCause, detail: { text?: string; phone?: string | null }): string {
  const phone = detail.phone ? ` ${detail.phone}` : ''
  switch (cause) {
    case 'message-left':
      return `Message from the site${phone}: ${clip(detail.text ?? '')}`
    case 'call-me':
      return `Call back the site visitor${phone}`
    case 'unanswered':
      return `Call back: a site chat waited and nobody answered${phone}`
    case 'agent-call-back':
      return `Call back the chat visitor${phone}`
  }
}

function clip(text: string): string {
  return text.length > TITLE_TEXT ? `${text.slice(0, TITLE_TEXT - 1)}…` : text
}
