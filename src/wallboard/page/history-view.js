// A search of call history (GET /v1/calls) and one call's timeline drawn from
// its story (GET /v1/calls/:id): every event, each offer, each decision.

import { h } from './dom.js'

async function getJson(token, path) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } })
  const body = await response.json().catch(() => ({}))
  if (!response.ok) throw new Error(body.message ?? `HTTP ${response.status}`)
  return body
}

export function searchCalls(token, caller) {
  const query = new URLSearchParams({ limit: '20' })
  if (caller) query.set('caller', caller)
  return getJson(token, `/v1/calls?${query}`)
}

export function readStory(token, callId) {
  return getJson(token, `/v1/calls/${encodeURIComponent(callId)}`)
}

export function renderResults(table, calls, words, fmt) {
  const head = h('tr', null, [words.started, words.caller, words.agent, words.rule, words.outcome].map((text) => h('th', { scope: 'col' }, text)))
  const rows = calls.map((c) =>
    h(
      'tr',
      { 'data-result': c.id },
      h('td', null, h('button', { type: 'button', class: 'quiet', 'data-story': c.id }, fmt.when(c.offeredAt))),
      h('td', null, c.caller ?? words.withheld),
      h('td', null, c.agentId ?? '—'),
      h('td', null, c.rule ?? '—'),
      h('td', null, c.outcome ?? '—')
    )
  )
  table.replaceChildren(h('thead', null, head), h('tbody', null, rows))
}

/** One event's details in a line: the agent, then the fields the event carries. */
function detailOf(event) {
  const parts = []
  if (event.agentId) parts.push(event.agentId)
  for (const [key, value] of Object.entries(event.data ?? {})) {
    if (value === null || value === undefined) continue
    parts.push(`${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
  }
  return parts.join(' · ')
}

export function renderStory({ summary, list }, story, words, fmt) {
  const { call, times } = story
  const bits = [call.caller ?? words.withheld, story.customer?.name, call.rule, call.outcome].filter(Boolean)
  if (story.queue?.waitSeconds != null) bits.push(words.queueWait(fmt.seconds(story.queue.waitSeconds)))
  if (times.talkSeconds != null) bits.push(words.talk(fmt.seconds(times.talkSeconds)))
  if (times.wrapUpSeconds != null) bits.push(words.wrapUp(fmt.seconds(times.wrapUpSeconds)))
  summary.textContent = bits.join(' — ')
  const events = story.events.map((e) => h('li', { 'data-event': e.kind }, h('time', { datetime: e.at }, fmt.clock(e.at)), ' ', h('strong', null, e.kind), ' ', h('span', { class: 'muted' }, detailOf(e))))
  const decisions = story.decisions.map((d) =>
    h('li', { 'data-decision': d.kind }, h('strong', null, `${words.decisions}: ${String(d.rule ?? '—')}`), ' ', h('span', { class: 'muted' }, d.rulesVersion ? words.rulesVersion(String(d.rulesVersion)) : ''))
  )
  list.replaceChildren(...events, ...decisions)
}
