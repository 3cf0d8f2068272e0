// The chat panel beside the card: one tab per open chat (several at once, within the agent's
// chat capacity), each with the visitor's card and the conversation. Fed by the chat socket;
// the catalogue of quick replies and product cards comes from GET /v1/me/chat/catalogue.

import { openChatChannel } from './chat-socket.js'
import { createChatView } from './chat-view.js'
import { h } from './dom.js'
import { labels } from './labels.js'

const TAB_KEYS = ['ArrowLeft', 'ArrowRight', 'Home', 'End']
const CATALOGUE_RETRY_MS = 30_000

export function createChatPanel({ section, tabs, views, announce, api, onCallBack, onInvalidToken }) {
  const chats = new Map()
  const tabOf = new Map()
  let selectedId = null
  let channel = null
  let catalogue = { cards: [], quickReplies: [] }
  let opened = 0
  let stopped = false
  let retry = null

  function renderTab(view) {
    const tab = tabOf.get(view.chatId)
    if (!tab) return
    const extra = [view.unread > 0 ? labels.chat.unread(view.unread) : null, view.ended ? labels.chat.ended : null].filter(Boolean)
    tab.textContent = extra.length ? `${view.name()} (${extra.join(', ')})` : view.name()
    tab.dataset.unread = String(view.unread)
    section.hidden = chats.size === 0
  }

  function select(chatId, { focus = false } = {}) {
    selectedId = chatId
    for (const [id, view] of chats) {
      const on = id === chatId
      view.select(on)
      tabOf.get(id).setAttribute('aria-selected', String(on))
      tabOf.get(id).tabIndex = on ? 0 : -1
      renderTab(view)
    }
    if (focus) tabOf.get(chatId)?.focus()
  }

  function add(chat) {
    opened += 1
    const view = createChatView({ chat, number: opened, catalogue, send: (message) => channel?.send(message) ?? false, onChange: () => renderTab(view), onClose: close, onCallBack })
    const tab = h('button', { type: 'button', role: 'tab', id: `chat-${opened}-tab`, 'aria-controls': `chat-${opened}-panel`, 'aria-selected': 'false', tabindex: '-1', class: 'chat-tab' })
    tab.addEventListener('click', () => select(chat.id))
    chats.set(chat.id, view)
    tabOf.set(chat.id, tab)
    tabs.append(tab)
    views.append(view.panel)
    announce.textContent = labels.chat.newChat(view.name())
    if (!selectedId) select(chat.id)
    renderTab(view)
  }

  function close(chatId) {
    const ids = [...chats.keys()]
    const next = ids[ids.indexOf(chatId) + 1] ?? ids[ids.indexOf(chatId) - 1] ?? null
    chats.get(chatId)?.panel.remove()
    tabOf.get(chatId)?.remove()
    chats.delete(chatId)
    tabOf.delete(chatId)
    selectedId = null
    if (next) select(next, { focus: true })
    section.hidden = chats.size === 0
  }

  function receive(event) {
    if (event.type === 'chat') {
      const known = chats.get(event.chat.id)
      if (known) known.replace(event.chat)
      else add(event.chat)
      return
    }
    chats.get(event.chatId)?.apply(event)
  }

  tabs.addEventListener('keydown', (event) => {
    if (!TAB_KEYS.includes(event.key)) return
    event.preventDefault()
    const ids = [...chats.keys()]
    const at = ids.indexOf(selectedId)
    const to = event.key === 'Home' ? 0 : event.key === 'End' ? ids.length - 1 : (at + (event.key === 'ArrowRight' ? 1 : -1) + ids.length) % ids.length
    if (ids[to]) select(ids[to], { focus: true })
  })
  document.addEventListener('visibilitychange', () => chats.get(selectedId)?.markRead())

  return {
    async start(token) {
      stopped = false
      try {
        catalogue = await api('/v1/me/chat/catalogue')
      } catch (err) {
        // No chat on this server (not configured) or not reachable now: asked again later, not in a loop.
        if (err.message !== 'unauthorized' && !stopped) retry = setTimeout(() => void this.start(token), CATALOGUE_RETRY_MS)
        return
      }
      if (stopped) return
      channel = openChatChannel({ token, onEvent: receive, onStatus: (state) => section.classList.toggle('chat-lost', state === 'lost'), onInvalidToken })
    },
    stop() {
      stopped = true
      clearTimeout(retry)
      channel?.close()
      channel = null
      for (const view of chats.values()) view.panel.remove()
      for (const tab of tabOf.values()) tab.remove()
      chats.clear()
      tabOf.clear()
      selectedId = null
      opened = 0
      section.hidden = true
    },
    /** The open chats' tabs, for tests and the page title. */
    get count() {
      return chats.size
    }
  }
}
