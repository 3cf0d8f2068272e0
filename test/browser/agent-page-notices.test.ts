import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { type Page } from 'playwright-core'
import { CHROMIUM, chromiumFor, scriptErrors } from '../helpers/chromium.js'
import t, { type Test } from 'tap'
import type { App } from '../../src/app.js'
import type { ScreenPopEvent } from '../../src/screenpop/card-events.js'
import { agentToken, MONDAY_11_MSK, request, testDemoApp } from '../helpers/test-app.js'
import { eventsOf } from '../workflows/workflow-fixture.js'

// The notices beside the card in a real browser against a real server on real
// PostgreSQL: an escalation names the assignee and says how late in words, in
// English and in Russian; the same notice twice shows once; and a flood of
// notices stays in its own scrolling box, below the fold of nothing.
// CI installs Debian's chromium (.ci/run); without it this file says so and skips.

const SCREENSHOT_DIR = new URL('../../.tap/screenshots/', import.meta.url).pathname
const IVAN = '+79161234567'
const SPRING_LINE = '+74951234567'
const VIEWPORT = { width: 1280, height: 900 }
const DAY = 86_400_000
const LATE_TASK = 'Send Ivan the corrected invoice'

if (!existsSync(CHROMIUM)) {
  t.plan(0, `chromium not found at ${CHROMIUM}: install the chromium package (bash .ci/run does) or set CHROMIUM_PATH`)
} else {
  const chrome = chromiumFor(t)

  /** The agent's page signed in and live; `errors` collects script errors. */
  async function signedIn(t: Test, url: string, agentId: string, token?: string) {
    token ??= await agentToken(url, agentId)
    const context = await chrome.browser.newContext({ viewport: VIEWPORT, locale: 'en-GB', timezoneId: 'Europe/Moscow' })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const errors = scriptErrors(page)
    await page.goto(`${url}/agent`)
    await page.getByLabel('Agent token').fill(token)
    await page.keyboard.press('Enter')
    await page.locator('#connection[data-state="live"]').waitFor()
    return { page, errors }
  }

  /**
   * A task of Dmitri's (sales, led by Boris) 55 days overdue, then the reminder
   * scheduler's poll: Boris is told of it as his team's lead. Two polls, in case
   * the first joins one already running.
   */
  async function escalateLateTask(app: App): Promise<number> {
    const task = await app.database.db
      .insertInto('tasks')
      .values({ kind: 'callback', title: LATE_TASK, assignee_agent_id: 'a-dmitri', due_at: new Date(MONDAY_11_MSK - 55 * DAY) })
      .returning('id')
      .executeTakeFirstOrThrow()
    await app.workflows.reminders.tick()
    await app.workflows.reminders.tick()
    return Number(task.id)
  }

  const notice = (page: Page, text: string | RegExp) => page.locator('#notice-list li', { hasText: text })

  /** The viewport as the agent sees it, scrolled to the notices. */
  async function screenshot(page: Page, name: string) {
    await page.locator('#notices-heading').scrollIntoViewIfNeeded()
    await mkdir(SCREENSHOT_DIR, { recursive: true })
    await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png` })
  }

  t.test("an escalation names the assignee and says in words how long the task is overdue", async (t) => {
    const { url, app } = await testDemoApp(t)
    const { page, errors } = await signedIn(t, url, 'a-boris')
    const taskId = await escalateLateTask(app)

    const sent = eventsOf(app, 'a-boris').find((e) => e.type === 'reminder' && e.task.id === taskId)
    t.match(sent, { escalated: true, overdueMinutes: 55 * 24 * 60, assigneeName: 'Dmitri Sokolov', task: { assigneeAgentId: 'a-dmitri' } }, 'the event carries the name and keeps the id')

    const item = notice(page, LATE_TASK)
    await item.waitFor()
    t.equal(await item.textContent(), `55 days overdue (assigned to Dmitri Sokolov): ${LATE_TASK}`)
    const group = page.locator('#notice-list details[data-group="due"]')
    t.match(await group.locator('summary').textContent(), /^Tasks due and overdue \d+/, 'in the group of tasks due, with its count')
    t.equal(await page.locator('#notices-heading').textContent(), 'Notices')
    await screenshot(page, 'agent-page-notices')
    t.same(errors, [], 'no script errors')
  })

  t.test('with their language set to Russian, the escalation is said in Russian', async (t) => {
    const { url, app } = await testDemoApp(t)
    const token = await agentToken(url, 'a-boris')
    const set = await request(`${url}/v1/me/language`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: { language: 'ru' } })
    t.equal(set.status, 200)
    const { page, errors } = await signedIn(t, url, 'a-boris', token)
    t.equal(await page.locator('html').getAttribute('lang'), 'ru')
    await escalateLateTask(app)

    const item = notice(page, LATE_TASK)
    await item.waitFor()
    t.equal(await item.textContent(), `Просрочено на 55 дней (исполнитель: Dmitri Sokolov): ${LATE_TASK}`)
    t.match(await page.locator('#notice-list details[data-group="due"] summary').textContent(), /^Сроки задач \d+/)
    t.equal(await page.locator('#notices-heading').textContent(), 'Уведомления')
    await screenshot(page, 'agent-page-notices-ru')
    t.same(errors, [], 'no script errors')
  })

  t.test('the same escalation sent twice shows once, and once again after a reload', async (t) => {
    const { url, app } = await testDemoApp(t)
    const { page, errors } = await signedIn(t, url, 'a-boris')
    const taskId = await escalateLateTask(app)
    await notice(page, LATE_TASK).waitFor()

    const { seq: _seq, id: _id, at: _at, ...escalation } = eventsOf(app, 'a-boris').find((e) => e.type === 'reminder' && e.task.id === taskId)
    app.workflows.notify('a-boris', escalation as ScreenPopEvent)
    // A notice after it: once it shows, the page has had the second copy too.
    app.workflows.notify('a-boris', { type: 'task', callId: null, why: 'assigned', task: { ...escalation.task, id: taskId + 1000, title: 'A marker task' } })
    await notice(page, 'A marker task').waitFor()
    t.equal(await notice(page, LATE_TASK).count(), 1, 'one notice of the escalation')
    t.equal(await page.locator('#notice-list details[data-group="due"] li').first().textContent(), `55 days overdue (assigned to Dmitri Sokolov): ${LATE_TASK}`, 'and it is the newest of its group')

    // The page replays every kept event after a reload: both copies come again.
    await page.reload()
    await page.locator('#connection[data-state="live"]').waitFor()
    await notice(page, 'A marker task').waitFor()
    t.equal(await notice(page, LATE_TASK).count(), 1, 'still one after a reload')
    t.same(errors, [], 'no script errors')
  })

  t.test('with 200 notices the current card stays above the fold', async (t) => {
    const { url, app } = await testDemoApp(t)
    const { page, errors } = await signedIn(t, url, 'a-anna')
    const task = { kind: 'callback', dueAt: new Date(MONDAY_11_MSK - DAY).toISOString(), status: 'open' as const, customerId: null, leadId: null, attempts: 1, callId: null }
    for (let i = 0; i < 100; i++) {
      const overdue = { ...task, id: 50_000 + i, title: `Overdue call-back ${i}`, assigneeAgentId: 'a-clara' }
      app.workflows.notify('a-anna', { type: 'reminder', callId: null, task: overdue, escalated: true, overdueMinutes: 90 + i * 60, assigneeName: 'Clara Jensen' })
    }
    for (let i = 0; i < 50; i++) app.workflows.notify('a-anna', { type: 'task', callId: null, why: 'missed-call', task: { ...task, id: 60_000 + i, title: `Call back caller ${i}`, assigneeAgentId: 'a-anna' } })
    for (let i = 0; i < 50; i++) {
      const lead = { id: 70_000 + i, source: 'yandex-direct', campaign: `campaign-${i}`, line: SPRING_LINE, agentId: 'a-anna', status: 'new', since: new Date(MONDAY_11_MSK).toISOString() }
      app.workflows.notify('a-anna', { type: 'lead', callId: `lead-${i}`, lead, isNew: true })
    }
    await notice(page, 'campaign-49').waitFor()
    t.equal(await page.locator('#notice-list li').count(), 200, 'all 200 are listed')
    for (const [group, count] of [['due', 100], ['task', 50], ['lead', 50]] as const) {
      t.match(await page.locator(`#notice-list details[data-group="${group}"] summary`).textContent(), new RegExp(` ${count}\\b`), `${group}: ${count}`)
    }

    const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller: IVAN, dialed: SPRING_LINE, callId: 'above-the-fold' } })
    t.equal(routed.body.decision.targets[0].agentId, 'a-anna')
    const card = page.locator('#current article.card')
    await card.getByRole('heading', { name: 'Ivan Petrov' }).waitFor()
    // Measured once the card is shown: a re-render between two locator calls must not read as "not shown".
    await card.waitFor({ state: 'visible' })
    const box = await card.evaluate((element) => {
      const rect = element.getBoundingClientRect()
      return { y: rect.y, height: rect.height }
    })
    t.ok(box.height > 0 && box.y >= 0 && box.y + box.height <= VIEWPORT.height, `the card is within the viewport (${JSON.stringify(box)})`)
    const notices = await page.locator('#notice-list').boundingBox()
    t.ok(notices && notices.height <= VIEWPORT.height / 2, `the notices keep to a box of their own (${notices?.height} px high)`)
    const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight)
    t.ok(pageHeight <= 2 * VIEWPORT.height, `the page does not grow with them (${pageHeight} px high)`)
    await mkdir(SCREENSHOT_DIR, { recursive: true })
    await page.screenshot({ path: `${SCREENSHOT_DIR}agent-page-notices-200.png` })

    // A group folds away and opens again from the keyboard.
    const leads = page.locator('#notice-list details[data-group="lead"]')
    await leads.locator('summary').focus()
    await page.keyboard.press('Enter')
    t.equal(await leads.getAttribute('open'), null, 'folded')
    t.notOk(await notice(page, 'campaign-49').isVisible())
    await page.keyboard.press('Enter')
    t.equal(await leads.getAttribute('open'), '', 'open again')
    t.same(errors, [], 'no script errors')
  })
}
