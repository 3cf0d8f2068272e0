// What the agent does from the current card once they have answered: record
// the call's outcome, set a follow-up task, and on a lead's card turn the lead
// into a customer. The card is drawn again on every event, so each call's
// actions area is built once and kept: what the agent typed, a request in
// flight and its answer survive the redraws.

import { createMeActions } from './api.js'
import { convertForm } from './convert-form.js'
import { h } from './dom.js'
import { followUpForm } from './follow-up-form.js'
import { labels } from './labels.js'
import { outcomeForm } from './outcome-form.js'

const L = labels.actions
/** Areas kept at most: the page keeps 20 calls (calls.js). */
const MAX_AREAS = 30

const session = {
  actions: null,
  /** The deal stages and refusal reasons, asked once per sign-in. */
  options: null,
  onTasksChanged: () => {},
  /** callId → lead id, from the lead notices (a first call's card does not know its lead). */
  leads: new Map(),
  /** callId → { answered, element } */
  areas: new Map()
}

/** At sign-in: `api` carries the agent's token (api.js); `onTasksChanged` runs after a task is set from a card. */
export function startCardActions({ api, onTasksChanged }) {
  session.actions = createMeActions(api)
  session.onTasksChanged = onTasksChanged || (() => {})
  session.leads.clear()
  session.areas.clear()
  session.options = session.actions.dealOptions().catch((err) => {
    if (err.message !== 'unauthorized') console.warn('deal options not loaded:', err.message)
    return { stages: [], reasons: [] }
  })
}

/** At sign-out: nothing of the session's calls is kept. */
export function stopCardActions() {
  session.actions = null
  session.leads.clear()
  session.areas.clear()
}

/** A lead notice (`{ type: 'lead', callId, lead }`) names the lead its call's caller became. */
export function noteLead(event) {
  if (event.callId && event.lead) session.leads.set(event.callId, event.lead.id)
}

/**
 * For the card of `call` (calls.js): `answeredBy`, the words naming who answered
 * it (null until the agent has), and `element`, its actions area (null while it
 * rings, when it was missed or went to another agent, or when signed out).
 */
export function cardActions(call) {
  const none = { answeredBy: null, element: null }
  if (!session.actions) return none
  const callId = call.card.callId
  let area = session.areas.get(callId)
  // An ended call the page did not see answered (shown again after a reload) gets its area too: the server knows who took it.
  if (!area && (call.status === 'answered' || call.status === 'ended')) area = keep(callId, { answered: false, element: actionsArea(call) })
  if (!area) return none
  if (call.status === 'answered') area.answered = true
  keepFocus(area.element)
  // The card event may one day name the agent it was offered to; this page's own agent is "you".
  return { answeredBy: area.answered ? L.answeredBy(call.card.agent?.name || L.you) : null, element: area.element }
}

/**
 * The redraw moves the area into the new card, and a moved element loses focus:
 * give it back, with the caret where it was, once the redraw is done.
 */
function keepFocus(element) {
  const focused = document.activeElement
  if (!focused || focused === element || !element.contains(focused)) return
  const caret = typeof focused.selectionStart === 'number' ? [focused.selectionStart, focused.selectionEnd] : null
  queueMicrotask(() => {
    if (document.activeElement === focused || !focused.isConnected) return
    focused.focus({ preventScroll: true })
    if (caret) focused.setSelectionRange(...caret)
  })
}

function keep(callId, area) {
  session.areas.set(callId, area)
  while (session.areas.size > MAX_AREAS) session.areas.delete(session.areas.keys().next().value)
  return area
}

function actionsArea(call) {
  const callId = call.card.callId
  const who = call.card.who || {}
  const actions = session.actions
  const forms = [
    outcomeForm({ callId, actions, deals: (who.card && who.card.openDeals) || [], options: session.options }),
    followUpForm({ callId, actions, onCreated: () => session.onTasksChanged() })
  ]
  if (who.kind === 'lead') {
    const leadId = () => (who.openLead && who.openLead.id) || session.leads.get(callId) || null
    forms.push(convertForm({ callId, actions, leadId }))
  }
  return h('section', { class: 'card-actions', 'aria-label': L.heading }, h('h4', {}, L.heading), h('div', { class: 'action-forms' }, forms))
}
