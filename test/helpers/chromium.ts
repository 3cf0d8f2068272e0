import { chromium, type Browser, type Page } from 'playwright-core'
import type { Test } from 'tap'

/** Debian's Chromium (the chromium package; `.ci/run` installs it), or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

// Headless as root, and nothing that reaches out to the network this machine keeps closed.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** Chromium launched before the file's tests and closed after them; `browser` is there once they run. */
export function chromiumFor(t: Test): { readonly browser: Browser } {
  const held: { browser?: Browser } = {}
  t.before(async () => {
    held.browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  })
  t.teardown(() => held.browser?.close())
  return {
    get browser() {
      if (!held.browser) throw new Error('Chromium is not launched yet: use it inside a test')
      return held.browser
    }
  }
}

/** Every script error and console error of the page, as they come. */
export function scriptErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.message))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  return errors
}
