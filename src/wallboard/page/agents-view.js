// Agents by state, with time in state, calls in progress and today's handled
// count; a supervisor sets one away or offline from here.

import { h } from './dom.js'

const ORDER = ['ringing', 'busy', 'available', 'wrap-up', 'away', 'offline']
/** Rows drawn at most; the counts above the table always cover everyone. */
const MAX_ROWS = 300

export function renderAgents({ table, empty, counts }, store, words, fmt) {
  const agents = [...store.agents.values()].sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status) || a.since - b.since || a.name.localeCompare(b.name))
  empty.hidden = agents.length > 0
  const byState = new Map(ORDER.map((state) => [state, 0]))
  for (const agent of agents) byState.set(agent.status, (byState.get(agent.status) ?? 0) + 1)
  counts.replaceChildren(...[...byState].map(([state, n]) => h('span', { 'data-count': state }, words.stateCount(words.states[state] ?? state, fmt.number(n)))))
  const now = store.now()
  const head = h('tr', null, [words.agent, words.team, words.state, words.timeInState, words.inProgress, words.handledToday, words.actions].map((text) => h('th', { scope: 'col' }, text)))
  const rows = agents.slice(0, MAX_ROWS).map((a) =>
    h(
      'tr',
      { 'data-agent': a.id },
      h('th', { scope: 'row' }, a.name),
      h('td', null, a.team ?? '—'),
      h('td', null, h('span', { class: 'state', 'data-state': a.status }, words.states[a.status] ?? a.status), a.setBy ? h('span', { class: 'muted' }, ` (${words.setBy(a.setBy)})`) : null),
      h('td', { class: 'num', 'data-since': a.since }, fmt.duration(now - a.since)),
      h('td', { class: 'num' }, `${fmt.number(a.activeCalls)} / ${fmt.number(a.capacity)}`),
      h('td', { class: 'num' }, fmt.number(a.callsToday)),
      h(
        'td',
        null,
        a.status === 'away' ? null : h('button', { type: 'button', class: 'quiet', 'data-set': 'away', 'data-id': a.id }, words.setAway),
        ' ',
        a.status === 'offline' ? null : h('button', { type: 'button', class: 'quiet', 'data-set': 'offline', 'data-id': a.id }, words.setOffline)
      )
    )
  )
  const body = h('tbody', null, rows)
  if (agents.length > MAX_ROWS) body.append(h('tr', null, h('td', { colspan: 7, class: 'muted' }, words.more(fmt.number(agents.length - MAX_ROWS)))))
  table.replaceChildren(h('thead', null, head), body)
}

/** Today's handled count of every agent shown. */
export function handledToday(store) {
  let n = 0
  for (const agent of store.agents.values()) n += agent.callsToday
  return n
}

/** Sets an agent away or offline through the supervisor's endpoint; resolves to an error text or null. */
export async function setAgentState(token, agentId, state) {
  const response = await fetch(`/v1/supervisor/agents/${encodeURIComponent(agentId)}/state`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ state })
  })
  if (response.ok) return null
  const body = await response.json().catch(() => ({}))
  return body.message ?? `HTTP ${response.status}`
}
