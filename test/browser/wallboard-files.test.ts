import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createServer } from '../../src/api/server.js'
import { wallboardPageRoutes } from '../../src/api/wallboard-page.routes.js'
import pino from 'pino'
import { request, testApp } from '../helpers/test-app.js'

t.test("the wallboard's files are served as they are, with a policy that runs no inline code", async (t) => {
  const { url } = await testApp(t)
  const page = await fetch(`${url}/wallboard`)
  t.equal(page.status, 200)
  t.match(page.headers.get('content-type'), /text\/html/)
  t.match(page.headers.get('content-security-policy'), /script-src 'self'/)
  t.match(await page.text(), /\/wallboard\/wallboard\.js/)
  for (const file of ['wallboard.js', 'labels.js', 'connection.js', 'queues-view.js', 'agents-view.js', 'calls-view.js', 'history-view.js', 'format.js', 'dom.js', 'wallboard.css']) {
    t.equal((await fetch(`${url}/wallboard/${file}`)).status, 200, file)
  }
  t.equal((await request(`${url}/wallboard/..%2Fwallboard-page.routes.ts`)).status, 404, 'nothing outside the folder')
})

t.test('an install without the files answers a coded 404 that says what to copy, and starts all the same', async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'cti-no-wallboard-'))
  t.teardown(() => rm(empty, { recursive: true, force: true }))
  const app = createServer({ logger: pino({ level: 'silent' }), bodyLimit: 1024 })
  t.teardown(() => app.close())
  await app.register(wallboardPageRoutes, { dir: empty })
  const answer = await app.inject({ method: 'GET', url: '/wallboard' })
  t.equal(answer.statusCode, 404)
  t.match(answer.json(), { error: 'CTI_ERR_NOT_FOUND', message: /copy src\/wallboard\/page/ })
})
