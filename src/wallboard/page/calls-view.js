// Calls in progress: caller, customer, agent, rule, and the waiting or talking time.

import { h } from './dom.js'

const ORDER = ['waiting', 'ringing', 'talking']

export function renderCalls(table, empty, store, words, fmt) {
  const calls = [...store.calls.values()].sort((a, b) => ORDER.indexOf(a.phase) - ORDER.indexOf(b.phase) || a.arrivedAt - b.arrivedAt)
  empty.hidden = calls.length > 0
  const now = store.now()
  const head = h('tr', null, [words.caller, words.customer, words.agent, words.rule, words.queue, words.phase, words.time].map((text) => h('th', { scope: 'col' }, text)))
  const rows = calls.map((c) => {
    const since = c.phase === 'talking' ? c.answeredAt : c.arrivedAt
    const agent = c.agentId ? (store.agents.get(c.agentId)?.name ?? c.agentId) : '—'
    return h(
      'tr',
      { 'data-call': c.id, 'data-phase': c.phase },
      h('td', null, c.caller ?? words.withheld, c.callerName ? h('span', { class: 'muted' }, ` ${c.callerName}`) : null),
      h('td', null, c.customer?.name ?? '—'),
      h('td', null, agent),
      h('td', null, c.rule ?? '—'),
      h('td', null, c.queue === null ? '—' : c.queue || words.noQueue, c.position ? h('span', { class: 'muted' }, ` #${c.position}`) : null),
      h('td', null, words.phases[c.phase] ?? c.phase),
      h('td', { class: 'num', 'data-since': since }, fmt.duration(now - since))
    )
  })
  table.replaceChildren(h('thead', null, head), h('tbody', null, rows))
}
