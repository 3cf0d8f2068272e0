// Workflow notices: new tasks, reminders and escalations, closed tasks, leads, web visits.

export default {
  en: {
    notices: {
      task: (title) => `New task: ${title}`,
      escalated: (minutes, assignee, title) => `Overdue ${minutes} min (assigned to ${assignee}): ${title}`,
      due: (title) => `Due now: ${title}`,
      taskClosed: (why) => `Task done (${why})`,
      lead: (from) => `New inquiry from ${from}`,
      unknownLine: 'an unknown line',
      callbackRequested: ' — asks to be called back'
    }
  },

  ru: {
    notices: {
      task: (title) => `Новая задача: ${title}`,
      escalated: (minutes, assignee, title) => `Просрочено на ${minutes} мин (исполнитель: ${assignee}): ${title}`,
      due: (title) => `Пора выполнить: ${title}`,
      taskClosed: (why) => `Задача закрыта (${why})`,
      lead: (from) => `Новое обращение: ${from}`,
      unknownLine: 'неизвестная линия',
      callbackRequested: ' — просит перезвонить'
    }
  }
}
