// The agent's page: signs in with the agent's token, keeps the live channel
// open, shows the current call's card on top and the earlier ones beside it,
// the agent's state and tasks. Each concern is a module of its own; this one
// wires them to the page's elements and holds the session.

import { createApi } from './api.js'
import { noteLead, startCardActions, stopCardActions } from './card-actions.js'
import { createCallList } from './calls.js'
import { createCallsView } from './calls-view.js'
import { createChatPanel } from './chat-panel.js'
import { openLiveChannel } from './connection.js'
import { byId } from './dom.js'
import { keepLanguage, labels } from './labels.js'
import { useCurrency } from './money.js'
import { createNotices, isNotice } from './notices.js'
import { applyPageWords } from './page-words.js'
import { createStateButtons } from './state-buttons.js'
import { createTaskList } from './tasks.js'
import { createWaiting, isWaiting } from './waiting.js'

const TOKEN_KEY = 'cti.agent.token'
const STATE_REFRESH_MS = 15_000
const TASKS_REFRESH_MS = 60_000

// agent.html's words, in the page's language, before anything shows.
applyPageWords()

const ui = {
  signIn: byId('sign-in'),
  signInForm: byId('sign-in-form'),
  token: byId('token'),
  signInError: byId('sign-in-error'),
  desk: byId('desk'),
  agent: byId('agent'),
  agentName: byId('agent-name'),
  agentTeam: byId('agent-team'),
  connection: byId('connection'),
  signOut: byId('sign-out')
}

/** The signed-in session: the token, the live channel and the refresh timers. */
const session = { token: null, channel: null, timers: [] }

const api = createApi({ token: () => session.token, onUnauthorized: () => signOut(labels.signIn.expired) })
const calls = createCallList()
const callsView = createCallsView({ list: calls, current: byId('current'), slot: byId('card-slot'), recentList: byId('recent-list'), recentEmpty: byId('recent-empty') })
const notices = createNotices(byId('notice-list'))
const waiting = createWaiting(byId('waiting'))
const tasks = createTaskList({ list: byId('task-list'), empty: byId('tasks-empty'), api })
const chats = createChatPanel({
  section: byId('chats'),
  tabs: byId('chat-tabs'),
  views: byId('chat-views'),
  announce: byId('chat-announce'),
  api,
  // A chat turned into a call-back is a task of the agent's: the list shows it at once.
  onCallBack: () => void tasks.refresh(),
  onInvalidToken: () => signOut(labels.signIn.replaced)
})
const state = createStateButtons({
  badge: byId('state-now'),
  detail: byId('state-detail'),
  error: byId('state-error'),
  buttons: Array.from(byId('my-state').querySelectorAll('.state-buttons [data-state]')),
  api
})

function setConnection(status, text) {
  ui.connection.dataset.state = status
  ui.connection.textContent = text
}

function receive(event) {
  if (isWaiting(event)) {
    waiting.show(event)
    return
  }
  if (event.type === 'lead') noteLead(event)
  const title = calls.apply(named(event))
  if (title) document.title = title
  callsView.render()
  state.refreshSoon()
  if (event.type === 'missed' || event.type === 'ended') void tasks.refresh()
  if (isNotice(event)) {
    void tasks.refresh()
    notices.show(event)
  }
}

/** The call list says who took a call by what it is given: the colleague's name when the server knows it, else their id. */
function named(event) {
  return event.type === 'taken-by-other' && event.answeredByName ? { ...event, answeredBy: event.answeredByName } : event
}

async function signIn(token) {
  session.token = token
  let me
  try {
    me = await api('/v1/me')
  } catch (err) {
    if (err.message !== 'unauthorized') showSignIn(labels.signIn.failed(err.message))
    return
  }
  sessionStorage.setItem(TOKEN_KEY, token)
  // The words are picked at load: a language setting other than the one the page speaks loads it again.
  if (keepLanguage(me.language)) {
    location.reload()
    return
  }
  useCurrency(me.currency)
  startCardActions({ api, onTasksChanged: () => void tasks.refresh(), onStateChanged: () => state.refreshSoon() })
  ui.signIn.hidden = true
  ui.desk.hidden = false
  ui.agent.hidden = false
  ui.signOut.hidden = false
  ui.agentName.textContent = me.name
  ui.agentTeam.textContent = me.team ? `· ${me.team}` : ''
  state.show(me.state)
  session.channel = openLiveChannel({ token, onEvent: receive, onStatus: setConnection, onInvalidToken: () => signOut(labels.signIn.replaced) })
  void tasks.refresh()
  void chats.start(token)
  session.timers.push(setInterval(() => void state.refresh(), STATE_REFRESH_MS))
  session.timers.push(setInterval(() => void tasks.refresh(), TASKS_REFRESH_MS))
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
  session.token = null
  for (const timer of session.timers) clearInterval(timer)
  session.timers = []
  state.stop()
  session.channel?.close()
  session.channel = null
  chats.stop()
  calls.clear()
  stopCardActions()
  waiting.clear()
  callsView.render()
  setConnection('off', labels.connection.off)
  showSignIn(message)
}

ui.signInForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const token = ui.token.value.trim()
  if (!token) {
    showSignIn(labels.signIn.enterToken)
    return
  }
  ui.token.value = ''
  ui.signInError.textContent = ''
  void signIn(token)
})
ui.signOut.addEventListener('click', () => signOut())

const saved = sessionStorage.getItem(TOKEN_KEY)
if (saved) void signIn(saved)
else showSignIn()
