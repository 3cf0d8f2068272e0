// Workflow notices on the page: new tasks, reminders, closed tasks, new leads, web visits.
// They are grouped by kind, each group collapsible with its count; a notice that
// comes again (the same escalation replayed after a reload) replaces the older one.

import { h } from './dom.js'
import { formatDuration } from './format.js'
import { labels, lang } from './labels.js'

const L = labels.notices

/** The groups, in the order they show, and which event types go in each. */
const GROUPS = [
  { key: 'due', types: ['reminder'] },
  { key: 'task', types: ['task'] },
  { key: 'lead', types: ['lead'] },
  { key: 'visit', types: ['visit'] },
  { key: 'closed', types: ['task-closed'] }
]
const GROUP_OF = new Map(GROUPS.flatMap((group) => group.types.map((type) => [type, group.key])))
/** Notices kept per group; the oldest go past it. */
const MAX_PER_GROUP = 100

/** True for the events shown as notices (they also change the agent's tasks). */
export const isNotice = (event) => GROUP_OF.has(event.type)

/**
 * What makes two notices the same one: a task's escalation and its own reminder
 * are two, the same escalation sent again is one.
 */
export function noticeIdentity(event) {
  switch (event.type) {
    case 'reminder':
      return `reminder:${event.task.id}:${event.escalated ? 'escalated' : 'due'}`
    case 'task':
      return `task:${event.task.id}`
    case 'task-closed':
      return `task-closed:${event.taskId}`
    case 'lead':
      return `lead:${event.lead.id}`
    case 'visit':
      return `visit:${event.callId}`
    default:
      return `${event.type}:${event.callId ?? ''}`
  }
}

export function noticeText(event) {
  switch (event.type) {
    case 'task':
      return L.task(event.task.title)
    case 'reminder':
      return reminderText(event)
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

function reminderText(event) {
  const overdue = event.overdueMinutes ?? 0
  if (event.escalated) {
    const assignee = event.assigneeName || event.task.assigneeAgentId || '—'
    return L.escalated(formatDuration(overdue, lang), assignee, event.task.title)
  }
  return overdue >= 1 ? L.overdue(formatDuration(overdue, lang), event.task.title) : L.due(event.task.title)
}

/** One collapsible group: its <details> (open at first), its list and its count. */
function createGroup(key) {
  const badge = h('span', { class: 'notice-count', 'aria-hidden': 'true' })
  const spoken = h('span', { class: 'visually-hidden' })
  const list = h('ol', { class: 'notice-list' })
  const details = h('details', { class: `notice-group notice-group-${key}`, 'data-group': key, open: true, hidden: true }, h('summary', null, h('span', { class: 'notice-group-name' }, L.groups[key]), ' ', badge, spoken), list)
  return {
    details,
    list,
    recount() {
      const n = list.children.length
      badge.textContent = String(n)
      spoken.textContent = ` (${L.count(n)})`
      details.hidden = n === 0
    }
  }
}

/**
 * Shows notices in `container`, grouped by kind, newest first in each group;
 * returns `show(event)`. The newest one is also said once by a status line.
 */
export function createNotices(container) {
  if (!container) return { show() {} }
  const heading = container.getAttribute('aria-labelledby') && document.getElementById(container.getAttribute('aria-labelledby'))
  if (heading) heading.textContent = L.heading
  const status = h('p', { class: 'visually-hidden', role: 'status' })
  const groups = new Map(GROUPS.map((group) => [group.key, createGroup(group.key)]))
  container.replaceChildren(status, ...[...groups.values()].map((group) => group.details))
  /** identity → its item, so that the same notice again replaces it. */
  const shown = new Map()

  return {
    show(event) {
      const group = groups.get(GROUP_OF.get(event.type))
      if (!group) return
      const identity = noticeIdentity(event)
      shown.get(identity)?.remove()
      const text = noticeText(event)
      const late = event.type === 'reminder' && (event.escalated || event.overdueMinutes >= 1)
      const item = h('li', { class: late ? 'notice-item late' : 'notice-item', 'data-notice': identity }, h('span', { class: 'notice-text' }, text))
      shown.set(identity, item)
      group.list.prepend(item)
      while (group.list.children.length > MAX_PER_GROUP) {
        const oldest = group.list.lastElementChild
        shown.delete(oldest.dataset.notice)
        oldest.remove()
      }
      group.recount()
      status.textContent = text
    }
  }
}
