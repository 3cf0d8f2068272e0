// The agent's open tasks, soonest due first, overdue ones marked.

import { h, timeElement } from './dom.js'
import { formatDateTime } from './format.js'
import { labels } from './labels.js'

/** Lists the agent's open tasks (GET /v1/me/tasks) in `list`; `empty` shows when there are none. */
export function createTaskList({ list, empty, api }) {
  async function refresh() {
    let body
    try {
      body = await api('/v1/me/tasks')
    } catch (err) {
      // The next refresh tries again; a bad token has signed the page out already.
      if (err.message !== 'unauthorized') console.warn('tasks not refreshed:', err.message)
      return
    }
    list.replaceChildren(
      ...body.tasks.map((t) =>
        h(
          'li',
          { class: t.overdue ? 'task late' : 'task' },
          h('span', { class: 'task-due' }, t.overdue ? h('strong', { class: 'late-label' }, labels.card.overdue) : null, timeElement(t.dueAt, formatDateTime(t.dueAt))),
          h('span', { class: 'task-title' }, t.title),
          h('span', { class: 'muted' }, [t.kind, t.customer ? t.customer.name : null].filter(Boolean).join(' · '))
        )
      )
    )
    empty.hidden = body.tasks.length > 0
  }
  return { refresh }
}
