import t from 'tap'

// The page's modules are plain JavaScript with no declarations: loaded by URL, as page-catalogues.test.ts does.
const PAGE = new URL('../../src/screenpop/page/', import.meta.url)
const { formatDuration } = (await import(new URL('format.js', PAGE).href)) as { formatDuration: (minutes: unknown, lang: string) => string }
const catalogue = (await import(new URL('i18n/notices.js', PAGE).href)).default

// How long a task is overdue, in words: the largest sensible unit, rounded down,
// in the page's language through Intl.

const HOUR = 60
const DAY = 24 * HOUR

t.test('under an hour a duration is in minutes', async (t) => {
  t.equal(formatDuration(0, 'en'), '0 minutes')
  t.equal(formatDuration(1, 'en'), '1 minute')
  t.equal(formatDuration(59, 'en'), '59 minutes')
  t.equal(formatDuration(59.9, 'en'), '59 minutes', 'rounded down')
  t.equal(formatDuration(5, 'ru'), '5 минут')
  t.equal(formatDuration(21, 'ru'), '21 минута')
})

t.test('from an hour to under two days it is in hours', async (t) => {
  t.equal(formatDuration(HOUR, 'en'), '1 hour')
  t.equal(formatDuration(HOUR + 59, 'en'), '1 hour')
  t.equal(formatDuration(2 * DAY - 1, 'en'), '47 hours')
  t.equal(formatDuration(3 * HOUR, 'ru'), '3 часа')
  t.equal(formatDuration(5 * HOUR, 'ru'), '5 часов')
})

t.test('from two days on it is in days', async (t) => {
  t.equal(formatDuration(2 * DAY, 'en'), '2 days')
  t.equal(formatDuration(79_338, 'en'), '55 days', 'the 79338 minutes the page once showed')
  t.equal(formatDuration(79_338, 'ru'), '55 дней')
  t.equal(formatDuration(21 * DAY, 'ru'), '21 день')
  t.equal(formatDuration(22 * DAY, 'ru'), '22 дня')
})

t.test('nothing negative or missing shows as a negative time', async (t) => {
  t.equal(formatDuration(-5, 'en'), '0 minutes')
  t.equal(formatDuration(undefined, 'en'), '0 minutes')
})

t.test('an escalation reads as a sentence in both languages, Russian in the accusative after «на»', async (t) => {
  const { en, ru } = catalogue
  t.equal(en.notices.escalated(formatDuration(55 * DAY, 'en'), 'Dmitri Sokolov', 'Call back Ivan'), '55 days overdue (assigned to Dmitri Sokolov): Call back Ivan')
  t.equal(ru.notices.escalated(formatDuration(55 * DAY, 'ru'), 'Дмитрий Соколов', 'Перезвонить'), 'Просрочено на 55 дней (исполнитель: Дмитрий Соколов): Перезвонить')
  t.equal(ru.notices.overdue(formatDuration(21, 'ru'), 'Перезвонить'), 'Просрочено на 21 минуту: Перезвонить')
  t.equal(ru.notices.overdue(formatDuration(2, 'ru'), 'Перезвонить'), 'Просрочено на 2 минуты: Перезвонить')
  t.equal(ru.notices.count(3), '3 уведомления')
  t.equal(en.notices.count(1), '1 notice')
})
