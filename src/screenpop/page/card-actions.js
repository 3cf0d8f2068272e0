// What the agent does from the current card once they have answered: record
// the call's outcome, set a follow-up task, hand the call to a colleague while
// talking on it, and on a lead's card turn the lead into a customer; and, on
// the card of a customer or a lead, call them back. The card is drawn again on
// every event, so each call's actions area and call-back button are built once
// and kept: what the agent typed, a request in flight and its answer survive
// the redraws.

import { createMeActions } from './api.js'
import { callBackButton } from './call-back.js'
import { convertForm } from './convert-form.js'
import { h } from './dom.js'
import { followUpForm } from './follow-up-form.js'
import { labels } from './labels.js'
import { outcomeForm } from './outcome-form.js'
import { transferForm } from './transfer-form.js'

const L = labels.actions
/** Areas kept at most: the page keeps 20 calls (calls.js). */
const MAX_AREAS = 30

const session = {
  actions: null,
  /** The deal stages and refusal reasons, asked once per sign-in. */
  options: null,
  onTasksChanged: () => {},
  onStateChanged: () => {},
  /** callId → lead id, from the lead notices (a first call's card does not know its lead). */
  leads: new Map(),
  /** callId → { answered, element, transfer } */
  areas: new Map(),
  /** callId → the card's call-back button */
  callBacks: new Map()
}

/**
 * At sign-in: `api` carries the agent's token (api.js); `onTasksChanged` runs
 * after a task is set from a card, `onStateChanged` after a transfer (which puts
 * the agent into wrap-up).
 */
export function startCardActions({ api, onTasksChanged, onStateChanged }) {
  session.actions = createMeActions(api)
  session.onTasksChanged = onTasksChanged || (() => {})
  session.onStateChanged = onStateChanged || (() => {})
  session.leads.clear()
  session.areas.clear()
  session.callBacks.clear()
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
  session.callBacks.clear()
}

/** A lead notice (`{ type: 'lead', callId, lead }`) names the lead its call's caller became. */
export function noteLead(event) {
  if (event.callId && event.lead) session.leads.set(event.callId, event.lead.id)
}

/**
 * For the card of `call` (calls.js): `answeredBy`, the words naming who answered
 * it (null until the agent has), `element`, its actions area (null while it
 * rings, when it was missed or went to another agent, or when signed out), and
 * `callBack`, the call-back button of a customer's or a lead's card (null while
 * it rings, for a caller the CRM could not name, or when signed out).
 */
export function cardActions(call) {
  const none = { answeredBy: null, element: null, callBack: null }
  if (!session.actions) return none
  const callId = call.card.callId
  const callBack = callBackOf(call)
  let area = session.areas.get(callId)
  // An ended call the page did not see answered (shown again after a reload) gets its area too: the server knows who took it.
  if (!area && (call.status === 'answered' || call.status === 'ended')) area = keep(session.areas, callId, actionsArea(call))
  if (!area) return { ...none, callBack }
  if (call.status === 'answered') area.answered = true
  // Handing the call on needs the agent on it: answered, not yet ended or taken over.
  area.transfer.setTalking(call.status === 'answered')
  keepFocus(area.element)
  // The card event may one day name the agent it was offered to; this page's own agent is "you".
  return { answeredBy: area.answered ? L.answeredBy(call.card.agent?.name || L.you) : null, element: area.element, callBack }
}

/** The kept call-back button of a customer's or a lead's card, once it no longer rings. */
function callBackOf(call) {
  const callId = call.card.callId
  const kept = session.callBacks.get(callId)
  if (kept) {
    keepFocus(kept)
    return kept
  }
  const who = call.card.who || {}
  if (call.status === 'ringing') return null
  let subject
  if (who.kind === 'customer' && who.customer && who.customer.id) subject = () => ({ customerId: Number(who.customer.id) })
  else if (who.kind === 'lead') subject = () => (leadIdOf(call) ? { leadId: Number(leadIdOf(call)) } : null)
  else return null
  return keep(session.callBacks, callId, callBackButton({ actions: session.actions, subject }))
}

function leadIdOf(call) {
  const who = call.card.who || {}
  return (who.openLead && who.openLead.id) || session.leads.get(call.card.callId) || null
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

function keep(map, callId, value) {
  map.set(callId, value)
  while (map.size > MAX_AREAS) map.delete(map.keys().next().value)
  return value
}

function actionsArea(call) {
  const callId = call.card.callId
  const who = call.card.who || {}
  const actions = session.actions
  const transfer = transferForm({ callId, actions, onTransferred: () => session.onStateChanged() })
  const forms = [
    transfer.form,
    outcomeForm({ callId, actions, deals: (who.card && who.card.openDeals) || [], options: session.options }),
    followUpForm({ callId, actions, onCreated: () => session.onTasksChanged() })
  ]
  if (who.kind === 'lead') forms.push(convertForm({ callId, actions, leadId: () => leadIdOf(call) }))
  const element = h('section', { class: 'card-actions', 'aria-label': L.heading }, h('h4', {}, L.heading), h('div', { class: 'action-forms' }, forms))
  return { answered: false, element, transfer }
}
