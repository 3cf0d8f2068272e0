// Calling a customer or a lead back: from their card (any time, not only
// during a call) and from a task of the list. The server rings the agent's
// phone first, then the customer's.

import { createActionRunner, showStatus } from './action-runner.js'
import { h } from './dom.js'
import { labels } from './labels.js'

const L = labels.actions

/**
 * Places the call-back `body` (`{ customerId } | { leadId } | { taskId }`)
 * through `run` (action-runner.js), which shows what came of it.
 */
export function placeCallBack({ run, actions, body }) {
  return run({
    what: `call back ${JSON.stringify(body)}`,
    send: (key) => actions.callBack(body, key),
    busy: L.callingBack,
    done: (placed) => L.callBackRinging(placed.phone)
  })
}

/**
 * The card's "Call back" button with its status line; `subject()` is whom to
 * call (`{ customerId }` or `{ leadId }`), or null while a first call's lead is
 * not known to the page yet.
 */
export function callBackButton({ actions, subject }) {
  const button = h('button', { type: 'button', class: 'small' }, L.callBack)
  const status = h('span', { class: 'action-status', role: 'status' })
  const run = createActionRunner({ buttons: [button], status })
  button.addEventListener('click', () => {
    const body = subject()
    if (!body) return showStatus(status, 'error', L.leadPending)
    void placeCallBack({ run, actions, body })
  })
  return h('div', { class: 'call-back', role: 'group', 'aria-label': L.callBack }, button, status)
}
