import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { type Page } from 'playwright-core'
import { CHROMIUM, chromiumFor, scriptErrors } from '../helpers/chromium.js'
import t, { type Test } from 'tap'
import { agentToken, request } from '../helpers/test-app.js'
import { amiTestApp, CALLERS, nthAction, SPRING_CRM_LINE, until } from '../telephony/ami/ami-harness.js'
import type { AmiStandIn } from '../telephony/ami/ami-stand-in.js'

// From the agent's page, in a real browser against a whole server connected to the AMI stand-in:
// the agent hands the call they talk on to a colleague (whose page shows who handed it over and
// why), and calls a customer back from the card or from a task, in English and in Russian.
// CI installs Debian's chromium (.ci/run); without it this file says so and skips.

const SCREENSHOT_DIR = new URL('../../.tap/screenshots/', import.meta.url).pathname

type AmiApp = Awaited<ReturnType<typeof amiTestApp>>

if (!existsSync(CHROMIUM)) {
  t.plan(0, `chromium not found at ${CHROMIUM}: install the chromium package (bash .ci/run does) or set CHROMIUM_PATH`)
} else {
  const chrome = chromiumFor(t)

  /** The agent's page signed in and live; `errors` collects script errors. */
  async function signedIn(t: Test, url: string, agentId: string) {
    const token = await agentToken(url, agentId)
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 1100 }, locale: 'en-GB', timezoneId: 'Europe/Moscow' })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const errors = scriptErrors(page)
    await page.goto(`${url}/agent`)
    await page.getByLabel(/Agent token|Токен/).fill(token)
    await page.keyboard.press('Enter')
    await page.locator('#connection[data-state="live"]').waitFor()
    return { page, errors, headers: { authorization: `Bearer ${token}` } }
  }

  /** Ivan calls the Spring line; the stand-in rings Anna (1001). Resolves once her page shows his card ringing. */
  async function ivanRingsAnna(standIn: AmiStandIn, page: Page) {
    const caller = standIn.newChannel({ callerNum: CALLERS.ivan })
    standIn.routeRequest(caller, SPRING_CRM_LINE)
    await nthAction(standIn, 'Redirect')
    const phone = standIn.dialBegin(caller, 'PJSIP/1001')
    await page.locator('#current article.card .call-status').waitFor()
    return { caller, phone, callId: caller.linkedid }
  }

  /** Ivan's call rings Anna and she answers it; resolves once her page shows it answered. */
  async function annaTalksToIvan(server: AmiApp, page: Page) {
    const call = await ivanRingsAnna(server.standIn, page)
    server.standIn.answer(call.caller, call.phone, 'PJSIP/1001')
    await until(() => server.app.agents.get('a-anna')?.state.status === 'busy')
    await page.locator('#current article.card-answered').waitFor()
    return { ...call, card: page.locator('#current article.card') }
  }

  async function ivanId(url: string): Promise<number> {
    return Number((await request(`${url}/v1/customers/by-phone/${encodeURIComponent(CALLERS.ivan)}/card`)).body.customer.id)
  }

  async function screenshot(page: Page, name: string) {
    await mkdir(SCREENSHOT_DIR, { recursive: true })
    await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true })
  }

  /** Chromium logs every answer that is not a success; those the test expects are left out. */
  const unexpected = (errors: string[], status?: number) => errors.filter((e) => status === undefined || !new RegExp(`^Failed to load resource: .* ${status}`).test(e))

  t.test("Anna hands Ivan's call to Boris with a note: his page shows who handed it over and why, and she is in wrap-up", async (t) => {
    const server = await amiTestApp(t)
    const anna = await signedIn(t, server.url, 'a-anna')
    const boris = await signedIn(t, server.url, 'a-boris')
    const { caller, phone, callId, card } = await annaTalksToIvan(server, anna.page)

    const transfer = card.getByRole('group', { name: 'Transfer the call' })
    await transfer.getByRole('button', { name: 'Transfer…' }).click()
    const colleague = transfer.getByLabel('Colleague', { exact: true })
    await colleague.locator('option', { hasText: 'Boris · free' }).waitFor({ state: 'attached' })
    t.same(await colleague.locator('optgroup').evaluateAll((groups) => groups.map((g) => g.getAttribute('label'))), ['sales', 'support'], 'colleagues grouped by team')
    t.match(await colleague.textContent(), /Fedor · free/)
    await colleague.selectOption('a-boris')
    await transfer.getByLabel('What the colleague should know').fill('wants a discount')
    await transfer.getByRole('button', { name: 'Transfer', exact: true }).click()
    await transfer.getByRole('status').filter({ hasText: 'Ringing Boris…' }).waitFor()

    const redirect = await nthAction(server.standIn, 'Redirect', 2)
    t.match(redirect.fields, { channel: caller.name, context: 'cti-transfer', exten: '1002' }, 'the caller is moved to Boris')
    const borisCard = boris.page.locator('#current article.card')
    await borisCard.locator('.transfer-story').waitFor()
    t.equal(await borisCard.locator('.card-title').textContent(), 'Ivan Petrov')
    t.equal(await borisCard.locator('.transfer-story').textContent(), 'Transferred by Anna: wants a discount', "the story at the top of Boris's card")
    await anna.page.locator('#state-now[data-status="wrap-up"]').waitFor()
    t.equal(await anna.page.locator('#state-now').textContent(), 'Wrap-up', "Anna's state line says she is in wrap-up")
    t.ok(await transfer.getByLabel('Colleague', { exact: true }).isHidden(), 'the form is done with; its answer stays')

    server.standIn.hangup(phone)
    const borisPhone = server.standIn.dialBegin(caller, 'PJSIP/1002')
    server.standIn.answer(caller, borisPhone, 'PJSIP/1002')
    await boris.page.locator('#current article.card-answered').waitFor()
    t.equal(await borisCard.locator('.transfer-story').textContent(), 'Transferred by Anna: wants a discount', 'the story stays once Boris answers')
    await screenshot(anna.page, 'agent-page-transfer-anna')
    await screenshot(boris.page, 'agent-page-transfer-boris')
    t.equal(server.app.agents.get('a-boris')?.state.status, 'busy')
    t.ok(callId)
    t.same(anna.errors, [])
    t.same(boris.errors, [])
  })

  t.test("a transfer to a colleague who is away shows the server's refusal, and the call stays on Anna's card", async (t) => {
    const server = await amiTestApp(t)
    await request(`${server.url}/v1/agents/a-boris/state`, { method: 'PUT', body: { state: 'away' } })
    const anna = await signedIn(t, server.url, 'a-anna')
    const { card } = await annaTalksToIvan(server, anna.page)
    const transfer = card.getByRole('group', { name: 'Transfer the call' })
    await transfer.getByRole('button', { name: 'Transfer…' }).click()
    const colleague = transfer.getByLabel('Colleague', { exact: true })
    await colleague.locator('option', { hasText: 'Boris · Away' }).waitFor({ state: 'attached' })
    await colleague.selectOption('a-boris')
    await transfer.getByRole('button', { name: 'Transfer', exact: true }).click()
    const status = transfer.getByRole('status').filter({ hasText: /^Not done: nobody can take the call now .*it stays with you$/ })
    await status.waitFor()
    await screenshot(anna.page, 'agent-page-transfer-refused')
    t.equal(server.standIn.actions.filter((a) => a.name === 'redirect').length, 1, 'no Redirect but the first offer')
    t.equal(server.app.agents.get('a-anna')?.state.status, 'busy', 'Anna still talks with Ivan')
    t.ok(await anna.page.locator('#current article.card-answered').isVisible(), "the call stays on Anna's card, answered")
    t.notOk(await transfer.getByRole('button', { name: 'Transfer', exact: true }).isDisabled(), 'she can try someone else')
    t.same(unexpected(anna.errors, 409), [])
  })

  t.test("Anna calls Ivan back from his card after he hung up: an Originate reaches Asterisk, her phone rings first", async (t) => {
    const server = await amiTestApp(t)
    const anna = await signedIn(t, server.url, 'a-anna')
    const { caller } = await ivanRingsAnna(server.standIn, anna.page)
    const card = anna.page.locator('#current article.card')
    t.equal(await card.getByRole('group', { name: 'Call back' }).count(), 0, 'no call-back while his call rings her')
    server.standIn.hangup(caller)
    const callBack = card.getByRole('group', { name: 'Call back' })
    await callBack.waitFor()
    await callBack.getByRole('button', { name: 'Call back' }).click()
    const originate = await nthAction(server.standIn, 'Originate')
    t.match(originate.fields, { channel: 'Local/1001@cti-agents', context: 'cti-outbound', exten: '79161234567' }, "Anna's phone first, then Ivan's number")
    t.match(originate.fields.variable, new RegExp(`CTI_CUSTOMER_ID=${await ivanId(server.url)}`))
    // The call-back rings Anna like any call: its own card comes on top; the card she called from says what she did.
    await anna.page.locator('#current article.card-ringing').waitFor()
    await screenshot(anna.page, 'agent-page-call-back-ringing')
    await anna.page.locator('#recent-list button', { hasText: 'Ivan Petrov' }).first().click()
    const status = card.getByRole('group', { name: 'Call back' }).getByRole('status')
    await status.filter({ hasText: /rings first|Not done/ }).waitFor()
    t.equal(await status.textContent(), `Your phone rings first, then ${CALLERS.ivan}.`, 'what the server answered')
    await screenshot(anna.page, 'agent-page-call-back')
    t.same(anna.errors, [])
  })

  t.test('Anna calls a customer back from a task of her list', async (t) => {
    const server = await amiTestApp(t)
    const token = await agentToken(server.url, 'a-anna')
    const title = 'Call Ivan about the invoice'
    const task = await request(`${server.url}/v1/me/tasks`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: { customerId: await ivanId(server.url), title, dueAt: '2026-11-23T12:00:00+03:00' } })
    t.equal(task.status, 201, JSON.stringify(task.body))
    const anna = await signedIn(t, server.url, 'a-anna')
    const item = anna.page.locator('#task-list li', { hasText: title })
    await item.getByRole('button', { name: 'Call back' }).click()
    await anna.page.locator('.task-status', { hasText: `Your phone rings first, then ${CALLERS.ivan}.` }).waitFor()
    const originate = await nthAction(server.standIn, 'Originate')
    t.match(originate.fields.variable, new RegExp(`CTI_TASK_ID=${task.body.id}`), 'the call names the task')
    t.ok(await item.isVisible(), 'the task stays open')
    await screenshot(anna.page, 'agent-page-task-call-back')
    t.same(anna.errors, [])
  })

  t.test('with her language set to Russian, the transfer and call-back actions speak Russian', async (t) => {
    const server = await amiTestApp(t)
    const token = await agentToken(server.url, 'a-anna')
    const headers = { authorization: `Bearer ${token}` }
    await request(`${server.url}/v1/me/language`, { method: 'PUT', headers, body: { language: 'ru' } })
    await request(`${server.url}/v1/me/tasks`, { method: 'POST', headers, body: { customerId: await ivanId(server.url), title: 'Позвонить Ивану', dueAt: '2026-11-23T12:00:00+03:00' } })
    const anna = await signedIn(t, server.url, 'a-anna')
    t.equal(await anna.page.locator('html').getAttribute('lang'), 'ru')
    const { card } = await annaTalksToIvan(server, anna.page)

    const transfer = card.getByRole('group', { name: 'Перевод звонка' })
    await transfer.getByRole('button', { name: 'Перевести…' }).click()
    const colleague = transfer.getByLabel('Коллега', { exact: true })
    await colleague.locator('option', { hasText: 'Boris · может принять' }).waitFor({ state: 'attached' })
    t.match(await transfer.getByLabel('Группа', { exact: true }).textContent(), /sales · свободно: 1/)
    t.ok(await transfer.getByLabel('Пусть выберет маршрутизация').isVisible())
    t.ok(await transfer.getByLabel('Что нужно знать коллеге').isVisible())
    await transfer.getByRole('button', { name: 'Перевести', exact: true }).click()
    await transfer.getByRole('status').filter({ hasText: 'Выберите коллегу.' }).waitFor()
    t.ok(await card.getByRole('group', { name: 'Перезвонить' }).getByRole('button', { name: 'Перезвонить' }).isVisible(), 'call back on the card')
    t.ok(await anna.page.locator('#task-list li', { hasText: 'Позвонить Ивану' }).getByRole('button', { name: 'Перезвонить' }).isVisible(), 'call back in the task list')
    await screenshot(anna.page, 'agent-page-transfer-ru')
    t.same(anna.errors, [])
  })
}
