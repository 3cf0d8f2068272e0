// One agent action from a click: its buttons are disabled while it runs, what
// came of it (or the server's error) is shown, and its Idempotency-Key stays the
// same for a retry of the same action until the server has answered it.

import { newActionKey } from './api.js'
import { labels } from './labels.js'

const L = labels.actions

/** Shows `text` in a status line; `kind` (busy, ok, error) styles it. */
export function showStatus(status, kind, text) {
  status.dataset.kind = kind || ''
  status.textContent = text || ''
}

/**
 * Runs actions for one form or row: `run({ what, send, busy, done })` sends
 * `send(key)` unless one is running already, then shows `done(result)` or the
 * error in `status`. `what` names the action and its body: the same `what` sent
 * again after no answer (the network, or the server still at it) reuses its key,
 * so the server replays its first answer instead of acting twice; any answer
 * settles the key, and the next action gets a fresh one. Resolves to the result,
 * or undefined when nothing was done.
 */
export function createActionRunner({ buttons, status }) {
  let running = false
  let unsettled = null

  return async function run({ what, send, busy, done }) {
    if (running) return undefined
    running = true
    for (const button of buttons) button.disabled = true
    showStatus(status, 'busy', busy)
    const key = unsettled && unsettled.what === what ? unsettled.key : newActionKey()
    unsettled = { what, key }
    try {
      const result = await send(key)
      unsettled = null
      showStatus(status, 'ok', done(result))
      return result
    } catch (err) {
      // Signed out: the sign-in form says why.
      if (err.message === 'unauthorized') {
        unsettled = null
        showStatus(status, '', '')
        return undefined
      }
      const answered = err.status !== undefined && err.code !== 'CTI_ERR_ACTION_IN_PROGRESS'
      if (answered) unsettled = null
      showStatus(status, 'error', L.failed(err.status === undefined ? L.noAnswer : err.message))
      return undefined
    } finally {
      running = false
      for (const button of buttons) button.disabled = false
    }
  }
}
