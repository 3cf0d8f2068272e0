// One chat's conversation on the agent's side: messages both ways, each once (on its seq),
// the agent's own messages marked "Sending…" until the server takes them, "Read" under the
// last one the visitor has read, and the visitor's typing.

import { h } from './dom.js'
import { formatTime } from './format.js'
import { labels } from './labels.js'

const TYPING_SHOWN_MS = 5000

/** Only http(s) links: a card cannot carry `javascript:`. */
function safeUrl(url) {
  try {
    const parsed = new URL(String(url))
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null
  } catch {
    // Not a URL: the card shows without its link.
    return null
  }
}

export function createChatLog({ log, typingLine, visitorName }) {
  const shown = new Set()
  const pending = new Map()
  let typingTimer = null

  function bubble(message, body) {
    const who = message.from === 'agent' ? labels.chat.you : visitorName()
    return h('li', { class: `chat-message chat-from-${message.from}`, 'data-seq': message.seq ?? null },
      h('span', { class: 'chat-who' }, who), message.at ? h('span', { class: 'chat-at muted' }, ` ${formatTime(message.at)}`) : null, body)
  }

  function bodyOf(message) {
    if (!message.card) return h('p', { class: 'chat-text' }, String(message.text ?? ''))
    const href = safeUrl(message.card.url)
    return h('div', { class: 'chat-card' }, h('p', { class: 'chat-card-title' }, String(message.card.title || '')), h('p', {}, String(message.card.summary || '')), href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, labels.chat.cardLink) : null)
  }

  function show(node) {
    log.append(node)
    log.scrollTop = log.scrollHeight
  }

  function add(message) {
    if (typeof message.seq === 'number') {
      if (shown.has(message.seq)) return false
      shown.add(message.seq)
    }
    if (message.from === 'visitor') stopTyping()
    show(bubble(message, bodyOf(message)))
    return true
  }

  function sending(clientId, message) {
    const node = bubble({ from: 'agent' }, bodyOf(message))
    node.classList.add('chat-pending')
    node.append(h('span', { class: 'chat-mark' }, labels.chat.sending))
    pending.set(clientId, node)
    show(node)
  }

  function taken(clientId, seq) {
    const node = pending.get(clientId)
    if (!node) return
    pending.delete(clientId)
    if (shown.has(seq)) return node.remove()
    shown.add(seq)
    node.classList.remove('chat-pending')
    node.dataset.seq = String(seq)
    node.querySelector('.chat-mark')?.remove()
  }

  function refused(clientId, why) {
    const node = pending.get(clientId)
    if (!node) return
    pending.delete(clientId)
    node.classList.replace('chat-pending', 'chat-refused')
    node.querySelector('.chat-mark').textContent = labels.chat.notSent(why)
  }

  function read(upTo) {
    for (const mark of log.querySelectorAll('.chat-mark-read')) mark.remove()
    const mine = [...log.querySelectorAll('.chat-from-agent[data-seq]')].filter((node) => Number(node.dataset.seq) <= upTo)
    mine.at(-1)?.append(h('span', { class: 'chat-mark chat-mark-read' }, labels.chat.read))
  }

  function typing() {
    typingLine.textContent = labels.chat.typing
    clearTimeout(typingTimer)
    typingTimer = setTimeout(stopTyping, TYPING_SHOWN_MS)
  }

  function stopTyping() {
    clearTimeout(typingTimer)
    typingLine.textContent = ''
  }

  /** The visitor's last message on screen: what the agent has read once the tab is seen. */
  function lastVisitorSeq() {
    const seqs = [...log.querySelectorAll('.chat-from-visitor[data-seq]')].map((node) => Number(node.dataset.seq))
    return seqs.length ? Math.max(...seqs) : 0
  }

  return { add, sending, taken, refused, read, typing, stopTyping, lastVisitorSeq }
}
