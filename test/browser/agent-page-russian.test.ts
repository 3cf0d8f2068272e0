import { existsSync, readdirSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { type Page } from 'playwright-core'
import { CHROMIUM, chromiumFor, scriptErrors } from '../helpers/chromium.js'
import t, { type Test } from 'tap'
import { agentToken, request, testDemoApp } from '../helpers/test-app.js'

// The agent's page with the agent's language set to Russian, in a real browser against a real
// server: every word of the page is Russian — the sign-in form, the headings, the state buttons,
// the connection line, the empty lists, the names screen readers hear — and <html lang> says so;
// a call a colleague took names them, not their id.
// CI installs Debian's chromium (.ci/run); without it this file says so and skips.

const SCREENSHOT_DIR = new URL('../../.tap/screenshots/', import.meta.url).pathname
const IVAN = '+79161234567'
const SPRING_LINE = '+74951234567'
const CATALOGUE_DIR = new URL('../../src/screenpop/page/i18n/', import.meta.url)

type Words = Record<string, unknown>

/** The English labels of every catalogue of the page that Russian says otherwise (a few, like "CRM", are the same in both). */
async function englishOnlyLabels(): Promise<string[]> {
  const found: string[] = []
  const walk = (en: Words, ru: Words | undefined) => {
    for (const [key, value] of Object.entries(en)) {
      const other = ru?.[key]
      if (typeof value === 'string' && value.trim() && value !== other) found.push(value.trim())
      else if (value && typeof value === 'object') walk(value as Words, other as Words | undefined)
    }
  }
  for (const name of readdirSync(CATALOGUE_DIR).filter((n) => n.endsWith('.js'))) {
    const catalogue: { en: Words; ru: Words } = (await import(new URL(name, CATALOGUE_DIR).href)).default
    walk(catalogue.en, catalogue.ru)
  }
  return [...new Set(found)]
}

const ENGLISH = await englishOnlyLabels()

if (!existsSync(CHROMIUM)) {
  t.plan(0, `chromium not found at ${CHROMIUM}: install the chromium package (bash .ci/run does) or set CHROMIUM_PATH`)
} else {
  const chrome = chromiumFor(t)

  /** A page in a browser that prefers English: only the agent's setting makes it Russian. */
  async function openPage(t: Test) {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Moscow' })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const errors = scriptErrors(page)
    return { page, errors }
  }

  /** Anna's page signed in with her language set to Russian; it loads again to speak it. */
  async function annaInRussian(t: Test, url: string) {
    const token = await agentToken(url, 'a-anna')
    const headers = { authorization: `Bearer ${token}` }
    const set = await request(`${url}/v1/me/language`, { method: 'PUT', headers, body: { language: 'ru' } })
    t.equal(set.status, 200, 'her language is Russian')
    const { page, errors } = await openPage(t)
    await page.goto(`${url}/agent`)
    await page.getByLabel('Agent token').fill(token)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('html[lang="ru"] #connection[data-state="live"]').waitFor()
    return { page, errors, headers }
  }

  /** Everything a person reads or hears on the page: its text, the tab's title, and the names and hints in attributes. */
  async function wordsOnPage(page: Page): Promise<string> {
    return page.evaluate(() => {
      const attributes = ['aria-label', 'title', 'placeholder', 'alt']
      // What is not rendered is neither seen nor heard (a screen reader skips it too).
      const named = [...document.querySelectorAll('*')].filter((e) => e.checkVisibility()).flatMap((e) => attributes.map((a) => e.getAttribute(a)).filter((v): v is string => !!v))
      return [document.title, document.body.innerText, ...named].join('\n')
    })
  }

  /**
   * In `text` without the strings of `data` (names, teams, task titles… as the server has them):
   * the catalogues' English labels found, and the words in Latin letters left.
   */
  function englishIn(text: string, data: string[]): { labels: string[]; words: string[] } {
    let rest = text
    for (const d of [...data].filter(Boolean).sort((x, y) => y.length - x.length)) rest = rest.split(d).join(' ')
    const labels = ENGLISH.filter((label) => new RegExp(`(^|[^A-Za-z])${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z])`).test(rest))
    const words = [...new Set(rest.match(/[A-Za-z]+/g) ?? [])]
    return { labels, words }
  }

  /**
   * The data the page shows as the CRM has it: her name and team, her tasks (title, customer),
   * and the colleagues and open tasks the notices quote (a colleague's overdue task, say).
   */
  async function dataOf(url: string, headers: Record<string, string>): Promise<string[]> {
    const me = (await request(`${url}/v1/me`, { headers })).body
    const mine: { title: string; kind: string; customer?: { name: string } | null }[] = (await request(`${url}/v1/me/tasks`, { headers })).body.tasks
    const agents: { name: string }[] = (await request(`${url}/v1/agents`)).body
    const open: { title: string }[] = (await request(`${url}/v1/tasks?status=open&limit=1000`)).body.tasks
    return [me.name, me.team, ...mine.flatMap((x) => [x.title, x.customer?.name ?? '']), ...agents.map((a) => a.name), ...open.map((x) => x.title)]
  }

  async function screenshot(page: Page, name: string) {
    await mkdir(SCREENSHOT_DIR, { recursive: true })
    await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true })
  }

  t.test('with her language set to Russian, the signed-in page and the sign-in form have no English word', async (t) => {
    t.ok(ENGLISH.length > 100 && ENGLISH.includes('Agent token') && ENGLISH.includes('Wrap-up done'), `the English labels to look for (${ENGLISH.length})`)
    const { url } = await testDemoApp(t)
    const { page, errors, headers } = await annaInRussian(t, url)
    t.equal(await page.locator('html').getAttribute('lang'), 'ru', '<html lang> follows the language')
    t.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Рабочее место оператора')
    t.equal(await page.title(), 'Рабочее место оператора')
    t.equal(await page.locator('#connection').textContent(), 'На связи')
    t.equal(await page.locator('#state-now').textContent(), 'Свободен')
    const stateButtons = page.getByRole('group', { name: /^Мой статус:/ }).getByRole('button')
    t.same(await stateButtons.allTextContents(), ['Свободен', 'Отошёл', 'Поствызов', 'Не в сети'], 'the state buttons')
    t.ok(await page.getByRole('button', { name: 'Свободен', pressed: true }).isVisible(), 'her state is pressed')
    t.ok(await page.getByRole('button', { name: 'Выйти', exact: true }).isVisible())
    t.ok(await page.getByRole('heading', { name: 'Мои открытые задачи' }).isVisible())
    t.ok(await page.getByRole('heading', { name: 'Недавние звонки' }).isVisible())
    t.equal(await page.locator('#recent-empty').textContent(), 'Пока нет.')
    t.match(await page.locator('#card-slot .empty').textContent(), /^Звонков пока нет/)
    await page.locator('#task-list li').first().waitFor()

    const data = await dataOf(url, headers)
    const signedIn = englishIn(await wordsOnPage(page), data)
    t.same(signedIn.labels, [], 'no English label of the catalogues on the signed-in page')
    t.same(signedIn.words, [], 'no word in Latin letters but those of the data')
    await screenshot(page, 'agent-page-ru')

    // Signed out, the tab keeps her language: the sign-in form is Russian too.
    await page.getByRole('button', { name: 'Выйти' }).click()
    await page.getByRole('heading', { name: 'Вход' }).waitFor()
    t.ok(await page.getByLabel('Токен оператора').isVisible(), 'the token field is named in Russian')
    t.ok(await page.getByRole('button', { name: 'Войти' }).isVisible())
    t.equal(await page.locator('#connection').textContent(), 'Нет подключения')
    t.equal(await page.locator('html').getAttribute('lang'), 'ru')
    await page.getByRole('button', { name: 'Войти' }).click()
    await page.getByRole('alert').filter({ hasText: 'Введите токен оператора.' }).waitFor()
    const signInForm = englishIn(await wordsOnPage(page), [])
    t.same(signInForm.labels, [], 'no English label on the sign-in form')
    t.same(signInForm.words, [], 'no Latin word at all on the sign-in form')
    await screenshot(page, 'agent-page-sign-in-ru')
    t.same(errors, [], 'no script errors')
  })

  t.test('a browser that prefers Russian shows the sign-in form in Russian before anyone signs in', async (t) => {
    const { url } = await testDemoApp(t)
    const context = await chrome.browser.newContext({ locale: 'ru-RU', timezoneId: 'Europe/Moscow' })
    t.teardown(() => context.close())
    const page = await context.newPage()
    await page.goto(`${url}/agent`)
    await page.getByLabel('Токен оператора').waitFor()
    t.equal(await page.locator('html').getAttribute('lang'), 'ru')
    t.same(englishIn(await wordsOnPage(page), []), { labels: [], words: [] }, 'not one English word')
  })

  t.test('a call a colleague answered names the colleague on the card, not their id', async (t) => {
    const { url } = await testDemoApp(t)
    const { page, errors } = await annaInRussian(t, url)
    const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'taken-1' } })
    t.equal(routed.body.decision.targets[0].agentId, 'a-anna')
    const card = page.locator('#current article.card')
    await card.getByRole('heading', { name: 'Ivan Petrov' }).waitFor()

    // Anna lets it ring out; the next agent the rules chose takes it.
    const next = await request(`${url}/v1/interactions/taken-1/no-answer`, { method: 'POST', body: { agentId: 'a-anna' } })
    const colleague = next.body.decision.targets.find((x: { agentId: string }) => x.agentId !== 'a-anna').agentId as string
    const answered = await request(`${url}/v1/interactions/taken-1/answered`, { method: 'POST', body: { agentId: colleague } })
    t.equal(answered.status, 200, `${colleague} answers`)
    const name = (await request(`${url}/v1/agents/${colleague}`)).body.name as string
    t.ok(name && name !== colleague, `${colleague} has a name (${name})`)

    await card.locator('.call-status', { hasText: `Ответил(а) ${name}` }).waitFor()
    t.notMatch(await card.locator('.call-status').textContent(), colleague, 'not the id')
    await screenshot(page, 'agent-page-taken-ru')
    t.same(errors, [], 'no script errors')
  })
}
