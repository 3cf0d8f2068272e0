// The web chat's widget: <script src="https://…/widget.js" data-site="demo" data-product="product:crm">.
// It reports each page view, shows the offer when the server makes one, and opens a chat with the
// expert over a WebSocket; the visitor can also leave a message or ask to be called back.
// Served after widget-dom.js, widget-api.js, widget-socket.js, widget-conversation.js, widget-forms.js
// and i18n.js in one script (src/api/chat-widget.routes.ts); it all lives in a shadow root.

const script = document.currentScript
const base = new URL('.', script.src).href.replace(/\/$/, '')
const site = script.dataset.site || 'default'
const api = createChatApi(base, site)

function languageOf(serverLanguage) {
  const wanted = script.dataset.language || serverLanguage || document.documentElement.lang || navigator.language || 'en'
  return String(wanted).toLowerCase().startsWith('ru') ? 'ru' : 'en'
}

async function reportView() {
  const view = await api.post('/v1/chat/views', { site, ...(api.read('visitor') ? { visitorId: api.read('visitor') } : {}), url: location.href, title: document.title, ...(script.dataset.product ? { product: script.dataset.product } : {}) })
  api.write('visitor', view.visitorId)
  return view
}

function mount(view) {
  // The views answer carries no site language today: data-language, the page's lang, then the browser decide.
  const t = CTI_CHAT_TEXTS[languageOf(view.language)]
  const host = h('div', { 'data-cti-chat': site })
  const root = host.attachShadow({ mode: 'open' })
  const errorText = (err) => (err.code === 'network' ? t.errors.network : t.errors[err.code] || t.errors.other(err.message))
  const post = (path, body) => api.post(path, { site, visitorId: api.read('visitor'), ...body })

  const launcher = h('button', { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'cti-panel' }, t.launcher)
  const title = h('h2', { id: 'cti-title', tabindex: '-1' }, t.panelTitle)
  const closeButton = h('button', { type: 'button', class: 'close quiet', 'aria-label': t.close }, '×')
  const status = h('p', { class: 'status', role: 'status' })
  const error = h('p', { class: 'error', role: 'alert' })
  const startButton = h('button', { type: 'button' }, t.startChat)
  const home = h('div', { class: 'view home' }, h('p', { class: 'offer' }), startButton, h('button', { type: 'button', class: 'quiet', 'data-go': 'leave' }, t.leaveMessage), h('button', { type: 'button', class: 'quiet', 'data-go': 'call' }, t.callMe))
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': t.messages, tabindex: '0' })
  const typingLine = h('p', { class: 'typing', 'aria-live': 'polite' })
  const input = h('textarea', { id: 'cti-input', rows: '2' })
  const composer = h('form', { class: 'composer', novalidate: true }, h('label', { for: 'cti-input', class: 'visually-hidden' }, t.messageLabel), input, h('button', { type: 'submit' }, t.send))
  const endButton = h('button', { type: 'button', class: 'quiet' }, t.endChat)
  const chatView = h('div', { class: 'view chat', hidden: true }, log, typingLine, composer, h('div', { class: 'actions' }, endButton, h('button', { type: 'button', class: 'quiet', 'data-go': 'leave' }, t.leaveMessage)))
  const back = () => go(chat ? 'chat' : 'home')
  const leave = createLeaveForm({ t, post, errorText, onBack: back })
  const call = createCallForm({ t, post, errorText, onBack: back })
  const panel = h('section', { id: 'cti-panel', class: 'panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'cti-title', hidden: true }, h('header', {}, title, closeButton), status, error, home, chatView, leave.view, call.view)
  root.append(h('link', { rel: 'stylesheet', href: `${base}/widget.css` }), h('div', { class: 'cti-chat', lang: t === CTI_CHAT_TEXTS.ru ? 'ru' : 'en' }, panel, launcher))
  document.body.append(host)

  const conversation = createConversation({ log, typingLine, t })
  const views = { home, chat: chatView, leave: leave.view, call: call.view }
  /** The chat in progress: its id, the socket, and what the status line says. */
  let chat = null
  let typingSentAt = 0

  function go(name, { focus = true } = {}) {
    for (const [key, node] of Object.entries(views)) node.hidden = key !== name
    if (name === 'leave') leave.reset()
    if (name === 'call') call.reset()
    if (!focus) return
    if (name === 'chat') input.focus()
    else if (name === 'leave') leave.focus()
    else if (name === 'call') call.focus()
    else title.focus()
  }

  function open({ focus = true } = {}) {
    panel.hidden = false
    launcher.setAttribute('aria-expanded', 'true')
    if (focus) go(chat ? 'chat' : 'home')
    markRead()
  }

  function close() {
    panel.hidden = true
    launcher.setAttribute('aria-expanded', 'false')
    api.write('open', false)
    launcher.focus()
  }

  function showState({ state, agent, estimatedWaitSeconds }) {
    if (agent && agent.name) conversation.agent = agent.name
    if (state === 'waiting') status.textContent = estimatedWaitSeconds > 0 ? t.waiting(minutesOf(estimatedWaitSeconds)) : t.waitingSoon
    else if (state === 'talking') status.textContent = agent && agent.name ? t.talking(agent.name) : ''
    else if (state === 'ended') finish()
  }

  function finish() {
    chat?.socket.close()
    chat = null
    api.write('chat', null)
    status.textContent = t.ended
    input.disabled = true
    endButton.hidden = true
  }

  function receive(event) {
    if (event.type === 'hello') {
      showState(event)
      for (const message of event.messages) conversation.add(message)
    } else if (event.type === 'message') conversation.add(event)
    else if (event.type === 'typing' && event.from === 'agent') conversation.typing()
    else if (event.type === 'read' && event.from === 'agent') conversation.read(event.upTo)
    else if (event.type === 'state') showState(event)
    else if (event.type === 'ack') conversation.taken(event.clientId, event.seq)
    else if (event.type === 'error') {
      if (event.clientId) conversation.refused(event.clientId)
      error.textContent = errorText(event)
    }
    if (event.type === 'message' || event.type === 'hello') markRead()
  }

  function markRead() {
    const upTo = conversation.lastAgentSeq()
    if (!chat || panel.hidden || upTo <= chat.readUpTo) return
    if (chat.socket.send({ type: 'read', upTo })) chat.readUpTo = upTo
  }

  function connect(chatId, since) {
    input.disabled = false
    endButton.hidden = false
    const socket = openChatSocket({
      url: (after) => api.socketUrl({ site, visitorId: api.read('visitor'), chatId, since: after }),
      since,
      onEvent: receive,
      onStatus: (state) => {
        if (state === 'connecting' && !status.textContent) status.textContent = t.connecting
        if (state === 'lost') status.textContent = t.reconnecting
        if (state === 'refused') finish()
      }
    })
    chat = { chatId, socket, readUpTo: 0 }
    api.write('chat', { chatId })
  }

  startButton.addEventListener('click', async () => {
    error.textContent = ''
    startButton.disabled = true
    try {
      const started = await post('/v1/chat/requests', {})
      conversation.clear()
      showState(started)
      connect(started.chatId, 0)
      go('chat')
    } catch (err) {
      error.textContent = errorText(err)
    } finally {
      startButton.disabled = false
    }
  })

  composer.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = input.value.trim()
    if (!text || !chat) return
    const id = clientId()
    if (!chat.socket.send({ type: 'message', clientId: id, text })) {
      error.textContent = t.errors.network
      return
    }
    error.textContent = ''
    conversation.sending(id, text)
    input.value = ''
  })
  input.addEventListener('keydown', (event) => {
    // Enter sends, Shift+Enter starts a new line, as in other chats.
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault()
      composer.requestSubmit()
    }
  })
  input.addEventListener('input', () => {
    if (!chat || Date.now() - typingSentAt < 2000) return
    typingSentAt = Date.now()
    chat.socket.send({ type: 'typing' })
  })
  endButton.addEventListener('click', () => {
    chat?.socket.send({ type: 'end' })
    finish()
  })
  launcher.addEventListener('click', () => (panel.hidden ? (api.write('open', true), open()) : close()))
  closeButton.addEventListener('click', close)
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close()
  })
  panel.addEventListener('click', (event) => {
    const target = event.target.closest && event.target.closest('[data-go]')
    if (target) go(target.dataset.go)
  })
  document.addEventListener('visibilitychange', markRead)
  panel.addEventListener('focusin', markRead)

  // The offer, or the chat this visitor already has open on another page of the site.
  const offerLine = home.querySelector('.offer')
  if (view.offer) offerLine.textContent = view.offer.expert ? t.offerExpert(view.offer.expert.name) : t.offerAnyone
  startButton.hidden = !view.offer
  const kept = api.read('chat')
  if (kept && kept.chatId) {
    // A new page shows the whole conversation again: since 0.
    connect(kept.chatId, 0)
    go('chat', { focus: false })
    if (api.read('open')) open({ focus: false })
  } else if (view.offer) open({ focus: false })
}

reportView()
  .then(mount)
  .catch((err) => {
    // The site works without the chat; the reason goes to the console for its developers.
    console.warn(`chat widget: ${err.code || ''} ${err.message}`)
  })
