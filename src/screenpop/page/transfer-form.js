// On the card of the call the agent is talking on: handing it to a colleague,
// to anyone free in a team, or to whoever the routing rules choose, with a
// note for the colleague's card. The colleagues and their states are asked
// for each time the form opens, so "free" is what it is now.

import { createActionRunner, showStatus } from './action-runner.js'
import { field, h } from './dom.js'
import { labels } from './labels.js'

const L = labels.actions
let forms = 0

/**
 * The transfer form of call `callId`; `onTransferred(answer)` after the server
 * took the transfer (the agent is in wrap-up then). `setTalking(talking)` shows
 * the form only while the agent talks on the call, and keeps its answer shown
 * once a transfer was made.
 */
export function transferForm({ callId, actions, onTransferred }) {
  const group = `transfer-to-${++forms}`
  const radio = (value, checked) => h('input', { type: 'radio', name: group, value, checked })
  const toColleague = radio('agent', true)
  const toTeam = radio('team', false)
  const toRules = radio('rules', false)
  const colleague = h('select', { 'aria-label': L.colleague }, h('option', { value: '' }, L.chooseOne))
  const team = h('select', { 'aria-label': L.team }, h('option', { value: '' }, L.chooseOne))
  const note = h('textarea', { rows: 2, maxlength: 500 })
  const open = h('button', { type: 'button', class: 'small quiet', 'aria-expanded': 'false' }, L.transferOpen)
  const send = h('button', { type: 'submit' }, L.transferButton)
  const status = h('p', { class: 'action-status', role: 'status' })
  const run = createActionRunner({ buttons: [open, send], status })

  const choice = (input, text, control) => {
    if (!input.id) input.id = `${group}-${input.value}`
    return h('div', { class: 'transfer-choice' }, input, h('label', { for: input.id }, text), control)
  }
  const targets = h(
    'fieldset',
    { class: 'transfer-targets' },
    h('legend', {}, L.transferTo),
    choice(toColleague, L.toColleague, colleague),
    choice(toTeam, L.toTeam, team),
    choice(toRules, L.toRules, null)
  )
  const body = h('div', { class: 'action-fields', hidden: true }, targets, field(L.transferNote, note), h('div', { class: 'action-row' }, send))
  const form = h('form', { class: 'action-form transfer-form', novalidate: true }, h('fieldset', {}, h('legend', {}, L.transfer), open, body, status))
  let transferred = false

  colleague.addEventListener('change', () => (toColleague.checked = true))
  team.addEventListener('change', () => (toTeam.checked = true))

  open.addEventListener('click', () => {
    const opening = body.hidden
    body.hidden = !opening
    open.setAttribute('aria-expanded', String(opening))
    if (opening) void loadColleagues()
  })

  async function loadColleagues() {
    colleague.disabled = true
    team.disabled = true
    showStatus(status, 'busy', L.loadingColleagues)
    try {
      const { agents, teams } = await actions.colleagues()
      fillColleagues(agents)
      fillTeams(teams, agents)
      showStatus(status, '', '')
    } catch (err) {
      if (err.message !== 'unauthorized') showStatus(status, 'error', L.colleaguesFailed(err.message))
    } finally {
      colleague.disabled = false
      team.disabled = false
    }
  }

  /** Grouped by team (the server sorts them by team, then name); the choice made before a refresh stays. */
  function fillColleagues(agents) {
    const chosen = colleague.value
    const byTeam = new Map()
    for (const agent of agents) {
      const key = agent.team || L.noTeam
      if (!byTeam.has(key)) byTeam.set(key, [])
      byTeam.get(key).push(agent)
    }
    const groups = [...byTeam].map(([name, members]) =>
      h(
        'optgroup',
        { label: name },
        members.map((a) => h('option', { value: a.id, 'data-free': String(a.free) }, a.free ? L.colleagueFree(a.name) : L.colleagueNotFree(a.name, labels.states[a.status] || a.status)))
      )
    )
    colleague.replaceChildren(h('option', { value: '' }, L.chooseOne), ...groups)
    colleague.value = agents.some((a) => a.id === chosen) ? chosen : ''
  }

  function fillTeams(teams, agents) {
    const chosen = team.value
    const options = teams.map((name) => h('option', { value: name }, L.teamFree(name, agents.filter((a) => a.team === name && a.free).length)))
    team.replaceChildren(h('option', { value: '' }, L.chooseOne), ...options)
    team.value = teams.includes(chosen) ? chosen : ''
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const request = {}
    if (toColleague.checked) {
      if (!colleague.value) return showStatus(status, 'error', L.chooseColleague)
      request.toAgentId = colleague.value
    } else if (toTeam.checked) {
      if (!team.value) return showStatus(status, 'error', L.chooseTeam)
      request.team = team.value
    }
    if (note.value.trim()) request.note = note.value.trim()
    const answer = await run({
      what: `${callId} ${JSON.stringify(request)}`,
      send: (key) => actions.transferCall(callId, request, key),
      busy: L.transferring,
      done: (started) => L.transferRinging(started.toName || started.toAgentId)
    })
    if (!answer) return
    transferred = true
    open.hidden = true
    body.hidden = true
    onTransferred(answer)
  })

  return {
    form,
    setTalking(talking) {
      form.hidden = !talking && !transferred
    }
  }
}
