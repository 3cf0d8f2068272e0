// The conversation as the visitor sees it: messages both ways (text, or a product card from the
// expert), the expert's typing, and "Read" under the visitor's messages the expert has read.

const TYPING_SHOWN_MS = 5000

function createConversation({ log, typingLine, t }) {
  /** Our messages not yet echoed by the server, by clientId. */
  const pending = new Map()
  let agentName = null
  let typingTimer = null

  function bubble(from, body, seq) {
    const who = from === 'visitor' ? t.you : agentName || t.expert
    return h('div', { class: `message from-${from}`, 'data-seq': seq ?? null }, h('span', { class: 'who' }, `${who}: `), body)
  }

  function cardOf(card) {
    const href = safeUrl(card.url)
    return h(
      'div',
      { class: 'card' },
      h('p', { class: 'card-title' }, String(card.title || '')),
      card.summary ? h('p', { class: 'card-summary' }, String(card.summary)) : null,
      href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, t.cardLink, h('span', { class: 'visually-hidden' }, ` ${t.opensInNewTab}`)) : null
    )
  }

  function show(node) {
    log.append(node)
    log.scrollTop = log.scrollHeight
  }

  /** seqs on screen: a message comes once however many times the server sends it (replay, echo). */
  const shown = new Set()

  function add(message) {
    if (typeof message.seq === 'number') {
      if (shown.has(message.seq)) return
      shown.add(message.seq)
    }
    if (message.from === 'agent') stopTyping()
    const body = message.card ? cardOf(message.card) : h('p', { class: 'text' }, String(message.text ?? ''))
    const mine = message.from === 'visitor' ? ownPending(message) : null
    const node = bubble(message.from, body, message.seq)
    if (mine) mine.replaceWith(node)
    else show(node)
  }

  function ownPending(message) {
    const key = [...pending.keys()].find((id) => pending.get(id).text === message.text)
    if (!key) return null
    const { node } = pending.get(key)
    pending.delete(key)
    return node
  }

  function sending(id, text) {
    const node = bubble('visitor', h('p', { class: 'text' }, text), null)
    node.classList.add('pending')
    node.append(h('span', { class: 'mark' }, t.sending))
    pending.set(id, { node, text })
    show(node)
  }

  /** The server took our message `id` as `seq`. */
  function taken(id, seq) {
    const entry = pending.get(id)
    if (!entry) return
    pending.delete(id)
    if (shown.has(seq)) {
      entry.node.remove()
      return
    }
    shown.add(seq)
    entry.node.classList.remove('pending')
    entry.node.dataset.seq = String(seq)
    entry.node.querySelector('.mark')?.remove()
  }

  /** The server refused our message `id` (too long, too fast): it stays on screen, marked. */
  function refused(id) {
    const entry = pending.get(id)
    if (!entry) return
    pending.delete(id)
    entry.node.classList.replace('pending', 'refused')
    entry.node.querySelector('.mark').textContent = t.notSent
  }

  /** The expert has read the visitor's messages up to seq `upTo`. */
  function read(upTo) {
    for (const mark of log.querySelectorAll('.from-visitor .mark.read')) mark.remove()
    const mine = [...log.querySelectorAll('.from-visitor[data-seq]')].filter((node) => Number(node.dataset.seq) <= upTo)
    const last = mine[mine.length - 1]
    if (last) last.append(h('span', { class: 'mark read' }, t.read))
  }

  function typing() {
    typingLine.textContent = t.typing(agentName || t.expert)
    clearTimeout(typingTimer)
    typingTimer = setTimeout(stopTyping, TYPING_SHOWN_MS)
  }

  function stopTyping() {
    clearTimeout(typingTimer)
    typingLine.textContent = ''
  }

  /** The highest seq of the expert's messages on screen: what the visitor has read. */
  function lastAgentSeq() {
    const seqs = [...log.querySelectorAll('.from-agent[data-seq]')].map((node) => Number(node.dataset.seq))
    return seqs.length ? Math.max(...seqs) : 0
  }

  return {
    add,
    sending,
    taken,
    refused,
    read,
    typing,
    stopTyping,
    lastAgentSeq,
    set agent(name) {
      agentName = name
    },
    clear() {
      pending.clear()
      shown.clear()
      stopTyping()
      log.replaceChildren()
    }
  }
}
