// The agent's page: signs in with the agent's token, keeps the screen-pop
// WebSocket open (reconnecting with the last seq seen), shows the current
// call's card on top and the recent ones below, the agent's state and tasks.
// Every piece of data reaches the page through textContent, never as HTML.
'use strict'

;(() => {
  const TOKEN_KEY = 'cti.agent.token'
  const MAX_CALLS = 20
  const STATE_REFRESH_MS = 15_000
  const TASKS_REFRESH_MS = 60_000
  const RECONNECT_MAX_MS = 15_000
  /** Close codes of the live channel (see the server's protocol.ts). */
  const CLOSE_INVALID_TOKEN = 4401
  const CLOSE_TOO_FAR_BEHIND = 4429

  const STATE_LABELS = {
    available: 'Available',
    away: 'Away',
    'wrap-up': 'Wrap-up',
    offline: 'Offline',
    ringing: 'Ringing',
    busy: 'On a call'
  }
  const MISSED_LABELS = {
    'ring-timeout': 'not answered in time',
    busy: 'line busy',
    declined: 'declined',
    unreachable: 'phone unreachable'
  }

  const $ = (id) => document.getElementById(id)
  const ui = {
    signIn: $('sign-in'),
    signInForm: $('sign-in-form'),
    token: $('token'),
    signInError: $('sign-in-error'),
    desk: $('desk'),
    agent: $('agent'),
    agentName: $('agent-name'),
    agentTeam: $('agent-team'),
    connection: $('connection'),
    signOut: $('sign-out'),
    stateNow: $('state-now'),
    stateDetail: $('state-detail'),
    stateError: $('state-error'),
    stateButtons: Array.from(document.querySelectorAll('[data-state]')),
    cardSlot: $('card-slot'),
    recentList: $('recent-list'),
    recentEmpty: $('recent-empty'),
    taskList: $('task-list'),
    tasksEmpty: $('tasks-empty'),
    noticeList: $('notice-list')
  }

  /** Everything the page knows; rebuilt from the server's kept events after a reload. */
  const page = {
    token: null,
    socket: null,
    lastSeq: null,
    seen: new Set(),
    /** callId → { card, status, detail, at, updatedAt }, newest card last. */
    calls: new Map(),
    /** The call shown on top: the newest card unless the agent picked another. */
    shownCallId: null,
    reconnectDelay: 1000,
    reconnectTimer: null,
    timers: [],
    stateRefresh: null,
    /** Server time of the latest event, for "overdue" against the server's clock. */
    serverNow: null
  }

  // ---------- DOM building (text only) ----------

  /** An element with attributes and children; strings become text nodes. */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag)
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue
      if (name === 'class') node.className = value
      else node.setAttribute(name, value === true ? '' : String(value))
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue
      node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child)
    }
    return node
  }

  const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
  const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })
  const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' })
  const amount = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 })

  const formatDateTime = (iso) => (iso ? dateTime.format(new Date(iso)) : '')
  const formatDate = (iso) => (iso ? dateOnly.format(new Date(`${iso.slice(0, 10)}T12:00:00`)) : '')
  const formatAmount = (value) => (typeof value === 'number' ? amount.format(value) : '')

  function timeElement(iso, text) {
    return h('time', { datetime: iso }, text)
  }

  // ---------- sign-in ----------

  async function api(path, options = {}) {
    const headers = { authorization: `Bearer ${page.token}` }
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(path, { method: options.method || 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) })
    const body = await response.json().catch(() => null)
    if (response.status === 401) {
      signOut('Your token is no longer valid. Ask for a new one and sign in again.')
      throw new Error('unauthorized')
    }
    if (!response.ok) throw new Error((body && body.message) || `HTTP ${response.status}`)
    return body
  }

  async function signIn(token) {
    page.token = token
    let me
    try {
      me = await api('/v1/me')
    } catch (err) {
      if (err.message !== 'unauthorized') showSignIn(`Could not sign in: ${err.message}`)
      return
    }
    sessionStorage.setItem(TOKEN_KEY, token)
    ui.signIn.hidden = true
    ui.desk.hidden = false
    ui.agent.hidden = false
    ui.signOut.hidden = false
    ui.agentName.textContent = me.name
    ui.agentTeam.textContent = me.team ? `· ${me.team}` : ''
    showState(me.state)
    connect()
    void refreshTasks()
    page.timers.push(setInterval(() => void refreshState(), STATE_REFRESH_MS))
    page.timers.push(setInterval(() => void refreshTasks(), TASKS_REFRESH_MS))
  }

  function showSignIn(message) {
    ui.desk.hidden = true
    ui.agent.hidden = true
    ui.signOut.hidden = true
    ui.signIn.hidden = false
    ui.signInError.textContent = message || ''
    ui.token.setAttribute('aria-invalid', message ? 'true' : 'false')
    ui.token.focus()
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY)
    page.token = null
    for (const timer of page.timers) clearInterval(timer)
    page.timers = []
    clearTimeout(page.reconnectTimer)
    if (page.socket) {
      page.socket.onclose = null
      page.socket.close(1000, 'signed out')
      page.socket = null
    }
    page.lastSeq = null
    page.seen.clear()
    page.calls.clear()
    page.shownCallId = null
    renderCalls()
    setConnection('off', 'Not connected')
    showSignIn(message)
  }

  ui.signInForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const token = ui.token.value.trim()
    if (!token) {
      showSignIn('Enter your agent token.')
      return
    }
    ui.token.value = ''
    ui.signInError.textContent = ''
    void signIn(token)
  })
  ui.signOut.addEventListener('click', () => signOut())

  // ---------- the live channel ----------

  function setConnection(state, text) {
    ui.connection.dataset.state = state
    ui.connection.textContent = text
  }

  function connect() {
    clearTimeout(page.reconnectTimer)
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    // A page with nothing yet asks for every kept event: a reload shows the recent calls again.
    const url = `${scheme}://${location.host}/v1/agents/socket?lastSeq=${page.lastSeq ?? 0}`
    const socket = new WebSocket(url, ['screenpop.v1', `token.${page.token}`])
    page.socket = socket
    setConnection('connecting', 'Connecting…')
    socket.onmessage = (message) => {
      let event
      try {
        event = JSON.parse(message.data)
      } catch {
        return
      }
      receive(event)
    }
    socket.onclose = (close) => {
      if (page.socket !== socket) return
      page.socket = null
      if (close.code === CLOSE_INVALID_TOKEN) {
        signOut('Your token is no longer valid (a newer one was issued, or your account is inactive). Sign in again.')
        return
      }
      const delay = close.code === CLOSE_TOO_FAR_BEHIND ? 0 : page.reconnectDelay
      page.reconnectDelay = Math.min(page.reconnectDelay * 2, RECONNECT_MAX_MS)
      setConnection('lost', delay > 0 ? `Connection lost; reconnecting in ${Math.round(delay / 1000)} s…` : 'Catching up…')
      page.reconnectTimer = setTimeout(connect, delay)
    }
  }

  function receive(event) {
    if (event.type === 'hello') {
      page.reconnectDelay = 1000
      // The server restarted: our seq belongs to a stream that is gone; everything kept follows.
      if (event.reset) page.lastSeq = null
      const lost = event.lost > 0 ? ` (${event.lost} earlier event${event.lost === 1 ? ' was' : 's were'} no longer kept)` : ''
      setConnection('live', `Live${lost}`)
      return
    }
    if (event.type === 'resync') {
      setConnection('lost', 'Catching up…')
      return
    }
    if (typeof event.seq === 'number') {
      page.lastSeq = event.seq
      if (page.socket && page.socket.readyState === WebSocket.OPEN) page.socket.send(JSON.stringify({ type: 'ack', seq: event.seq }))
    }
    if (event.id) {
      if (page.seen.has(event.id)) return
      page.seen.add(event.id)
    }
    if (typeof event.at === 'number') page.serverNow = event.at
    apply(event)
    renderCalls()
    scheduleStateRefresh()
    if (event.type === 'missed' || event.type === 'ended') void refreshTasks()
    if (NOTICE_TYPES.has(event.type)) {
      void refreshTasks()
      showNotice(event)
    }
  }

  // ---------- workflow notices: new tasks, reminders, new leads, web visits ----------

  const NOTICE_TYPES = new Set(['task', 'reminder', 'task-closed', 'lead', 'visit'])
  const MAX_NOTICES = 20

  function noticeText(event) {
    switch (event.type) {
      case 'task':
        return `New task: ${event.task.title}`
      case 'reminder':
        return event.escalated
          ? `Overdue ${event.overdueMinutes} min (assigned to ${event.task.assigneeAgentId}): ${event.task.title}`
          : `Due now: ${event.task.title}`
      case 'task-closed':
        return `Task done (${event.why})`
      case 'lead':
        return `New inquiry from ${event.lead.campaign || event.lead.source || 'an unknown line'}`
      case 'visit':
        return `${event.title}: ${event.pages.map((p) => p.title || p.url).join(', ')}${event.callbackRequested ? ' — asks to be called back' : ''}`
      default:
        return event.type
    }
  }

  function showNotice(event) {
    if (!ui.noticeList) return
    const late = event.type === 'reminder'
    ui.noticeList.prepend(h('li', { class: late ? 'task late' : 'task' }, h('span', { class: 'task-title' }, noticeText(event))))
    while (ui.noticeList.children.length > MAX_NOTICES) ui.noticeList.lastElementChild.remove()
  }

  /** A card starts a call; later events of the same callId update it. */
  function apply(event) {
    const at = typeof event.at === 'number' ? new Date(event.at).toISOString() : new Date().toISOString()
    if (event.type === 'card') {
      page.calls.delete(event.callId)
      page.calls.set(event.callId, { card: event, status: 'ringing', detail: null, at, updatedAt: at })
      page.shownCallId = event.callId
      while (page.calls.size > MAX_CALLS) page.calls.delete(page.calls.keys().next().value)
      const who = event.title || 'Incoming call'
      document.title = `● ${who} — Agent desk`
      return
    }
    const call = page.calls.get(event.callId)
    if (!call) return
    call.updatedAt = at
    switch (event.type) {
      case 'answered':
        call.status = 'answered'
        break
      case 'taken-by-other':
        call.status = 'taken'
        call.detail = event.answeredBy
        break
      case 'missed':
        call.status = 'missed'
        call.detail = event.why
        break
      case 'ended':
        // An offer that was missed or taken elsewhere stays so; only a call of ours "ends".
        if (call.status === 'ringing' || call.status === 'answered') call.status = 'ended'
        break
    }
    if (page.calls.size > 0 && [...page.calls.values()].every((c) => c.status !== 'ringing')) document.title = 'Agent desk'
  }

  // ---------- rendering the calls ----------

  function statusText(call) {
    switch (call.status) {
      case 'ringing':
        return `Ringing — pick up within ${call.card.ringSeconds} s`
      case 'answered':
        return 'You answered'
      case 'taken':
        return `Answered by ${call.detail}`
      case 'missed':
        return `Missed — ${MISSED_LABELS[call.detail] || call.detail}`
      case 'ended':
        return 'Call ended'
      default:
        return call.status
    }
  }

  function renderCalls() {
    const shown = page.calls.get(page.shownCallId)
    ui.cardSlot.replaceChildren(shown ? renderCard(shown) : h('p', { class: 'empty' }, "No call yet. The caller's card appears here as your phone rings."))

    const others = [...page.calls.values()].filter((c) => c !== shown).reverse()
    ui.recentList.replaceChildren(
      ...others.map((call) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'recent-item', 'data-call-id': call.card.callId },
            h('span', { class: 'recent-title' }, call.card.title),
            h('span', { class: `recent-status status-${call.status}` }, statusText(call)),
            h('span', { class: 'recent-meta' }, `${call.card.reason} · `, timeElement(call.at, timeOnly.format(new Date(call.at))))
          )
        )
      )
    )
    ui.recentEmpty.hidden = others.length > 0
  }

  ui.recentList.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-call-id]')
    if (!button) return
    page.shownCallId = button.dataset.callId
    renderCalls()
    $('current').focus()
  })

  function renderCard(call) {
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
      fact('Company', customer && customer.company)
      fact('Tier', customer && customer.tier ? customer.tier.toUpperCase() : null, customer && customer.tier === 'vip' ? 'fact-vip' : '')
      fact('Owner', history && history.owner ? history.owner.name : who.customer && who.customer.ownerAgentId)
      fact('Language', customer && customer.language)
    } else if (who.kind === 'lead') {
      fact('Source', who.source)
      fact('Campaign', who.campaign)
      fact('Cost per lead', formatAmount(who.costPerLead))
    }
    fact('Phone', card.caller && (card.caller.number || card.caller.displayName))
    if (card.line) fact('Dialed', [card.line.name || card.line.number, card.line.product].filter(Boolean).join(' · '))

    const article = h(
      'article',
      { class: `card card-${call.status}`, 'aria-labelledby': 'card-title' },
      h('p', { class: `call-status status-${call.status}` }, statusText(call), ' · ', timeElement(call.at, timeOnly.format(new Date(call.at)))),
      h('h3', { id: 'card-title', class: 'card-title' }, card.title),
      h('p', { class: 'reason' }, h('span', { class: 'reason-label' }, 'Why you: '), h('strong', {}, card.reason)),
      facts.length ? h('dl', { class: 'facts' }, facts) : null,
      card.degraded ? h('p', { class: 'notice' }, 'The CRM was unreachable: the caller could not be identified.') : null,
      who.historyUnavailable ? h('p', { class: 'notice' }, 'The history could not be loaded; only the name is known.') : null
    )
    if (history) article.append(...renderHistory(history))
    if (who.kind === 'lead') article.append(h('p', { class: 'notice lead-note' }, 'A first contact: record what they need before the call ends.'))
    return article
  }

  function section(title, items, options = {}) {
    const list = items.length ? h(options.ordered ? 'ol' : 'ul', { class: options.listClass || 'plain-list' }, items) : h('p', { class: 'muted' }, options.none || 'None.')
    return h('section', { class: `card-section ${options.class || ''}`, 'aria-label': title }, h('h4', {}, title), list)
  }

  function renderHistory(history) {
    const parts = []
    const overdue = history.payments.filter((p) => p.overdue)
    if (overdue.length) {
      const worst = Math.max(...overdue.map((p) => p.daysOverdue))
      parts.push(
        h(
          'div',
          { class: 'overdue', role: 'note', 'aria-label': 'Overdue payments' },
          h('p', { class: 'overdue-head' }, h('strong', {}, `Overdue: ${formatAmount(history.overdueTotal)}`), overdue.length === 1 ? ` — ${worst} days late` : ` — ${overdue.length} payments, up to ${worst} days late`),
          h(
            'ul',
            { class: 'plain-list' },
            overdue.map((p) => h('li', {}, `${formatAmount(p.amount)} due ${formatDate(p.dueDate)} (${p.daysOverdue} days)`))
          )
        )
      )
    }

    const sections = []
    sections.push(
      section(
        'Open deals',
        history.openDeals.map((d) => h('li', {}, h('span', { class: 'stage' }, d.stage), ' ', d.title, d.amount !== null ? h('span', { class: 'muted' }, ` · ${formatAmount(d.amount)}`) : null)),
        { none: 'No open deals.' }
      )
    )
    sections.push(
      section(
        'Last calls',
        history.lastCalls.slice(0, 5).map((c) =>
          h(
            'li',
            {},
            timeElement(c.at, formatDateTime(c.at)),
            ' ',
            h('span', { class: `outcome outcome-${c.outcome || 'unknown'}` }, c.outcome || 'no outcome'),
            c.agent ? h('span', { class: 'muted' }, ` · ${c.agent.name}`) : null
          )
        ),
        { none: 'No calls before.' }
      )
    )
    if (history.needs.length) sections.push(section('Needs', history.needs.map((n) => h('li', {}, n)), { listClass: 'chips' }))
    if (history.refusalReasons.length) sections.push(section('Refused before because', history.refusalReasons.map((r) => h('li', {}, r)), { listClass: 'chips chips-warn' }))
    const now = page.serverNow ?? Date.now()
    sections.push(
      section(
        'Open tasks',
        history.openTasks.map((t) => {
          const late = Date.parse(t.dueAt) < now
          return h('li', { class: late ? 'late' : null }, late ? h('strong', { class: 'late-label' }, 'Overdue ') : null, t.title, h('span', { class: 'muted' }, ` · due ${formatDateTime(t.dueAt)}`))
        }),
        { none: 'No open tasks.' }
      )
    )
    if (history.recentOrders.length) {
      sections.push(
        section(
          'Recent orders',
          history.recentOrders.slice(0, 3).map((o) => h('li', {}, o.product, h('span', { class: 'muted' }, ` · ${formatAmount(o.amount)} · ${formatDateTime(o.orderedAt)}`)))
        )
      )
    }
    parts.push(h('div', { class: 'card-sections' }, sections))
    return parts
  }

  // ---------- the agent's state ----------

  function showState(state) {
    const status = state ? state.status : 'unknown'
    ui.stateNow.textContent = STATE_LABELS[status] || status
    ui.stateNow.dataset.status = status
    for (const button of ui.stateButtons) {
      const pressed = button.dataset.state === status
      button.setAttribute('aria-pressed', String(pressed))
      if (button.dataset.state === 'available') button.textContent = status === 'wrap-up' ? 'Wrap-up done' : 'Available'
    }
    const details = []
    if (state) details.push(`since ${formatDateTime(state.since)}`)
    if (state && state.wrapUpUntil) details.push(`wrap-up ends at ${timeOnly.format(new Date(state.wrapUpUntil))}`)
    if (state && state.activeCalls > 0) details.push(`${state.activeCalls} of ${state.capacity} call${state.capacity === 1 ? '' : 's'} in progress`)
    if (!state) details.push('not loaded into routing yet')
    ui.stateDetail.textContent = details.join(' · ')
  }

  async function refreshState() {
    if (!page.token) return
    try {
      const me = await api('/v1/me')
      showState(me.state)
    } catch {
      // The next refresh tries again; a bad token has signed the page out already.
    }
  }

  function scheduleStateRefresh() {
    clearTimeout(page.stateRefresh)
    page.stateRefresh = setTimeout(() => void refreshState(), 150)
  }

  for (const button of ui.stateButtons) {
    button.addEventListener('click', async () => {
      ui.stateError.textContent = ''
      for (const b of ui.stateButtons) b.disabled = true
      try {
        showState(await api('/v1/me/state', { method: 'PUT', body: { state: button.dataset.state } }))
      } catch (err) {
        if (err.message !== 'unauthorized') ui.stateError.textContent = `The state was not changed: ${err.message}`
      } finally {
        for (const b of ui.stateButtons) b.disabled = false
      }
    })
  }

  // ---------- tasks ----------

  async function refreshTasks() {
    if (!page.token) return
    let body
    try {
      body = await api('/v1/me/tasks')
    } catch {
      return
    }
    ui.taskList.replaceChildren(
      ...body.tasks.map((t) =>
        h(
          'li',
          { class: t.overdue ? 'task late' : 'task' },
          h('span', { class: 'task-due' }, t.overdue ? h('strong', { class: 'late-label' }, 'Overdue ') : null, timeElement(t.dueAt, formatDateTime(t.dueAt))),
          h('span', { class: 'task-title' }, t.title),
          h('span', { class: 'muted' }, [t.kind, t.customer ? t.customer.name : null].filter(Boolean).join(' · '))
        )
      )
    )
    ui.tasksEmpty.hidden = body.tasks.length > 0
  }

  // ---------- start ----------

  const saved = sessionStorage.getItem(TOKEN_KEY)
  if (saved) void signIn(saved)
  else showSignIn()
})()
