// A follow-up task from the card: what to do, when (the agent's wall clock,
// sent as an instant with the browser's offset), and a note.

import { createActionRunner, showStatus } from './action-runner.js'
import { field, h } from './dom.js'
import { instantOfLocalInput, localInputValue, tomorrowAt } from './due-time.js'
import { formatDateTime } from './format.js'
import { labels } from './labels.js'

const L = labels.actions

/** The follow-up form of call `callId` (the task is about the call's customer or lead); `onCreated(task)` after one is set. */
export function followUpForm({ callId, actions, onCreated }) {
  const title = h('input', { type: 'text', maxlength: 200, autocomplete: 'off' })
  const due = h('input', { type: 'datetime-local', value: localInputValue(tomorrowAt(10)) })
  const note = h('textarea', { rows: 2, maxlength: 2000 })
  const create = h('button', { type: 'submit' }, L.create)
  const status = h('p', { class: 'action-status', role: 'status' })
  const run = createActionRunner({ buttons: [create], status })

  const form = h(
    'form',
    { class: 'action-form follow-up-form', novalidate: true },
    h('fieldset', {}, h('legend', {}, L.followUp), field(L.taskTitle, title), field(L.dueAt, due), field(L.note, note), h('div', { class: 'action-row' }, create, status))
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const body = { callId, title: title.value.trim(), dueAt: instantOfLocalInput(due.value) }
    if (note.value.trim()) body.note = note.value.trim()
    if (!body.title) return showStatus(status, 'error', L.titleMissing)
    if (!body.dueAt) return showStatus(status, 'error', L.dueMissing)
    const task = await run({
      what: JSON.stringify(body),
      send: (key) => actions.createTask(body, key),
      busy: L.creating,
      done: (created) => L.taskCreated(created.title, formatDateTime(created.dueAt))
    })
    if (!task) return
    title.value = ''
    note.value = ''
    onCreated(task)
  })
  return form
}
