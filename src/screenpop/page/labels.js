// The page's words, in English: every text the script writes comes from here,
// so a page in another language is another catalogue with the same keys.

export const labels = {
  pageTitle: 'Agent desk',
  ringingTitle: (who) => `● ${who} — Agent desk`,
  incomingCall: 'Incoming call',

  signIn: {
    enterToken: 'Enter your agent token.',
    failed: (why) => `Could not sign in: ${why}`,
    expired: 'Your token is no longer valid. Ask for a new one and sign in again.',
    replaced: 'Your token is no longer valid (a newer one was issued, or your account is inactive). Sign in again.'
  },

  connection: {
    off: 'Not connected',
    connecting: 'Connecting…',
    live: (lost) => (lost > 0 ? `Live (${lost} earlier event${lost === 1 ? ' was' : 's were'} no longer kept)` : 'Live'),
    lost: (seconds) => `Connection lost; reconnecting in ${seconds} s…`,
    catchingUp: 'Catching up…'
  },

  states: {
    available: 'Available',
    away: 'Away',
    'wrap-up': 'Wrap-up',
    offline: 'Offline',
    ringing: 'Ringing',
    busy: 'On a call'
  },
  wrapUpDone: 'Wrap-up done',
  stateSince: (when) => `since ${when}`,
  wrapUpEnds: (time) => `wrap-up ends at ${time}`,
  callsInProgress: (active, capacity) => `${active} of ${capacity} call${capacity === 1 ? '' : 's'} in progress`,
  notInRouting: 'not loaded into routing yet',
  stateNotChanged: (why) => `The state was not changed: ${why}`,

  callStatus: {
    ringing: (seconds) => `Ringing — pick up within ${seconds} s`,
    answered: 'You answered',
    taken: (by) => `Answered by ${by}`,
    missed: (why) => `Missed — ${why}`,
    ended: 'Call ended'
  },
  missedBecause: {
    'ring-timeout': 'not answered in time',
    busy: 'line busy',
    declined: 'declined',
    unreachable: 'phone unreachable'
  },

  card: {
    noCall: "No call yet. The caller's card appears here as your phone rings.",
    whyYou: 'Why you: ',
    company: 'Company',
    tier: 'Tier',
    owner: 'Owner',
    language: 'Language',
    source: 'Source',
    campaign: 'Campaign',
    costPerLead: 'Cost per lead',
    phone: 'Phone',
    dialed: 'Dialed',
    crmUnreachable: 'The CRM was unreachable: the caller could not be identified.',
    historyUnavailable: 'The history could not be loaded; only the name is known.',
    firstContact: 'A first contact: record what they need before the call ends.',
    none: 'None.',
    overduePayments: 'Overdue payments',
    overdueTotal: (amount) => `Overdue: ${amount}`,
    overdueOne: (days) => ` — ${days} days late`,
    overdueMany: (count, days) => ` — ${count} payments, up to ${days} days late`,
    overduePayment: (amount, due, days) => `${amount} due ${due} (${days} days)`,
    openDeals: 'Open deals',
    noOpenDeals: 'No open deals.',
    lastCalls: 'Last calls',
    noCallsBefore: 'No calls before.',
    noOutcome: 'no outcome',
    needs: 'Needs',
    refusedBecause: 'Refused before because',
    openTasks: 'Open tasks',
    noOpenTasks: 'No open tasks.',
    overdue: 'Overdue ',
    due: (when) => ` · due ${when}`,
    recentOrders: 'Recent orders'
  },

  notices: {
    task: (title) => `New task: ${title}`,
    escalated: (minutes, assignee, title) => `Overdue ${minutes} min (assigned to ${assignee}): ${title}`,
    due: (title) => `Due now: ${title}`,
    taskClosed: (why) => `Task done (${why})`,
    lead: (from) => `New inquiry from ${from}`,
    unknownLine: 'an unknown line',
    callbackRequested: ' — asks to be called back'
  }
}
