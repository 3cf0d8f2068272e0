// Workflow notices: new tasks, reminders and escalations, closed tasks, leads, web visits.
// A duration comes in words already (format.js formatDuration: "55 days", "55 дней").

import { ru } from '../plural.js'

// Intl names a duration in the nominative; after «на» Russian asks for the accusative,
// which differs only in the feminine «минута» (на 1 минуту, на 21 минуту).
const accusative = (duration) => duration.replace(/ минута$/, ' минуту')

export default {
  en: {
    notices: {
      heading: 'Notices',
      task: (title) => `New task: ${title}`,
      escalated: (duration, assignee, title) => `${duration} overdue (assigned to ${assignee}): ${title}`,
      due: (title) => `Due now: ${title}`,
      overdue: (duration, title) => `${duration} overdue: ${title}`,
      taskClosed: (why) => `Task done (${why})`,
      lead: (from) => `New inquiry from ${from}`,
      unknownLine: 'an unknown line',
      callbackRequested: ' — asks to be called back',
      groups: {
        due: 'Tasks due and overdue',
        task: 'New tasks',
        lead: 'New inquiries',
        visit: 'Web visits',
        closed: 'Closed tasks'
      },
      count: (n) => `${n} notice${n === 1 ? '' : 's'}`
    }
  },

  ru: {
    notices: {
      heading: 'Уведомления',
      task: (title) => `Новая задача: ${title}`,
      escalated: (duration, assignee, title) => `Просрочено на ${accusative(duration)} (исполнитель: ${assignee}): ${title}`,
      due: (title) => `Пора выполнить: ${title}`,
      overdue: (duration, title) => `Просрочено на ${accusative(duration)}: ${title}`,
      taskClosed: (why) => `Задача закрыта (${why})`,
      lead: (from) => `Новое обращение: ${from}`,
      unknownLine: 'неизвестная линия',
      callbackRequested: ' — просит перезвонить',
      groups: {
        due: 'Сроки задач',
        task: 'Новые задачи',
        lead: 'Новые обращения',
        visit: 'Посещения сайта',
        closed: 'Закрытые задачи'
      },
      count: (n) => `${n} ${ru(n, 'уведомление', 'уведомления', 'уведомлений')}`
    }
  }
}
