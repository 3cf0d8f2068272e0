// The agent's state: the badge, the details, and the buttons that set it.

import { formatDateTime, formatTime } from './format.js'
import { labels } from './labels.js'

const REFRESH_SOON_MS = 150

/**
 * Shows the agent's state in `badge` and `detail` and sets it from `buttons`
 * (each with its state in data-state) through `api`; errors go to `error`.
 */
export function createStateButtons({ badge, detail, error, buttons, api }) {
  let refreshTimer = null

  function show(state) {
    const status = state ? state.status : 'unknown'
    badge.textContent = labels.states[status] || status
    badge.dataset.status = status
    for (const button of buttons) {
      button.setAttribute('aria-pressed', String(button.dataset.state === status))
      // In wrap-up, "available" is how the agent ends it.
      if (button.dataset.state === 'available') button.textContent = status === 'wrap-up' ? labels.wrapUpDone : labels.states.available
    }
    const details = []
    if (state) details.push(labels.stateSince(formatDateTime(state.since)))
    if (state && state.wrapUpUntil) details.push(labels.wrapUpEnds(formatTime(state.wrapUpUntil)))
    if (state && state.activeCalls > 0) details.push(labels.callsInProgress(state.activeCalls, state.capacity))
    if (!state) details.push(labels.notInRouting)
    detail.textContent = details.join(' · ')
  }

  async function refresh() {
    let me
    try {
      me = await api('/v1/me')
    } catch (err) {
      // The next refresh tries again; a bad token has signed the page out already.
      if (err.message !== 'unauthorized') console.warn('agent state not refreshed:', err.message)
      return
    }
    show(me.state)
  }

  /** Calls bring state changes with them: look again shortly after an event. */
  function refreshSoon() {
    clearTimeout(refreshTimer)
    refreshTimer = setTimeout(() => void refresh(), REFRESH_SOON_MS)
  }

  for (const button of buttons) {
    button.addEventListener('click', async () => {
      error.textContent = ''
      for (const b of buttons) b.disabled = true
      try {
        show(await api('/v1/me/state', { method: 'PUT', body: { state: button.dataset.state } }))
      } catch (err) {
        if (err.message !== 'unauthorized') error.textContent = labels.stateNotChanged(err.message)
      } finally {
        for (const b of buttons) b.disabled = false
      }
    })
  }

  return { show, refresh, refreshSoon, stop: () => clearTimeout(refreshTimer) }
}
