import { existsSync } from 'node:fs'
import { CHROMIUM, chromiumFor } from '../helpers/chromium.js'
import t from 'tap'
import { agentToken, testDemoApp } from '../helpers/test-app.js'

// The agent page's state buttons in a real browser against a real server: only
// the buttons set the agent's state. Skips, saying so, without Chromium.


if (!existsSync(CHROMIUM)) {
  t.plan(0, `chromium not found at ${CHROMIUM}: install the chromium package (bash .ci/run does) or set CHROMIUM_PATH`)
} else {
  const chrome = chromiumFor(t)

  t.test('clicking the connection status sets no state; only the state buttons do', async (t) => {
    const { url } = await testDemoApp(t)
    const token = await agentToken(url, 'a-anna')
    const context = await chrome.browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Moscow' })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    const statesSent: string[] = []
    page.on('request', (request) => {
      if (request.method() === 'PUT' && request.url().endsWith('/v1/me/state')) statesSent.push((request.postDataJSON() as { state: string }).state)
    })

    await page.goto(`${url}/agent`)
    await page.getByLabel('Agent token').fill(token)
    await page.keyboard.press('Enter')
    await page.locator('#connection[data-state="live"]').waitFor()

    // The status line carries data-state too (off, connecting, live, lost): it is not a button.
    await page.locator('#connection').click()
    await page.getByRole('button', { name: 'Away' }).click()
    await page.locator('#state-now[data-status="away"]').waitFor()

    t.same(statesSent, ['away'], 'one state sent: the button clicked')
    t.equal(await page.locator('#state-error').textContent(), '', 'no error shown')
    t.equal(await page.locator('#connection').getAttribute('aria-pressed'), null, 'the status line is never a pressed button')
    t.same(errors, [], 'no script errors')
  })
}
