// Per queue: waiting now, longest wait, today's service level, average speed of
// answer, abandon rate, answered and missed. Thresholds colour a cell amber or red.

import { h } from './dom.js'

/** 'alert', 'warn' or '' for a figure that is worse the higher it is. */
export function levelAbove(value, threshold) {
  if (value === null || value === undefined || !threshold) return ''
  return value >= threshold.alert ? 'alert' : value >= threshold.warn ? 'warn' : ''
}

/** 'alert', 'warn' or '' for the service level (worse the lower), in percent. */
export function levelBelow(percent, threshold) {
  if (percent === null || percent === undefined || !threshold) return ''
  return percent < threshold.alert ? 'alert' : percent < threshold.warn ? 'warn' : ''
}

export function renderQueues(table, empty, store, words, fmt) {
  const queues = [...store.queues.values()]
  empty.hidden = queues.length > 0
  const head = h('tr', null, [words.queue, words.waiting, words.longestWait, words.serviceLevel, words.averageAnswer, words.abandonRate, words.answered, words.missed].map((text) => h('th', { scope: 'col' }, text)))
  const now = store.now()
  const rows = queues.map((q) => {
    const longestSeconds = q.oldestSince === null ? 0 : (now - q.oldestSince) / 1000
    const sl = q.serviceLevel === null ? null : q.serviceLevel * 100
    return h(
      'tr',
      { 'data-queue': q.name },
      h('th', { scope: 'row' }, q.name || words.noQueue),
      h('td', { class: `num ${levelAbove(q.waiting, q.thresholds.waiting)}`, 'data-cell': 'waiting' }, fmt.number(q.waiting)),
      h(
        'td',
        { class: `num ${levelAbove(longestSeconds, q.thresholds.longestWaitSeconds)}`, 'data-cell': 'longest', 'data-since': q.oldestSince ?? '', 'data-threshold': JSON.stringify(q.thresholds.longestWaitSeconds) },
        q.oldestSince === null ? '—' : fmt.duration(now - q.oldestSince)
      ),
      h('td', { class: `num ${levelBelow(sl, q.thresholds.serviceLevelPercent)}`, 'data-cell': 'service-level', title: words.serviceLevelHint(q.serviceLevelSeconds) }, fmt.percent(q.serviceLevel)),
      h('td', { class: 'num', 'data-cell': 'asa' }, fmt.seconds(q.averageAnswerSeconds)),
      h('td', { class: 'num', 'data-cell': 'abandon-rate' }, fmt.percent(q.abandonRate)),
      h('td', { class: 'num', 'data-cell': 'answered' }, fmt.number(q.today.answered)),
      h('td', { class: 'num', 'data-cell': 'missed' }, fmt.number(q.today.missed))
    )
  })
  table.replaceChildren(h('thead', null, head), h('tbody', null, rows))
}
