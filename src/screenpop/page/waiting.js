// How many callers wait for this agent and for their team, as the server's `waiting` messages
// on the live channel say (sent when the counts change). Text only, through the labels.

import { labels } from './labels.js'

/** True for the live channel's waiting counts (not a screen-pop: no seq, not kept). */
export function isWaiting(event) {
  return event.type === 'waiting' && Number.isInteger(event.forYou) && Number.isInteger(event.forTeam)
}

/** Shows the counts in `element`; `data-busy` is set while anyone waits, for the style. */
export function createWaiting(element) {
  return {
    show({ forYou, forTeam }) {
      element.textContent = forYou + forTeam === 0 ? labels.waiting.none : labels.waiting.counts(forYou, forTeam)
      element.dataset.busy = forYou + forTeam > 0 ? 'true' : 'false'
      element.hidden = false
    },
    clear() {
      element.textContent = ''
      element.hidden = true
    }
  }
}
