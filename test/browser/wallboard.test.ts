import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { chromium, type Browser } from 'playwright-core'
import t, { type Test } from 'tap'
import { request, testDemoApp } from '../helpers/test-app.js'

// The supervisor's wallboard in a real browser against a real server on real PostgreSQL.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SCREENSHOT_DIR = new URL('../../.tap/screenshots/', import.meta.url).pathname
const NEW_CALLER = '+79990001122'
const SPRING_LINE = '+74951234567'

async function supervisorToken(url: string, id: string, name: string, teams: string[]): Promise<string> {
  await request(`${url}/v1/supervisors`, { method: 'POST', body: { id, name, teams } })
  return (await request(`${url}/v1/supervisors/${id}/token`, { method: 'POST' })).body.token
}

if (!existsSync(CHROMIUM)) {
  t.plan(0, `chromium not found at ${CHROMIUM}: install the chromium package or set CHROMIUM_PATH`)
} else {
  let browser: Browser
  t.before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    })
  })
  t.teardown(() => browser?.close())

  async function openBoard(t: Test, url: string, token: string, options: { locale?: string; query?: string } = {}) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: options.locale ?? 'en-GB', timezoneId: 'Europe/Moscow' })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
    await page.goto(`${url}/wallboard${options.query ?? ''}`)
    await page.locator('#token').fill(token)
    await page.locator('#sign-in-form button[type="submit"]').click()
    await page.locator('#connection[data-state="live"]').waitFor()
    return { page, errors }
  }

  t.test('a call arrives, waits, is answered and ends on the board, and agents go away from it', async (t) => {
    const { url } = await testDemoApp(t)
    const { page, errors } = await openBoard(t, url, await supervisorToken(url, 'lead-sales', 'Olga Lead', ['sales']))
    t.match(await page.locator('#viewer').textContent(), /Olga Lead — teams sales/)
    await page.locator('tr[data-agent="a-boris"]').waitFor()
    t.equal(await page.locator('tr[data-agent="a-anna"]').count(), 0, 'a VIP desk agent is not on the sales board')

    // Both sales agents set away from the board: the next new caller has to wait.
    for (const id of ['a-boris', 'a-dmitri']) {
      await page.locator(`tr[data-agent="${id}"] button[data-set="away"]`).click()
      await page.locator(`tr[data-agent="${id}"] .state[data-state="away"]`).waitFor()
    }
    t.match(await page.locator('tr[data-agent="a-boris"]').textContent(), /set by Olga Lead/)

    const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: NEW_CALLER, dialed: SPRING_LINE, callId: 'board-1' } })
    t.equal(routed.status, 202, 'nobody free: the call waits in the sales queue')
    await page.locator('tr[data-call="board-1"][data-phase="waiting"]').waitFor()
    t.equal(await page.locator('tr[data-queue="sales"] [data-cell="waiting"]').textContent(), '1')
    await mkdir(SCREENSHOT_DIR, { recursive: true })
    await page.screenshot({ path: `${SCREENSHOT_DIR}wallboard-waiting.png`, fullPage: true })

    await request(`${url}/v1/agents/a-boris/state`, { method: 'PUT', body: { state: 'available' } })
    await page.locator('tr[data-call="board-1"][data-phase="ringing"]').waitFor()
    await request(`${url}/v1/interactions/board-1/answered`, { method: 'POST', body: { agentId: 'a-boris' } })
    await page.locator('tr[data-call="board-1"][data-phase="talking"]').waitFor()
    t.match(await page.locator('tr[data-call="board-1"]').textContent(), /Boris Kuznetsov/)
    await page.screenshot({ path: `${SCREENSHOT_DIR}wallboard-talking.png`, fullPage: true })

    await request(`${url}/v1/interactions/board-1/ended`, { method: 'POST' })
    await page.locator('tr[data-call="board-1"]').waitFor({ state: 'detached' })
    await page.locator('tr[data-queue="sales"] [data-cell="answered"]', { hasText: '1' }).waitFor()
    t.equal(await page.locator('tr[data-queue="sales"] [data-cell="waiting"]').textContent(), '0')
    t.same(errors, [])
  })

  t.test('a supervisor of the VIP desk sees neither the sales agents nor their calls', async (t) => {
    const { url } = await testDemoApp(t)
    const { page, errors } = await openBoard(t, url, await supervisorToken(url, 'lead-vip', 'Vera Lead', ['vip-desk']))
    await page.locator('tr[data-agent="a-anna"]').waitFor()
    await request(`${url}/v1/route`, { method: 'POST', body: { caller: NEW_CALLER, dialed: SPRING_LINE, callId: 'board-2' } })
    // Their own agent's change arrives after the sales call: by then the call would have shown.
    await request(`${url}/v1/agents/a-anna/state`, { method: 'PUT', body: { state: 'away' } })
    await page.locator('tr[data-agent="a-anna"] .state[data-state="away"]').waitFor()
    t.equal(await page.locator('tr[data-agent="a-boris"]').count(), 0)
    t.equal(await page.locator('tr[data-call="board-2"]').count(), 0)
    await page.screenshot({ path: `${SCREENSHOT_DIR}wallboard-vip-desk.png`, fullPage: true })
    t.same(errors, [])
  })

  t.test('the board in Russian', async (t) => {
    const { url } = await testDemoApp(t)
    const token = await supervisorToken(url, 'lead-sales', 'Ольга', ['sales'])
    const { page, errors } = await openBoard(t, url, token, { query: '?lang=ru' })
    t.equal(await page.locator('#queues-heading').textContent(), 'Очереди')
    t.equal(await page.locator('#agents-heading').textContent(), 'Операторы')
    t.equal(await page.locator('html').getAttribute('lang'), 'ru')
    await page.locator('tr[data-agent="a-boris"] .state', { hasText: 'Свободен' }).waitFor()
    t.match(await page.locator('#connection').textContent(), /В эфире/)
    await page.screenshot({ path: `${SCREENSHOT_DIR}wallboard-ru.png`, fullPage: true })
    t.same(errors, [])
  })

  t.test("the board's search finds a past call and draws its timeline", async (t) => {
    const { url } = await testDemoApp(t)
    const { page, errors } = await openBoard(t, url, await supervisorToken(url, 'lead-sales', 'Olga Lead', ['sales']))
    const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: NEW_CALLER, dialed: SPRING_LINE, callId: 'board-3' } })
    const agentId = routed.body.decision.targets[0].agentId
    await request(`${url}/v1/interactions/board-3/answered`, { method: 'POST', body: { agentId } })
    await request(`${url}/v1/interactions/board-3/ended`, { method: 'POST' })
    await page.locator('#search-caller').fill('8 999 000-11-22')
    let found = false
    for (let i = 0; i < 30 && !found; i++) {
      await page.locator('#search-form button[type="submit"]').click()
      found = await page.locator('tr[data-result="board-3"]').waitFor({ timeout: 500 }).then(() => true, () => false)
    }
    t.ok(found, 'the call is found by its number written another way')
    await page.locator('[data-story="board-3"]').click()
    await page.locator('#timeline:not([hidden]) [data-event="answered"]').waitFor()
    t.match(await page.locator('#timeline-summary').textContent(), /new callers/)
    await page.screenshot({ path: `${SCREENSHOT_DIR}wallboard-timeline.png`, fullPage: true })
    t.same(errors, [])
  })
}
