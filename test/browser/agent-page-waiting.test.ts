import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { CHROMIUM, chromiumFor } from '../helpers/chromium.js'
import t from 'tap'
import { agentToken, request } from '../helpers/test-app.js'
import { ORDINARY, queueApp, route } from '../api/queue-fixture.js'

// The agent page's waiting line in a real browser: how many callers wait for the agent's team,
// with a screenshot. Skips, saying so, without Chromium.

const SCREENSHOT_DIR = new URL('../../.tap/screenshots/', import.meta.url).pathname

if (!existsSync(CHROMIUM)) {
  t.plan(0, `chromium not found at ${CHROMIUM}: install the chromium package (bash .ci/run does) or set CHROMIUM_PATH`)
} else {
  const chrome = chromiumFor(t)

  t.test('the page shows how many wait for the team while the agent is on a call, and clears when nobody does', async (t) => {
    const { url } = await queueApp(t, ['a1'])
    const token = await agentToken(url, 'a1')
    const context = await chrome.browser.newContext({ locale: 'en-GB', timezoneId: 'UTC' })
    t.teardown(() => context.close())
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (err) => errors.push(err.message))
    await page.goto(`${url}/agent`)
    await page.getByLabel('Agent token').fill(token)
    await page.keyboard.press('Enter')
    await page.locator('#connection[data-state="live"]').waitFor()
    t.equal(await page.locator('#waiting').isHidden(), true, 'nothing shown while nobody waits')

    await route(url, 'busy-1', ORDINARY[0]!)
    await route(url, 'waits-1', ORDINARY[1]!)
    await route(url, 'waits-2', ORDINARY[2]!)
    // The counts follow each call as it is queued: the page may show 1 before it shows 2.
    await page.locator('#waiting[data-busy="true"]', { hasText: '2 for your team' }).waitFor({ timeout: 5000 })
    t.equal(await page.locator('#waiting').textContent(), 'Waiting: 0 for you · 2 for your team')
    await mkdir(SCREENSHOT_DIR, { recursive: true })
    await page.screenshot({ path: `${SCREENSHOT_DIR}agent-page-waiting.png`, fullPage: true })

    for (const id of ['waits-1', 'waits-2']) await request(`${url}/v1/interactions/${id}/ended`, { method: 'POST' })
    await page.locator('#waiting[data-busy="false"]').waitFor()
    t.equal(await page.locator('#waiting').textContent(), 'Nobody is waiting for you or your team.')
    t.same(errors, [], 'no script errors')
  })
}
