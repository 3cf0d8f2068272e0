// One call's card, laid out to be read at a glance: who handed it on (a
// transfer), who, why this agent, who answered, the facts, the debt first, then deals, calls, web chats and
// pages, needs, refusals, tasks, orders; below them what the agent can do about the call.

import { cardActions } from './card-actions.js'
import { statusText } from './calls.js'
import { h, timeElement } from './dom.js'
import { formatDate, formatDateTime, formatTime } from './format.js'
import { labels } from './labels.js'
import { formatMoney } from './money.js'

const L = labels.card

/** The card of `call`; `now` (epoch ms, the server's clock) decides which tasks are overdue. */
export function renderCard(call, now) {
  const { card } = call
  const who = card.who || {}
  const history = who.kind === 'customer' ? who.card : null
  const customer = history ? history.customer : who.kind === 'customer' ? who.customer : null

  const facts = []
  const fact = (label, value, cls) => {
    if (value === null || value === undefined || value === '') return
    facts.push(h('div', { class: `fact ${cls || ''}` }, h('dt', {}, label), h('dd', {}, value)))
  }
  if (who.kind === 'customer') {
    fact(L.company, customer && customer.company)
    fact(L.tier, customer && customer.tier ? customer.tier.toUpperCase() : null, customer && customer.tier === 'vip' ? 'fact-vip' : '')
    fact(L.owner, history && history.owner ? history.owner.name : who.customer && who.customer.ownerAgentId)
    fact(L.language, customer && customer.language)
  } else if (who.kind === 'lead') {
    fact(L.source, who.source)
    fact(L.campaign, who.campaign)
    fact(L.costPerLead, formatMoney(who.costPerLead))
  }
  fact(L.phone, card.caller && (card.caller.number || card.caller.displayName))
  if (card.line) fact(L.dialed, [card.line.name || card.line.number, card.line.product].filter(Boolean).join(' · '))

  const actions = cardActions(call)
  const article = h(
    'article',
    { class: `card card-${call.status}`, 'aria-labelledby': 'card-title' },
    h('p', { class: `call-status status-${call.status}` }, statusText(call), ' · ', timeElement(call.at, formatTime(call.at))),
    card.transfer ? transferStory(card.transfer) : null,
    h('h3', { id: 'card-title', class: 'card-title' }, card.title),
    actions.answeredBy ? h('p', { class: 'answered-by' }, actions.answeredBy) : null,
    actions.callBack,
    h('p', { class: 'reason' }, h('span', { class: 'reason-label' }, L.whyYou), h('strong', {}, card.reason)),
    facts.length ? h('dl', { class: 'facts' }, facts) : null,
    card.degraded ? h('p', { class: 'notice' }, L.crmUnreachable) : null,
    who.historyUnavailable ? h('p', { class: 'notice' }, L.historyUnavailable) : null
  )
  if (history) article.append(...renderHistory(history, now))
  if (who.kind === 'lead') article.append(h('p', { class: 'notice lead-note' }, L.firstContact))
  if (actions.element) article.append(actions.element)
  return article
}

/** "Transferred by Anna Volkova: wants a discount", from the card's `transfer`. */
function transferStory(transfer) {
  const from = transfer.fromName || transfer.fromAgentId
  const A = labels.actions
  return h('p', { class: 'transfer-story', role: 'note' }, transfer.note ? A.transferredWithNote(from, transfer.note) : A.transferredBy(from))
}

function section(title, items, options = {}) {
  const list = items.length ? h(options.ordered ? 'ol' : 'ul', { class: options.listClass || 'plain-list' }, items) : h('p', { class: 'muted' }, options.none || L.none)
  return h('section', { class: `card-section ${options.class || ''}`, 'aria-label': title }, h('h4', {}, title), list)
}

function renderHistory(history, now) {
  const parts = []
  const overdue = history.payments.filter((p) => p.overdue)
  if (overdue.length) {
    const worst = Math.max(...overdue.map((p) => p.daysOverdue))
    parts.push(
      h(
        'div',
        { class: 'overdue', role: 'note', 'aria-label': L.overduePayments },
        h('p', { class: 'overdue-head' }, h('strong', {}, L.overdueTotal(formatMoney(history.overdueTotal))), overdue.length === 1 ? L.overdueOne(worst) : L.overdueMany(overdue.length, worst)),
        h('ul', { class: 'plain-list' }, overdue.map((p) => h('li', {}, L.overduePayment(formatMoney(p.amount), formatDate(p.dueDate), p.daysOverdue))))
      )
    )
  }

  const sections = []
  sections.push(
    section(
      L.openDeals,
      history.openDeals.map((d) => h('li', {}, h('span', { class: 'stage' }, d.stage), ' ', d.title, d.amount !== null ? h('span', { class: 'muted' }, ` · ${formatMoney(d.amount)}`) : null)),
      { none: L.noOpenDeals }
    )
  )
  sections.push(
    section(
      L.lastCalls,
      history.lastCalls.slice(0, 5).map((c) =>
        h(
          'li',
          {},
          timeElement(c.at, formatDateTime(c.at)),
          ' ',
          h('span', { class: `outcome outcome-${c.outcome || 'unknown'}` }, c.outcome ? (L.outcomes[c.outcome] ?? c.outcome) : L.noOutcome),
          c.agent ? h('span', { class: 'muted' }, ` · ${c.agent.name}`) : null
        )
      ),
      { none: L.noCallsBefore }
    )
  )
  const chats = history.lastChats || []
  if (chats.length) {
    sections.push(
      section(
        L.lastChats,
        chats.map((c) =>
          h(
            'li',
            {},
            timeElement(c.at, formatDateTime(c.at)),
            ' ',
            h('span', { class: `outcome outcome-${c.outcome || 'open'}` }, c.outcome ? (L.chatOutcomes[c.outcome] ?? c.outcome) : L.chatOpen),
            h('span', { class: 'muted' }, [c.product, c.agent && c.agent.name, L.messages(c.messages)].filter(Boolean).map((part) => ` · ${part}`).join(''))
          )
        ),
        { class: 'card-chats' }
      )
    )
  }
  const pages = history.pagesViewed || []
  if (pages.length) {
    sections.push(
      section(
        L.pagesViewed,
        pages.map((v) => h('li', {}, timeElement(v.at, formatDateTime(v.at)), ' ', v.title || v.url, v.product ? h('span', { class: 'muted' }, ` · ${v.product}`) : null)),
        { class: 'card-pages' }
      )
    )
  }
  if (history.needs.length) sections.push(section(L.needs, history.needs.map((n) => h('li', {}, n)), { listClass: 'chips' }))
  if (history.refusalReasons.length) sections.push(section(L.refusedBecause, history.refusalReasons.map((r) => h('li', {}, r)), { listClass: 'chips chips-warn' }))
  sections.push(
    section(
      L.openTasks,
      history.openTasks.map((t) => {
        const late = Date.parse(t.dueAt) < now
        return h('li', { class: late ? 'late' : null }, late ? h('strong', { class: 'late-label' }, L.overdue) : null, t.title, h('span', { class: 'muted' }, L.due(formatDateTime(t.dueAt))))
      }),
      { none: L.noOpenTasks }
    )
  )
  if (history.recentOrders.length) {
    sections.push(
      section(
        L.recentOrders,
        history.recentOrders.slice(0, 3).map((o) => h('li', {}, o.product, h('span', { class: 'muted' }, ` · ${formatMoney(o.amount)} · ${formatDateTime(o.orderedAt)}`)))
      )
    )
  }
  parts.push(h('div', { class: 'card-sections' }, sections))
  return parts
}
