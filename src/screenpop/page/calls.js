// The calls the page knows: each card starts one, later events of the same
// callId say what became of it. Rebuilt from the server's kept events after a reload.

import { labels } from './labels.js'

const MAX_CALLS = 20

/** callId → { card, status, detail, at, updatedAt }, newest card last; `shownCallId` is on top. */
export function createCallList() {
  const list = {
    calls: new Map(),
    /** The call shown on top: the newest card unless the agent picked another. */
    shownCallId: null,
    /** Server time of the latest event, for "overdue" against the server's clock. */
    serverNow: null,

    /** Takes one event in; answers the tab title it calls for, or null to leave the title alone. */
    apply(event) {
      if (typeof event.at === 'number') list.serverNow = event.at
      const at = typeof event.at === 'number' ? new Date(event.at).toISOString() : new Date().toISOString()
      if (event.type === 'card') {
        list.calls.delete(event.callId)
        list.calls.set(event.callId, { card: event, status: 'ringing', detail: null, at, updatedAt: at })
        list.shownCallId = event.callId
        while (list.calls.size > MAX_CALLS) list.calls.delete(list.calls.keys().next().value)
        return labels.ringingTitle(event.title || labels.incomingCall)
      }
      const call = list.calls.get(event.callId)
      if (!call) return null
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
      const ringing = [...list.calls.values()].some((c) => c.status === 'ringing')
      return list.calls.size > 0 && !ringing ? labels.pageTitle : null
    },

    shown() {
      return list.calls.get(list.shownCallId)
    },

    clear() {
      list.calls.clear()
      list.shownCallId = null
    }
  }
  return list
}

/** What became of the call, in words. */
export function statusText(call) {
  switch (call.status) {
    case 'ringing':
      return labels.callStatus.ringing(call.card.ringSeconds)
    case 'answered':
      return labels.callStatus.answered
    case 'taken':
      return labels.callStatus.taken(call.detail)
    case 'missed':
      return labels.callStatus.missed(labels.missedBecause[call.detail] || call.detail)
    case 'ended':
      return labels.callStatus.ended
    default:
      return call.status
  }
}
