// On a lead's card: turning the lead into a customer the agent owns, with the
// name and company they learned on the call.

import { createActionRunner, showStatus } from './action-runner.js'
import { field, h } from './dom.js'
import { labels } from './labels.js'

const L = labels.actions

/** The convert form of call `callId`; `leadId()` is the lead's id once the page knows it (else null). */
export function convertForm({ callId, actions, leadId }) {
  const name = h('input', { type: 'text', maxlength: 200, autocomplete: 'off' })
  const company = h('input', { type: 'text', maxlength: 200, autocomplete: 'off' })
  const convert = h('button', { type: 'submit' }, L.convertButton)
  const status = h('p', { class: 'action-status', role: 'status' })
  const fields = h('div', { class: 'action-fields' }, field(L.name, name), field(L.company, company))
  const run = createActionRunner({ buttons: [convert], status })

  const form = h('form', { class: 'action-form convert-form', novalidate: true }, h('fieldset', {}, h('legend', {}, L.convert), fields, h('div', { class: 'action-row' }, convert, status)))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const id = leadId()
    // A first call's lead is written a moment after the call is routed; its notice names it.
    if (!id) return showStatus(status, 'error', L.leadPending)
    const body = { callId }
    if (name.value.trim()) body.name = name.value.trim()
    if (company.value.trim()) body.company = company.value.trim()
    const result = await run({ what: `${id} ${JSON.stringify(body)}`, send: (key) => actions.convertLead(id, body, key), busy: L.converting, done: (r) => L.converted(r.customer.name) })
    if (!result) return
    fields.hidden = true
    convert.hidden = true
  })
  return form
}
