import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { agentPageRoutes, findAgentPageDir } from '../../src/api/agent-page.routes.js'

// The agent page is a folder of ES modules served as they are: every module it
// imports must be served as JavaScript, and nothing but the folder's own page
// files may ever be.

async function pageServer(t: Test, dir?: string) {
  const app = Fastify()
  await app.register(agentPageRoutes, { dir })
  t.teardown(() => app.close())
  return app
}

/** The relative module paths a script imports (`import … from './x.js'`). */
function importsOf(source: string): string[] {
  return [...source.matchAll(/^\s*import\s[^'"]*['"](\.\/[^'"]+)['"]/gm)].map((m) => m[1]!)
}

t.test('every module the page loads, and every module those import, is served as JavaScript', async (t) => {
  const app = await pageServer(t)
  const html = (await app.inject('/agent')).body
  const entry = /<script type="module" src="\/agent\/([^"]+)"><\/script>/.exec(html)?.[1]
  t.equal(entry, 'agent.js', 'the page starts one module')

  const pending = [entry!]
  const served = new Set<string>()
  while (pending.length > 0) {
    const name = pending.pop()!
    if (served.has(name)) continue
    served.add(name)
    const res = await app.inject(`/agent/${name}`)
    t.equal(res.statusCode, 200, `${name} is served`)
    t.equal(res.headers['content-type'], 'text/javascript; charset=utf-8', `${name} as JavaScript`)
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    for (const imported of importsOf(res.body)) pending.push(imported.slice(2))
  }
  t.ok(served.size >= 8, `the page is made of modules (${[...served].join(', ')})`)
})

t.test('every stylesheet the page links is served as CSS', async (t) => {
  const app = await pageServer(t)
  const html = (await app.inject('/agent')).body
  const sheets = [...html.matchAll(/<link rel="stylesheet" href="\/agent\/([^"]+)">/g)].map((m) => m[1]!)
  t.ok(sheets.includes('agent.css'), 'the page\'s own stylesheet')
  t.ok(sheets.includes('card-actions.css'), 'the card actions\' stylesheet')
  for (const name of sheets) {
    const res = await app.inject(`/agent/${name}`)
    t.equal(res.statusCode, 200, `${name} is served`)
    t.equal(res.headers['content-type'], 'text/css; charset=utf-8', `${name} as CSS`)
  }
})

t.test('the served files are the folder\'s files as they are', async (t) => {
  const app = await pageServer(t)
  const dir = findAgentPageDir()!
  for (const name of ['agent.js', 'labels.js', 'agent.css', 'card-actions.css', 'card-actions.js']) {
    t.equal((await app.inject(`/agent/${name}`)).body, await readFile(join(dir, name), 'utf8'), `${name} unchanged`)
  }
})

t.test('nothing but the page\'s own files is served: no other kind, no hidden file, no path out of the folder', async (t) => {
  const root = t.testdir({ 'secret.txt': 'outside' })
  const dir = join(root, 'page')
  await mkdir(join(dir, 'nested'), { recursive: true })
  await writeFile(join(dir, 'agent.html'), '<!doctype html><script type="module" src="/agent/agent.js"></script>')
  await writeFile(join(dir, 'agent.js'), "import './view.js'\n")
  await writeFile(join(dir, 'view.js'), 'export {}\n')
  await writeFile(join(dir, 'notes.txt'), 'not a page file')
  await writeFile(join(dir, '.hidden.js'), 'export {}\n')
  await writeFile(join(dir, 'nested', 'deep.js'), 'export {}\n')
  await symlink(join(root, 'secret.txt'), join(dir, 'linked.js'))
  const app = await pageServer(t, dir)

  t.equal((await app.inject('/agent/view.js')).statusCode, 200, 'a module of the folder')
  for (const url of [
    '/agent/notes.txt',
    '/agent/.hidden.js',
    '/agent/nested/deep.js',
    '/agent/nested%2Fdeep.js',
    '/agent/linked.js',
    '/agent/..%2Fsecret.txt',
    '/agent/%2e%2e%2fsecret.txt',
    '/agent/..%5csecret.txt',
    '/agent/agent.js%00.html',
    '/agent/AGENT.JS'
  ]) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 404, `${url} is not served`)
    t.notMatch(res.body, /outside|not a page file/, `${url} shows nothing of the file`)
  }
})
