// A call's outcome from its card: a deal moved to a stage, or a refusal reason
// (which, with a deal chosen, loses that deal), and a note.

import { createActionRunner, showStatus } from './action-runner.js'
import { field, h } from './dom.js'
import { labels } from './labels.js'

const L = labels.actions

/**
 * The outcome form of call `callId`: `deals` are the card's open deals,
 * `options` a promise of `{ stages, reasons }` (GET /v1/me/deals/options),
 * `actions` the agent's calls (api.js createMeActions).
 */
export function outcomeForm({ callId, actions, deals, options }) {
  const deal = h('select', {}, deals.map((d) => h('option', { value: d.id }, `${d.title} · ${d.stage}`)), h('option', { value: '' }, L.noDeal))
  const stage = h('select', {}, h('option', { value: '' }, L.keepStage))
  const reason = h('select', {}, h('option', { value: '' }, L.noReason))
  const note = h('textarea', { rows: 2, maxlength: 2000 })
  const save = h('button', { type: 'submit' }, L.save)
  const status = h('p', { class: 'action-status', role: 'status' })
  const losesDeal = h('p', { class: 'hint' }, L.reasonLosesDeal)
  void options.then(({ stages, reasons }) => {
    stage.append(...stages.map((s) => h('option', { value: s }, s)))
    reason.append(...reasons.map((r) => h('option', { value: r }, r)))
  })

  const dealChosen = () => deals.length > 0 && deal.value !== ''
  function followDeal() {
    stage.disabled = !dealChosen()
    if (stage.disabled) stage.value = ''
    losesDeal.hidden = !dealChosen()
  }
  // The server takes a stage or a refusal, not both: choosing one clears the other.
  stage.addEventListener('change', () => stage.value && (reason.value = ''))
  reason.addEventListener('change', () => reason.value && (stage.value = ''))
  deal.addEventListener('change', followDeal)
  followDeal()

  const run = createActionRunner({ buttons: [save], status })
  const form = h(
    'form',
    { class: 'action-form outcome-form', novalidate: true },
    h(
      'fieldset',
      {},
      h('legend', {}, L.outcome),
      deals.length ? [field(L.deal, deal), field(L.stage, stage)] : null,
      field(L.reason, reason),
      deals.length ? losesDeal : null,
      field(L.note, note),
      h('div', { class: 'action-row' }, save, status)
    )
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const body = {}
    const dealId = dealChosen() ? Number(deal.value) : undefined
    if (stage.value) Object.assign(body, { stage: stage.value, dealId })
    else if (reason.value) Object.assign(body, { refusalReason: reason.value, dealId })
    if (note.value.trim()) body.note = note.value.trim()
    if (!body.stage && !body.refusalReason && !body.note) {
      showStatus(status, 'error', L.outcomeEmpty)
      return
    }
    const result = await run({ what: JSON.stringify(body), send: (key) => actions.recordOutcome(callId, body, key), busy: L.saving, done: saved })
    if (!result) return
    stage.value = ''
    reason.value = ''
    note.value = ''
  })
  return form
}

function saved(result) {
  if (!result.deal) return L.outcomeSaved
  return result.deal.status === 'lost' ? L.dealLost(result.deal.title) : L.dealMoved(result.deal.title, result.deal.stage)
}
