import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { CHROMIUM, chromiumFor, scriptErrors } from '../helpers/chromium.js'
import { agentToken, request } from '../helpers/test-app.js'
import { chatApp, setState } from '../chat/chat-fixture.js'

// A visitor on a company's site (its own origin, embedding the widget) and the agent on /agent,
// in two browser contexts of a real Chromium, against a whole server on real PostgreSQL.
// CI installs Debian's chromium (.ci/run); without it this file says so and skips.

const SCREENSHOT_DIR = new URL('../../.tap/screenshots/', import.meta.url).pathname
const OLGA_PHONE = '+79031112233'
const IVAN_PHONE = '+79161234567'

/** The company's site: any path is a page embedding the widget of `serverUrl`; `?lang=` sets the page's language. */
async function companySite(t: Test, serverUrl: () => string): Promise<string> {
  const site: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site')
    const lang = url.searchParams.get('lang') ?? 'en'
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Spring ${url.pathname}</title></head>
<body><h1>Spring Software ${url.pathname}</h1><script src="${serverUrl()}/widget.js" data-site="demo"></script></body></html>`)
  })
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => site.close(() => resolve())))
  return `http://127.0.0.1:${(site.address() as AddressInfo).port}`
}

if (!existsSync(CHROMIUM)) {
  t.plan(0, `chromium not found at ${CHROMIUM}: install the chromium package (bash .ci/run does) or set CHROMIUM_PATH`)
} else {
  const chrome = chromiumFor(t)

  async function world(t: Test, edit?: (yaml: string) => string) {
    let serverUrl = ''
    const site = await companySite(t, () => serverUrl)
    const server = await chatApp(t, { origins: [site], ...(edit ? { edit } : {}) })
    serverUrl = server.url
    return { ...server, site }
  }

  async function visitor(t: Test, locale = 'en-GB') {
    const context = await chrome.browser.newContext({ viewport: { width: 1000, height: 800 }, locale })
    t.teardown(() => context.close())
    const page = await context.newPage()
    return { page, errors: scriptErrors(page), context }
  }

  async function agentPage(t: Test, url: string, agentId: string) {
    const token = await agentToken(url, agentId)
    const context = await chrome.browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'en-GB' })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const errors = scriptErrors(page)
    await page.goto(`${url}/agent`)
    await page.getByLabel(/Agent token|Токен/).fill(token)
    await page.keyboard.press('Enter')
    await page.locator('#connection[data-state="live"]').waitFor()
    return { page, errors }
  }

  async function shot(page: Page, name: string) {
    await mkdir(SCREENSHOT_DIR, { recursive: true })
    await page.screenshot({ path: `${SCREENSHOT_DIR}web-chat-${name}.png`, fullPage: true })
  }

  /** On a CRM page, the visitor asks to be called back at `phone`: from then on they are known by it. */
  async function askCallBack(page: Page, site: string, phone: string) {
    await page.goto(`${site}/demo/site/crm`)
    await page.locator('[data-cti-chat] button.launcher').click()
    await page.getByRole('button', { name: 'Call me back' }).first().click()
    await page.getByRole('textbox', { name: 'Phone' }).fill(phone)
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    await page.getByText(`Thank you! We will call you at`).waitFor()
  }

  const panel = (page: Page) => page.getByRole('dialog', { name: /Chat with an expert|Чат/ })

  t.test('a first visitor who read three CRM pages is offered a chat, reaches the CRM expert and gets a product card', async (t) => {
    const { url, site, app } = await world(t)
    const anna = await agentPage(t, url, 'a-anna')
    const { page, errors } = await visitor(t)
    // Each page's view is counted before the next page opens (a page left at once may not report it).
    for (const path of ['/demo/site', '/demo/site/crm', '/demo/site/crm/features']) await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/chat/views')), page.goto(`${site}${path}`)])
    await panel(page).waitFor()
    await page.getByText('Anna Volkova, our expert, can answer your questions now.').waitFor()
    await page.getByRole('button', { name: 'Start a chat' }).click()
    await page.getByText('You are chatting with Anna Volkova.').waitFor()
    await page.getByLabel('Your message').fill('Hello, <i>is</i> there a trial?')
    await page.keyboard.press('Enter')

    const tab = anna.page.getByRole('tab').first()
    await tab.waitFor()
    await anna.page.getByText('Hello, <i>is</i> there a trial?').waitFor()
    t.equal(await anna.page.locator('#chats i').count(), 0, 'the text is shown as text, never as HTML')
    await anna.page.getByRole('button', { name: 'Send “Spring CRM”' }).click()
    await page.getByText('CRM for sales teams, from 1 200 ₽ a user a month').waitFor()
    // The unknown visitor became a lead: her panel says so without a reload.
    await anna.page.locator('#chats').getByText('Lead', { exact: true }).waitFor()
    t.equal(await page.locator('[data-cti-chat] i').count(), 0)
    await shot(page, 'visitor-card')
    await shot(anna.page, 'agent-chat')

    // The chat is in the lead's history: the visitor became a lead of Anna's.
    const db = app.database.db as any
    const chat = await db.selectFrom('chats').selectAll().where('visitor_id', 'is not', null).executeTakeFirstOrThrow()
    t.match(chat, { agent_id: 'a-anna', rule: 'first chats' })
    t.ok(chat.lead_id)
    t.same(errors, [])
    t.same(anna.errors, [])
  })

  t.test("a returning customer who gives their phone reaches their owner", async (t) => {
    const { url, site } = await world(t)
    const boris = await agentPage(t, url, 'a-boris')
    const { page } = await visitor(t)
    await askCallBack(page, site, OLGA_PHONE)
    // Now known: the next page offers a chat, and it reaches Olga's owner, Boris.
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/chat/views')), page.goto(`${site}/demo/site/analytics`)])
    await page.getByText('Boris Kuznetsov, our expert, can answer your questions now.').waitFor()
    await page.getByRole('button', { name: 'Start a chat' }).click()
    await page.getByText('You are chatting with Boris Kuznetsov.').waitFor()
    await boris.page.getByRole('tab').first().waitFor()
    await boris.page.getByText('Olga Smirnova').first().waitFor()
    await shot(boris.page, 'owner-chat')
    // The call-back asked from the widget is Boris's task.
    const tasks = (await request(`${url}/v1/tasks?assignee=a-boris&status=open`)).body
    t.match(JSON.stringify(tasks), /Call back the site visitor \+79031112233/)
  })

  t.test('a customer who chatted on the site then calls: the card lists the chat and the pages they read', async (t) => {
    const { url, site, app } = await world(t)
    const anna = await agentPage(t, url, 'a-anna')
    const { page } = await visitor(t)
    await askCallBack(page, site, IVAN_PHONE)
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/chat/views')), page.goto(`${site}/demo/site/analytics`)])
    await page.getByRole('button', { name: 'Start a chat' }).click()
    await page.getByText('You are chatting with Anna Volkova.').waitFor()
    const db = app.database.db as any
    for (let waited = 0; !(await db.selectFrom('chats').select('id').where('agent_id', '=', 'a-anna').executeTakeFirst()); waited += 50) {
      if (waited > 10_000) throw new Error('the chat was not recorded within 10 s')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }

    const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN_PHONE, dialed: '+74951234567', callId: 'ivan-after-chat' } })
    t.equal(routed.body.decision.targets[0]?.agentId, 'a-anna', 'his call reaches his owner too')
    const card = anna.page.locator('#current article.card')
    const chats = card.getByRole('region', { name: 'Chats on the site' })
    await chats.waitFor()
    t.match(await chats.textContent(), /in progress · .*Anna Volkova/, 'the chat, with who took it')
    t.match(await card.getByRole('region', { name: 'Pages viewed on the site' }).textContent(), /Spring \/demo\/site\/analytics/, 'the pages he read, by title')
    await shot(anna.page, 'card-with-chats')
  })

  t.test('with every agent away the chat waits; a message left becomes a task for the expert', async (t) => {
    const { url, site } = await world(t)
    for (const id of ['a-anna', 'a-boris', 'a-clara', 'a-dmitri', 'a-elena', 'a-fedor', 'a-galina', 'a-igor']) await setState(url, id, 'away')
    const { page } = await visitor(t)
    await page.goto(`${site}/demo/site/crm/pricing`)
    await page.getByRole('button', { name: 'Start a chat' }).click()
    await page.getByText(/An expert will answer (in about \d+ min|shortly)\./).waitFor()
    await shot(page, 'waiting')
    await page.getByRole('button', { name: 'Leave a message' }).last().click()
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Please send me the price list')
    await page.getByRole('textbox', { name: 'E-mail' }).fill('new.buyer@example.com')
    await page.getByRole('button', { name: 'Send', exact: true }).click()
    await page.getByText('Thank you! Your message was passed on').waitFor()
    const tasks = (await request(`${url}/v1/tasks?assignee=a-anna&status=open`)).body
    t.match(JSON.stringify(tasks), /Message from the site: Please send me the price list/)
  })

  t.test('a waiting chat reaches the expert the moment she is available again', async (t) => {
    const { url, site, app } = await world(t)
    for (const id of ['a-anna', 'a-boris', 'a-clara', 'a-dmitri', 'a-elena', 'a-fedor', 'a-galina', 'a-igor']) await setState(url, id, 'away')
    const { page } = await visitor(t)
    await page.goto(`${site}/demo/site/crm/pricing`)
    await page.getByRole('button', { name: 'Start a chat' }).click()
    await page.getByText(/An expert will answer/).waitFor()
    await page.getByLabel('Your message').fill('Is anyone there?')
    await page.keyboard.press('Enter')
    const anna = await agentPage(t, url, 'a-anna')
    await setState(url, 'a-anna', 'available')
    await page.getByText('You are chatting with Anna Volkova.').waitFor()
    await anna.page.getByRole('tab').first().waitFor()
    await anna.page.getByText('Is anyone there?').waitFor()
    const db = app.database.db as any
    const chat = await db.selectFrom('chats').select(['agent_id', 'rule']).executeTakeFirstOrThrow()
    t.same(chat, { agent_id: 'a-anna', rule: 'first chats' }, 'the message sent while waiting reached her with the chat')
  })

  t.test('the widget speaks Russian on a Russian page', async (t) => {
    const { site } = await world(t)
    const { page, errors } = await visitor(t, 'ru-RU')
    await page.goto(`${site}/demo/site/crm/pricing?lang=ru`)
    await page.getByRole('button', { name: 'Начать чат' }).waitFor()
    await shot(page, 'russian')
    t.same(errors, [])
  })
}
