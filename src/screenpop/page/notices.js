// Workflow notices on the page: new tasks, reminders, closed tasks, new leads, web visits.

import { h } from './dom.js'
import { labels } from './labels.js'

const NOTICE_TYPES = new Set(['task', 'reminder', 'task-closed', 'lead', 'visit'])
const MAX_NOTICES = 20
const L = labels.notices

/** True for the events shown as notices (they also change the agent's tasks). */
export const isNotice = (event) => NOTICE_TYPES.has(event.type)

export function noticeText(event) {
  switch (event.type) {
    case 'task':
      return L.task(event.task.title)
    case 'reminder':
      return event.escalated ? L.escalated(event.overdueMinutes, event.task.assigneeAgentId, event.task.title) : L.due(event.task.title)
    case 'task-closed':
      return L.taskClosed(event.why)
    case 'lead':
      return L.lead(event.lead.campaign || event.lead.source || L.unknownLine)
    case 'visit':
      return `${event.title}: ${event.pages.map((p) => p.title || p.url).join(', ')}${event.callbackRequested ? L.callbackRequested : ''}`
    default:
      return event.type
  }
}

/** Shows notices newest first in `list`, keeping the latest few; returns `show(event)`. */
export function createNotices(list) {
  return {
    show(event) {
      if (!list) return
      const late = event.type === 'reminder'
      list.prepend(h('li', { class: late ? 'task late' : 'task' }, h('span', { class: 'task-title' }, noticeText(event))))
      while (list.children.length > MAX_NOTICES) list.lastElementChild.remove()
    }
  }
}
