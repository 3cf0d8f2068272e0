// One chat's tab panel: the visitor's card, the conversation, quick replies and product cards,
// the message box, and the chat's actions (end it, turn it into a call-back).

import { createChatLog } from './chat-log.js'
import { visitorCard, visitorName } from './chat-visitor.js'
import { h } from './dom.js'
import { labels } from './labels.js'

const TYPING_EVERY_MS = 2000
let clientCount = 0
const nextClientId = () => `a${Date.now().toString(36)}${(clientCount++).toString(36)}`

/** `send(message)` writes to the chat socket (false when not connected); `onChange()` after anything the tab shows changes. */
export function createChatView({ chat, number, catalogue, send, onChange, onClose, onCallBack }) {
  const chatId = chat.id
  const dom = `chat-${number}`
  let visitor = chat.visitor
  let ended = false
  let selected = false
  let readUpTo = 0
  let typingSentAt = 0
  const self = { unread: 0 }
  const name = () => visitorName(visitor, number)

  const cardSlot = h('div', { class: 'chat-visitor-slot' }, visitorCard(visitor, number))
  const heading = h('h3', { id: `${dom}-heading`, class: 'chat-heading', tabindex: '-1' }, labels.chat.conversation(name()))
  const list = h('ol', { class: 'chat-log', role: 'log', 'aria-live': 'polite', 'aria-labelledby': `${dom}-heading`, tabindex: '0' })
  const typingLine = h('p', { class: 'chat-typing', 'aria-live': 'polite' })
  const status = h('p', { class: 'chat-status', role: 'status' })
  const input = h('textarea', { id: `${dom}-input`, rows: '2' })
  const sendButton = h('button', { type: 'submit' }, labels.chat.send)
  const form = h('form', { class: 'chat-composer', novalidate: true }, h('label', { for: `${dom}-input`, class: 'visually-hidden' }, labels.chat.message), input, sendButton)
  const replies = h('div', { class: 'chat-replies', role: 'group', 'aria-label': labels.chat.quickReplies },
    catalogue.quickReplies.map((text) => h('button', { type: 'button', class: 'quiet', 'data-reply': text }, text)))
  // The cards of the visitor's product first: the ones the agent most likely sends.
  const cards = [...catalogue.cards].sort((a, b) => Number(b.product === visitor.product) - Number(a.product === visitor.product))
  const cardButtons = h('div', { class: 'chat-cards', role: 'group', 'aria-label': labels.chat.cards },
    cards.map((card) => h('button', { type: 'button', class: 'quiet', 'data-card': card.id }, labels.chat.sendCard(card.title))))
  const [endButton, callBackButton, closeButton] = ['end', 'callBack', 'close'].map((key) => h('button', { type: 'button', class: 'quiet', hidden: key === 'close' }, labels.chat[key]))
  const panel = h('section', { id: `${dom}-panel`, class: 'chat-view', role: 'tabpanel', 'aria-labelledby': `${dom}-tab`, hidden: true },
    cardSlot, heading, list, typingLine, status, form, replies, cardButtons, h('div', { class: 'chat-actions' }, endButton, callBackButton, closeButton))
  const log = createChatLog({ log: list, typingLine, visitorName: name })

  function markRead() {
    const upTo = log.lastVisitorSeq()
    if (!selected || document.visibilityState !== 'visible' || upTo <= readUpTo) return
    if (send({ type: 'read', chatId, upTo })) readUpTo = upTo
  }

  function post(message, shown) {
    const clientId = nextClientId()
    if (!send({ ...message, type: 'message', chatId, clientId })) {
      status.textContent = labels.chat.lost
      return false
    }
    status.textContent = ''
    log.sending(clientId, shown)
    return true
  }

  function finish(text) {
    ended = true
    status.textContent = text
    for (const control of [input, sendButton, endButton, callBackButton, ...replies.children, ...cardButtons.children]) control.disabled = true
    closeButton.hidden = false
    log.stopTyping()
  }

  function received(message) {
    if (!log.add(message)) return
    if (message.from === 'visitor' && !selected) self.unread++
    markRead()
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = input.value.trim()
    if (text && !ended && post({ text }, { text })) input.value = ''
  })
  input.addEventListener('keydown', (event) => {
    // Enter sends, Shift+Enter starts a new line.
    if (event.key === 'Enter' && !event.shiftKey) event.preventDefault() || form.requestSubmit()
  })
  input.addEventListener('input', () => {
    if (ended || Date.now() - typingSentAt < TYPING_EVERY_MS) return
    typingSentAt = Date.now()
    send({ type: 'typing', chatId })
  })
  replies.addEventListener('click', (event) => {
    const reply = event.target.closest('[data-reply]')
    if (!reply) return
    input.value = reply.dataset.reply
    input.focus()
  })
  cardButtons.addEventListener('click', (event) => {
    const button = event.target.closest('[data-card]')
    const card = button && catalogue.cards.find((c) => c.id === button.dataset.card)
    if (card && !ended) post({ cardId: card.id }, { card })
  })
  endButton.addEventListener('click', () => send({ type: 'end', chatId }) && finish(labels.chat.chatEnded('agent')))
  callBackButton.addEventListener('click', () => send({ type: 'call-back', chatId }))
  closeButton.addEventListener('click', () => onClose(chatId))

  for (const message of chat.messages) log.add(message)

  return Object.assign(self, {
    chatId,
    panel,
    name,
    get ended() {
      return ended
    },
    /** A whole chat again (a reconnect): what is new in it is added. */
    replace(next) {
      visitor = next.visitor
      cardSlot.replaceChildren(visitorCard(visitor, number))
      for (const message of next.messages) received(message)
      if (next.state === 'ended' && !ended) finish(labels.chat.chatEnded('system'))
    },
    apply(event) {
      if (event.type === 'message') received(event)
      else if (event.type === 'typing') log.typing()
      else if (event.type === 'read') log.read(event.upTo)
      else if (event.type === 'ack') log.taken(event.clientId, event.seq)
      else if (event.type === 'error') {
        if (event.clientId) log.refused(event.clientId, event.message)
        else status.textContent = event.message
      } else if (event.type === 'linked') {
        visitor = { ...visitor, customer: event.customer, lead: event.lead }
        cardSlot.replaceChildren(visitorCard(visitor, number))
        heading.textContent = labels.chat.conversation(name())
      } else if (event.type === 'call-back') {
        finish(labels.chat.callBackDone)
        onCallBack()
      } else if (event.type === 'chat-ended' && !ended) finish(labels.chat.chatEnded(event.by))
      onChange()
    },
    select(on) {
      selected = on
      panel.hidden = !on
      if (on) {
        self.unread = 0
        markRead()
      }
    },
    markRead,
    focus: () => (ended ? heading : input).focus()
  })
}
