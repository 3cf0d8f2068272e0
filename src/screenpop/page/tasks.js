// The agent's open tasks, soonest due first, overdue ones marked; each can be
// marked done, snoozed or rescheduled from here, and one about a customer or a
// lead called back.

import { createActionRunner, showStatus } from './action-runner.js'
import { createMeActions } from './api.js'
import { placeCallBack } from './call-back.js'
import { h, timeElement } from './dom.js'
import { instantOfLocalInput, localInputValue } from './due-time.js'
import { formatDateTime } from './format.js'
import { labels } from './labels.js'

const L = labels.actions
const SNOOZES = [
  { minutes: 15, label: L.snooze15 },
  { minutes: 60, label: L.snooze60 },
  { minutes: 24 * 60, label: L.snoozeTomorrow, title: L.snoozeTomorrowHint }
]

/**
 * Lists the agent's open tasks (GET /v1/me/tasks) in `list`; `empty` shows when
 * there are none. What came of an action on a task shows in a status line below
 * the list, and the list is asked for again after each.
 */
export function createTaskList({ list, empty, api }) {
  const actions = createMeActions(api)
  const status = h('p', { class: 'action-status task-status', role: 'status' })
  empty.after(status)
  /** The task whose reschedule field is open, and what is in it: a refresh keeps it open. */
  let editing = null

  async function refresh() {
    let body
    try {
      body = await api('/v1/me/tasks')
    } catch (err) {
      // The next refresh tries again; a bad token has signed the page out already.
      if (err.message !== 'unauthorized') console.warn('tasks not refreshed:', err.message)
      return
    }
    if (editing && !body.tasks.some((t) => t.id === editing.id)) editing = null
    list.replaceChildren(...body.tasks.map(taskItem))
    empty.hidden = body.tasks.length > 0
  }

  function taskItem(t) {
    const done = h('button', { type: 'button', class: 'small' }, L.done)
    const snoozes = SNOOZES.map((s) => h('button', { type: 'button', class: 'small quiet', title: s.title }, s.label))
    const reschedule = h('button', { type: 'button', class: 'small quiet', 'aria-expanded': 'false' }, L.reschedule)
    const when = h('input', { type: 'datetime-local', 'aria-label': L.newDue })
    const move = h('button', { type: 'submit', class: 'small' }, L.move)
    const cancel = h('button', { type: 'button', class: 'small quiet' }, L.cancel)
    const editor = h('form', { class: 'task-reschedule', novalidate: true, hidden: true }, when, move, cancel)
    const callBack = t.customer || t.leadId ? h('button', { type: 'button', class: 'small quiet' }, L.callBack) : null
    const run = createActionRunner({ buttons: [done, ...snoozes, reschedule, move, cancel, callBack].filter(Boolean), status })

    async function act(what, send, said) {
      if (await run({ what, send, busy: L.working, done: said })) {
        editing = null
        await refresh()
      }
    }
    function openEditor(value) {
      editor.hidden = false
      reschedule.setAttribute('aria-expanded', 'true')
      when.value = value
      editing = { id: t.id, value }
    }

    done.addEventListener('click', () => act(`done ${t.id}`, (key) => actions.taskDone(t.id, key), () => L.taskDone(t.title)))
    snoozes.forEach((button, i) => {
      const { minutes } = SNOOZES[i]
      button.addEventListener('click', () => act(`snooze ${t.id} ${minutes}`, (key) => actions.snoozeTask(t.id, minutes, key), (moved) => L.taskMoved(t.title, formatDateTime(moved.dueAt))))
    })
    reschedule.addEventListener('click', () => {
      if (!editor.hidden) return cancel.click()
      openEditor(localInputValue(new Date(t.dueAt)))
      when.focus()
    })
    when.addEventListener('input', () => (editing = { id: t.id, value: when.value }))
    cancel.addEventListener('click', () => {
      editor.hidden = true
      reschedule.setAttribute('aria-expanded', 'false')
      editing = null
    })
    editor.addEventListener('submit', (event) => {
      event.preventDefault()
      const dueAt = instantOfLocalInput(when.value)
      if (!dueAt) return showStatus(status, 'error', L.dueMissing)
      void act(`reschedule ${t.id} ${dueAt}`, (key) => actions.rescheduleTask(t.id, dueAt, key), (moved) => L.taskMoved(t.title, formatDateTime(moved.dueAt)))
    })
    // The list stays as it is: a call-back does not change the task.
    callBack?.addEventListener('click', () => void placeCallBack({ run, actions, body: { taskId: t.id } }))
    if (editing && editing.id === t.id) openEditor(editing.value)

    return h(
      'li',
      { class: t.overdue ? 'task late' : 'task', 'data-task-id': t.id },
      h('span', { class: 'task-due' }, t.overdue ? h('strong', { class: 'late-label' }, labels.card.overdue) : null, timeElement(t.dueAt, formatDateTime(t.dueAt))),
      h('span', { class: 'task-title' }, t.title),
      h('span', { class: 'muted' }, [labels.card.taskKinds[t.kind] ?? t.kind, t.customer ? t.customer.name : null].filter(Boolean).join(' · ')),
      h('div', { class: 'task-actions', role: 'group', 'aria-label': L.taskActions(t.title) }, done, h('span', { class: 'task-snooze', role: 'group', 'aria-label': L.snooze }, snoozes), reschedule, callBack),
      editor
    )
  }

  return { refresh }
}
