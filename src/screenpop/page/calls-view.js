// The current call's card on top and the earlier ones listed beside it; picking
// an earlier one brings its card back on top.

import { statusText } from './calls.js'
import { renderCard } from './card-view.js'
import { h, timeElement } from './dom.js'
import { formatTime } from './format.js'
import { labels } from './labels.js'

/** Shows `list` (calls.js) in `slot` (the current card) and `recentList`; returns `render()`. */
export function createCallsView({ list, current, slot, recentList, recentEmpty }) {
  function render() {
    const shown = list.shown()
    slot.replaceChildren(shown ? renderCard(shown, list.serverNow ?? Date.now()) : h('p', { class: 'empty' }, labels.card.noCall))

    const others = [...list.calls.values()].filter((c) => c !== shown).reverse()
    recentList.replaceChildren(
      ...others.map((call) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'recent-item', 'data-call-id': call.card.callId },
            h('span', { class: 'recent-title' }, call.card.title),
            h('span', { class: `recent-status status-${call.status}` }, statusText(call)),
            h('span', { class: 'recent-meta' }, `${call.card.reason} · `, timeElement(call.at, formatTime(call.at)))
          )
        )
      )
    )
    recentEmpty.hidden = others.length > 0
  }

  recentList.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-call-id]')
    if (!button) return
    list.shownCallId = button.dataset.callId
    render()
    current.focus()
  })

  return { render }
}
