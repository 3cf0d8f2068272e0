// The visitor's card in a chat: who they are to the CRM (customer, lead, or nobody yet),
// the product they read about, and the pages they viewed.

import { h, timeElement } from './dom.js'
import { formatTime } from './format.js'
import { labels } from './labels.js'

/** The name a chat goes by in its tab: the customer's or lead's, else "Visitor n". */
export function visitorName(visitor, number) {
  return visitor.customer?.name || visitor.lead?.name || labels.chat.visitor(number)
}

function pageItem(page) {
  const when = timeElement(page.at, formatTime(page.at))
  return h('li', {}, h('span', { class: 'chat-page-title' }, page.title || page.url), ' ', h('span', { class: 'muted' }, when), h('br'), h('span', { class: 'chat-page-url muted' }, page.url))
}

export function visitorCard(visitor, number) {
  const who = visitor.customer
    ? [h('dt', {}, labels.chat.customer), h('dd', {}, visitor.customer.name)]
    : visitor.lead
      ? [h('dt', {}, labels.chat.lead), h('dd', {}, visitor.lead.name)]
      : [h('dt', {}, labels.chat.visitor(number)), h('dd', { class: 'muted' }, labels.chat.unknown)]
  const product = visitor.product ? [h('dt', {}, labels.chat.product), h('dd', {}, visitor.product)] : []
  const pages = visitor.pages || []
  return h(
    'div',
    { class: 'chat-visitor' },
    h('dl', { class: 'facts' }, h('div', { class: 'fact' }, ...who), product.length ? h('div', { class: 'fact' }, ...product) : null),
    h('details', { class: 'chat-pages', open: pages.length <= 5 },
      h('summary', {}, `${labels.chat.pages} (${pages.length})`),
      pages.length ? h('ol', { class: 'plain-list' }, pages.slice(-10).map(pageItem)) : h('p', { class: 'empty' }, labels.chat.noPages))
  )
}
