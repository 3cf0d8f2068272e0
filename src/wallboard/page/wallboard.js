// The supervisor's wallboard: sign in with a supervisor token, then watch the
// queues, calls and agents move as the server pushes them.

import { handledToday, renderAgents, setAgentState } from './agents-view.js'
import { renderCalls } from './calls-view.js'
import { createStore, openFeed } from './connection.js'
import { byId } from './dom.js'
import { formats } from './format.js'
import { readStory, renderResults, renderStory, searchCalls } from './history-view.js'
import { applyLabels, catalogues, chooseLanguage } from './labels.js'
import { levelAbove, renderQueues } from './queues-view.js'

const TOKEN_KEY = 'wallboard-token'
const params = new URLSearchParams(location.search)
let lang = chooseLanguage(params.get('lang'), null, navigator.languages)
let words = catalogues[lang]
let fmt = formats(lang)
const store = createStore()
let feed = null
let token = null
let drawPending = false

function setLanguage(next) {
  lang = next
  words = catalogues[lang]
  fmt = formats(lang)
  document.documentElement.lang = lang
  document.title = words.title
  applyLabels(document, words)
}

function status(state, seconds) {
  const node = byId('connection')
  node.dataset.state = state
  node.textContent = state === 'lost' ? words.connection.lost(seconds) : words.connection[state]
}

function draw() {
  drawPending = false
  const viewer = store.viewer
  byId('viewer').textContent = !viewer ? '' : viewer.kind === 'admin' ? words.viewer.admin : words.viewer.supervisor(viewer.name, viewer.teams)
  byId('handled').textContent = words.handledTotal(fmt.number(handledToday(store)))
  renderQueues(byId('queues'), byId('queues-empty'), store, words, fmt)
  renderCalls(byId('calls'), byId('calls-empty'), store, words, fmt)
  renderAgents({ table: byId('agents'), empty: byId('agents-empty'), counts: byId('agent-counts') }, store, words, fmt)
}

/** Times in state and waits count up every second without a message from the server. */
function tick() {
  const now = store.now()
  for (const node of document.querySelectorAll('[data-since]')) {
    if (node.dataset.since === '') continue
    const since = Number(node.dataset.since)
    node.textContent = fmt.duration(now - since)
    if (node.dataset.threshold) {
      node.classList.remove('warn', 'alert')
      const level = levelAbove((now - since) / 1000, JSON.parse(node.dataset.threshold))
      if (level) node.classList.add(level)
    }
  }
}

function showSignIn(error) {
  feed?.close()
  feed = null
  token = null
  sessionStorage.removeItem(TOKEN_KEY)
  byId('board').hidden = true
  byId('sign-out').hidden = true
  byId('sign-in').hidden = false
  byId('sign-in-error').textContent = error ?? ''
  status('off')
}

function start(given) {
  token = given
  sessionStorage.setItem(TOKEN_KEY, token)
  byId('sign-in').hidden = true
  byId('board').hidden = false
  byId('sign-out').hidden = false
  feed = openFeed({
    token,
    onStatus: status,
    onInvalidToken: () => showSignIn(words.badToken),
    onMessage: (message) => {
      store.apply(message)
      if (message.type === 'snapshot' && !params.get('lang') && store.language && store.language !== lang) setLanguage(chooseLanguage(null, store.language, []))
      if (!drawPending) {
        drawPending = true
        requestAnimationFrame(draw)
      }
    }
  })
}

async function search(event) {
  event.preventDefault()
  const note = byId('search-status')
  note.textContent = words.searching
  try {
    const { calls } = await searchCalls(token, byId('search-caller').value.trim())
    note.textContent = calls.length === 0 ? words.noResults : words.calls_n(lang, calls.length)
    renderResults(byId('results'), calls, words, fmt)
  } catch (err) {
    note.textContent = words.searchFailed(err.message)
  }
}

async function openStory(callId) {
  const note = byId('search-status')
  try {
    const story = await readStory(token, callId)
    renderStory({ summary: byId('timeline-summary'), list: byId('timeline-events') }, story, words, fmt)
    byId('timeline').hidden = false
  } catch (err) {
    note.textContent = words.searchFailed(err.message)
  }
}

setLanguage(lang)
byId('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault()
  const value = byId('token').value.trim()
  if (!value) return void (byId('sign-in-error').textContent = words.enterToken)
  start(value)
})
byId('sign-out').addEventListener('click', () => showSignIn())
byId('search-form').addEventListener('submit', search)
byId('results').addEventListener('click', (event) => {
  const id = event.target.closest('[data-story]')?.dataset.story
  if (id) void openStory(id)
})
byId('timeline-close').addEventListener('click', () => (byId('timeline').hidden = true))
byId('agents').addEventListener('click', async (event) => {
  const button = event.target.closest('[data-set]')
  if (!button) return
  const why = await setAgentState(token, button.dataset.id, button.dataset.set)
  byId('agent-error').textContent = why ? words.notSet(why) : ''
})
setInterval(tick, 1000)
// A token in the address (a wall screen's bookmark) is taken once and removed from the address bar.
const fromUrl = params.get('token')
if (fromUrl) {
  params.delete('token')
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`)
}
const saved = fromUrl ?? sessionStorage.getItem(TOKEN_KEY)
if (saved) start(saved)
else showSignIn()
