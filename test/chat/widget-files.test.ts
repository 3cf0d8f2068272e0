import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Script } from 'node:vm'
import pino from 'pino'
import t, { type Test } from 'tap'
import { chatWidgetRoutes, WIDGET_SCRIPT_FILES } from '../../src/api/chat-widget.routes.js'
import { createServer } from '../../src/api/server.js'

// The widget's files as a site receives them, and its words in both languages.

const WIDGET_DIR = fileURLToPath(new URL('../../src/chat/widget/', import.meta.url))

async function widgetServer(t: Test) {
  const app = createServer({ logger: pino({ level: 'silent' }), bodyLimit: 1024 })
  t.teardown(() => app.close())
  await app.register(chatWidgetRoutes, {})
  return app
}

type Words = Record<string, unknown>

function keyPaths(words: Words, prefix = ''): string[] {
  return Object.entries(words).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key
    if (value && typeof value === 'object') return keyPaths(value as Words, path)
    return [`${path}:${typeof value === 'function' ? `function of ${value.length}` : typeof value}`]
  })
}

t.test('GET /widget.js is one script a site can embed, cached briefly and revalidated by its ETag', async (t) => {
  const app = await widgetServer(t)
  const answer = await app.inject({ method: 'GET', url: '/widget.js' })
  t.equal(answer.statusCode, 200)
  t.equal(answer.headers['content-type'], 'text/javascript; charset=utf-8')
  t.match(answer.headers['cache-control'], /max-age=\d+/)
  t.equal(answer.headers['cross-origin-resource-policy'], 'cross-origin')
  t.doesNotThrow(() => new Script(answer.body, { filename: 'widget.js' }), 'the joined files parse as one script')
  for (const name of WIDGET_SCRIPT_FILES) t.ok(answer.body.includes(`// ${name}\n`), `${name} is in it`)
  const again = await app.inject({ method: 'GET', url: '/widget.js', headers: { 'if-none-match': String(answer.headers.etag) } })
  t.equal(again.statusCode, 304, 'an unchanged widget is not sent again')
})

t.test('GET /widget.css is the widget stylesheet', async (t) => {
  const app = await widgetServer(t)
  const answer = await app.inject({ method: 'GET', url: '/widget.css' })
  t.equal(answer.statusCode, 200)
  t.equal(answer.headers['content-type'], 'text/css; charset=utf-8')
  t.match(answer.body, /\.launcher/)
})

t.test('the widget has the same words in English and in Russian', async (t) => {
  const source = readFileSync(join(WIDGET_DIR, 'i18n.js'), 'utf8')
  const texts = new Function(`${source}; return CTI_CHAT_TEXTS`)() as { en: Words; ru: Words }
  t.same(Object.keys(texts).sort(), ['en', 'ru'])
  t.same(keyPaths(texts.ru), keyPaths(texts.en), 'every label in both, of the same kind')
  t.equal(texts.ru.waiting instanceof Function && (texts.ru.waiting as (m: number) => string)(3), 'Эксперт ответит примерно через 3 мин.')
})

t.test('the widget writes text only: no file sets HTML', async (t) => {
  for (const name of WIDGET_SCRIPT_FILES) {
    const source = readFileSync(join(WIDGET_DIR, name), 'utf8')
    t.notMatch(source, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, name)
  }
})
