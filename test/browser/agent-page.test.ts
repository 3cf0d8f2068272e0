import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { CHROMIUM, chromiumFor, scriptErrors } from '../helpers/chromium.js'
import t from 'tap'
import { agentToken, MONDAY_11_MSK, request, testApp, testDemoApp } from '../helpers/test-app.js'

// The agent's page in a real browser against a real server on real PostgreSQL.
// CI installs Debian's chromium (.ci/run); without it this file says so and skips.

const SCREENSHOT_DIR = new URL('../../.tap/screenshots/', import.meta.url).pathname
const IVAN = '+79161234567'
const SPRING_LINE = '+74951234567'
const OLGA = '+79031112233'

if (!existsSync(CHROMIUM)) {
  t.plan(0, `chromium not found at ${CHROMIUM}: install the chromium package (bash .ci/run does) or set CHROMIUM_PATH`)
} else {
  const chrome = chromiumFor(t)

  async function openPage(t: Parameters<typeof testApp>[0]) {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Moscow' })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const errors = scriptErrors(page)
    return { page, errors }
  }

  t.test('an agent signs in, sees the card of the call routed to them, and sets their state', async (t) => {
    const { url } = await testDemoApp(t)
    const token = await agentToken(url, 'a-anna')
    const { page, errors } = await openPage(t)

    await page.goto(`${url}/agent`)
    await page.getByLabel('Agent token').fill(token)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('Anna Volkova').waitFor()
    await page.locator('#connection[data-state="live"]').waitFor()
    t.equal(await page.locator('#state-now').textContent(), 'Available')
    t.equal(await page.getByRole('button', { name: 'Available' }).getAttribute('aria-pressed'), 'true')
    t.ok(await page.locator('#task-list li').count() > 0, 'her open tasks are listed')

    const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'browser-1' } })
    t.equal(routed.body.decision.targets[0].agentId, 'a-anna')

    const card = page.locator('#current article.card')
    await card.getByRole('heading', { name: 'Ivan Petrov' }).waitFor()
    t.equal(await page.locator('#current').getAttribute('aria-live'), 'polite')
    t.match(await card.locator('.reason').textContent(), /your customer/)
    t.match(await card.locator('.call-status').textContent(), /Ringing/)
    const deals = card.getByRole('region', { name: 'Open deals' })
    t.match(await deals.textContent(), /agreement/, 'the open deal with its stage')
    t.match(await card.locator('.facts').textContent(), /Stroyinvest Group/)
    t.match(await card.locator('.facts').textContent(), /VIP/)
    t.match(await card.locator('.facts').textContent(), /Anna Volkova/, 'the owner')
    t.ok(await card.getByRole('region', { name: 'Last calls' }).locator('li').count() > 0, 'the last calls')
    await page.locator('#state-now[data-status="ringing"]').waitFor()

    await request(`${url}/v1/interactions/browser-1/answered`, { method: 'POST', body: { agentId: 'a-anna' } })
    await card.locator('.call-status', { hasText: 'You answered' }).waitFor()
    await page.locator('#state-now[data-status="busy"]').waitFor()

    await mkdir(SCREENSHOT_DIR, { recursive: true })
    await page.screenshot({ path: `${SCREENSHOT_DIR}agent-page.png`, fullPage: true })

    await request(`${url}/v1/interactions/browser-1/ended`, { method: 'POST' })
    await card.locator('.call-status', { hasText: 'Call ended' }).waitFor()
    await page.locator('#state-now[data-status="wrap-up"]').waitFor()
    t.equal(await page.locator('[data-state="available"]').textContent(), 'Wrap-up done', 'in wrap-up the button ends it')

    await page.getByRole('button', { name: 'Away' }).click()
    await page.locator('#state-now[data-status="away"]').waitFor()
    t.equal(await page.getByRole('button', { name: 'Away' }).getAttribute('aria-pressed'), 'true')
    const state = await request(`${url}/v1/agents/a-anna/state`)
    t.equal(state.body.status, 'away')

    t.same(errors, [], 'no script errors')
  })

  async function signedIn(t: Parameters<typeof testApp>[0], url: string, agentId: string) {
    const token = await agentToken(url, agentId)
    const opened = await openPage(t)
    await opened.page.goto(`${url}/agent`)
    await opened.page.getByLabel('Agent token').fill(token)
    await opened.page.keyboard.press('Enter')
    await opened.page.locator('#connection[data-state="live"]').waitFor()
    return opened
  }

  t.test('the page reconnects after a drop and gets what it missed', async (t) => {
    const { url, app } = await testDemoApp(t)
    const { page, errors } = await signedIn(t, url, 'a-anna')

    await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'first' } })
    const current = page.locator('#current')
    await current.getByRole('heading', { name: 'Ivan Petrov' }).waitFor()

    // Cut the connection from the server's side, then let things happen while the page is away.
    for (const client of app.server.websocketServer.clients) client.terminate()
    await page.locator('#connection[data-state="lost"]').waitFor()
    await request(`${url}/v1/interactions/first/no-answer`, { method: 'POST', body: { agentId: 'a-anna' } })
    await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'second' } })

    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 5000 })
    await current.locator('.call-status', { hasText: 'Ringing' }).waitFor()
    const recent = page.locator('#recent-list li')
    await recent.first().waitFor()
    t.equal(await recent.count(), 1, 'the earlier call moves down')
    t.match(await recent.first().textContent(), /Ivan Petrov/)
    t.match(await recent.first().textContent(), /Missed — not answered in time/, 'with what became of it while the page was away')

    // Keyboard: the earlier card can be brought back on top.
    await recent.first().getByRole('button').focus()
    await page.keyboard.press('Enter')
    await current.locator('.call-status', { hasText: 'Missed' }).waitFor()
    t.match(await page.locator('#recent-list li').first().textContent(), /Ringing/)
    t.same(errors, [], 'no script errors')
  })

  t.test('a new caller pops as a lead from the campaign, on a seller\'s page', async (t) => {
    const { url } = await testDemoApp(t)
    const { page, errors } = await signedIn(t, url, 'a-boris')
    const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: '+79160001122', dialed: SPRING_LINE, callId: 'lead-1' } })
    t.equal(routed.body.decision.targets[0].agentId, 'a-boris')
    const card = page.locator('#current article.card')
    await card.getByRole('heading', { name: 'new lead from spring-crm' }).waitFor()
    t.match(await card.locator('.facts').textContent(), /yandex-direct/)
    t.match(await card.locator('.reason').textContent(), new RegExp(routed.body.decision.targets[0].reason))
    t.same(errors, [], 'no script errors')
  })

  t.test('a caller with overdue payments: the debt is the first thing on the card', async (t) => {
    const { url, app } = await testDemoApp(t)
    // Overdue callers go to collections: with Galina away, to Elena.
    app.agents.setAgentState('a-galina', 'away', MONDAY_11_MSK)
    const { page, errors } = await signedIn(t, url, 'a-elena')
    const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: OLGA, dialed: SPRING_LINE, callId: 'debt-1' } })
    t.equal(routed.body.decision.targets[0].agentId, 'a-elena')
    const card = page.locator('#current article.card')
    await card.getByRole('heading', { name: 'Olga Smirnova' }).waitFor()
    const overdue = card.getByRole('note', { name: 'Overdue payments' })
    t.match(await overdue.textContent(), /Overdue: .*45 days/)
    await mkdir(SCREENSHOT_DIR, { recursive: true })
    await page.screenshot({ path: `${SCREENSHOT_DIR}agent-page-overdue.png`, fullPage: true })
    t.same(errors, [], 'no script errors')
  })

  t.test('a wrong token is refused on the sign-in form', async (t) => {
    const { url } = await testDemoApp(t)
    const { page } = await openPage(t)
    await page.goto(`${url}/agent`)
    await page.getByLabel('Agent token').fill('not-a-token')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'token' }).waitFor()
    t.ok(await page.locator('#desk').isHidden(), 'the desk stays hidden')
  })
}
