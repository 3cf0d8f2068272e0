// The caller's card: facts, debt, deals, calls, needs, refusals, tasks, orders.

import { ru } from '../plural.js'

const days = (n) => `${n} ${ru(n, 'день', 'дня', 'дней')}`

export default {
  en: {
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
      overdueOne: (days) => ` — ${days} day${days === 1 ? '' : 's'} late`,
      overdueMany: (count, days) => ` — ${count} payments, up to ${days} day${days === 1 ? '' : 's'} late`,
      overduePayment: (amount, due, days) => `${amount} due ${due} (${days} day${days === 1 ? '' : 's'})`,
      openDeals: 'Open deals',
      noOpenDeals: 'No open deals.',
      lastCalls: 'Last calls',
      noCallsBefore: 'No calls before.',
      noOutcome: 'no outcome',
      outcomes: { answered: 'answered', missed: 'missed', abandoned: 'abandoned', busy: 'busy', rejected: 'rejected', failed: 'failed', redirected: 'redirected' },
      taskKinds: { callback: 'call back', 'follow-up': 'follow-up', reminder: 'reminder', 'web-visit': 'web visit' },
      needs: 'Needs',
      refusedBecause: 'Refused before because',
      openTasks: 'Open tasks',
      noOpenTasks: 'No open tasks.',
      overdue: 'Overdue ',
      due: (when) => ` · due ${when}`,
      recentOrders: 'Recent orders'
    }
  },

  ru: {
    card: {
      noCall: 'Звонков пока нет. Карточка звонящего появится здесь, как только зазвонит телефон.',
      whyYou: 'Почему вы: ',
      company: 'Компания',
      tier: 'Уровень',
      owner: 'Ответственный',
      language: 'Язык',
      source: 'Источник',
      campaign: 'Кампания',
      costPerLead: 'Стоимость лида',
      phone: 'Телефон',
      dialed: 'Набранный номер',
      crmUnreachable: 'CRM недоступна: звонящего определить не удалось.',
      historyUnavailable: 'Историю загрузить не удалось; известно только имя.',
      firstContact: 'Первое обращение: запишите, что нужно клиенту, пока идёт разговор.',
      none: 'Нет.',
      overduePayments: 'Просроченные платежи',
      overdueTotal: (amount) => `Просрочено: ${amount}`,
      overdueOne: (n) => ` — просрочка ${days(n)}`,
      overdueMany: (count, n) => ` — ${count} ${ru(count, 'платёж', 'платежа', 'платежей')}, просрочка до ${days(n)}`,
      overduePayment: (amount, due, n) => `${amount}, срок ${due} (${days(n)})`,
      openDeals: 'Открытые сделки',
      noOpenDeals: 'Открытых сделок нет.',
      lastCalls: 'Последние звонки',
      noCallsBefore: 'Раньше не звонил.',
      noOutcome: 'без итога',
      outcomes: { answered: 'принят', missed: 'пропущен', abandoned: 'брошен', busy: 'занято', rejected: 'отклонён', failed: 'сбой', redirected: 'переадресован' },
      taskKinds: { callback: 'перезвонить', 'follow-up': 'продолжение', reminder: 'напоминание', 'web-visit': 'визит на сайт' },
      needs: 'Потребности',
      refusedBecause: 'Причины прежних отказов',
      openTasks: 'Открытые задачи',
      noOpenTasks: 'Открытых задач нет.',
      overdue: 'Просрочено ',
      due: (when) => ` · срок ${when}`,
      recentOrders: 'Недавние заказы'
    }
  }
}
