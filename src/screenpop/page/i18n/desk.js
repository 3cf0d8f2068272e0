// The desk around the card: the words of agent.html (filled in by page-words.js), signing in,
// the live channel, the agent's state, the call's status.

import { ru } from '../plural.js'

export default {
  en: {
    pageTitle: 'Agent desk',
    ringingTitle: (who) => `● ${who} — Agent desk`,
    incomingCall: 'Incoming call',
    skipToCall: 'Skip to the current call',
    signOut: 'Sign out',
    myState: 'My state:',
    currentCall: 'Current call',
    myTasks: 'My open tasks',
    noTasks: 'No open tasks.',
    noticesHeading: 'Notices',
    recentCalls: 'Recent calls',
    noRecentCalls: 'None yet.',

    signIn: {
      heading: 'Sign in',
      token: 'Agent token',
      tokenHint: 'Your administrator gives you a token. It is kept in this browser tab only and forgotten when the tab closes.',
      submit: 'Sign in',
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
      busy: 'On a call',
      unknown: 'unknown'
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

    waiting: {
      none: 'Nobody is waiting for you or your team.',
      counts: (forYou, forTeam) => `Waiting: ${forYou} for you · ${forTeam} for your team`
    }
  },

  ru: {
    pageTitle: 'Рабочее место оператора',
    ringingTitle: (who) => `● ${who} — Рабочее место оператора`,
    incomingCall: 'Входящий звонок',
    skipToCall: 'Перейти к текущему звонку',
    signOut: 'Выйти',
    myState: 'Мой статус:',
    currentCall: 'Текущий звонок',
    myTasks: 'Мои открытые задачи',
    noTasks: 'Открытых задач нет.',
    noticesHeading: 'Уведомления',
    recentCalls: 'Недавние звонки',
    noRecentCalls: 'Пока нет.',

    signIn: {
      heading: 'Вход',
      token: 'Токен оператора',
      tokenHint: 'Токен выдаёт администратор. Он хранится только в этой вкладке браузера и забывается, когда вкладка закрывается.',
      submit: 'Войти',
      enterToken: 'Введите токен оператора.',
      failed: (why) => `Не удалось войти: ${why}`,
      expired: 'Ваш токен больше не действует. Запросите новый и войдите снова.',
      replaced: 'Ваш токен больше не действует (выдан новый или учётная запись отключена). Войдите снова.'
    },

    connection: {
      off: 'Нет подключения',
      connecting: 'Подключение…',
      live: (lost) => (lost > 0 ? `На связи (${lost} ${ru(lost, 'раннее событие уже не хранится', 'ранних события уже не хранятся', 'ранних событий уже не хранятся')})` : 'На связи'),
      lost: (seconds) => `Связь потеряна; переподключение через ${seconds} с…`,
      catchingUp: 'Загружаем пропущенное…'
    },

    states: {
      available: 'Свободен',
      away: 'Отошёл',
      'wrap-up': 'Поствызов',
      offline: 'Не в сети',
      ringing: 'Вызов',
      busy: 'Разговор',
      unknown: 'неизвестен'
    },
    wrapUpDone: 'Поствызов завершён',
    stateSince: (when) => `с ${when}`,
    wrapUpEnds: (time) => `поствызов до ${time}`,
    callsInProgress: (active, capacity) => `Звонков в работе: ${active} из ${capacity}`,
    notInRouting: 'ещё не загружен в маршрутизацию',
    stateNotChanged: (why) => `Статус не изменён: ${why}`,

    callStatus: {
      ringing: (seconds) => `Вызов — ответьте в течение ${seconds} с`,
      answered: 'Вы ответили',
      taken: (by) => `Ответил(а) ${by}`,
      missed: (why) => `Пропущен — ${why}`,
      ended: 'Звонок завершён'
    },
    missedBecause: {
      'ring-timeout': 'не ответили вовремя',
      busy: 'линия занята',
      declined: 'отклонён',
      unreachable: 'телефон недоступен'
    },

    waiting: {
      none: 'Никто не ждёт ни вас, ни вашу команду.',
      counts: (forYou, forTeam) => `Ждут: ${forYou} — вас · ${forTeam} — вашу команду`
    }
  }
}
