import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t, { type Test } from 'tap'

// Every word the agent's page and the wallboard write is in a catalogue in
// English and in Russian. A label added in one language only, a catalogue file
// the page does not load, or a `labels.x.y` a module reads that no catalogue
// has, fails here, before an agent sees `undefined`.

const AGENT_PAGE = fileURLToPath(new URL('../../src/screenpop/page/', import.meta.url))
const CATALOGUE_DIR = join(AGENT_PAGE, 'i18n')

type Words = Record<string, unknown>

/** Every key path of a catalogue, with the number of arguments a label that is a function takes. */
function keyPaths(words: Words, prefix = ''): Map<string, string> {
  const paths = new Map<string, string>()
  for (const [key, value] of Object.entries(words)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'function') paths.set(path, `function of ${value.length}`)
    else if (value && typeof value === 'object') for (const [inner, kind] of keyPaths(value as Words, path)) paths.set(inner, kind)
    else paths.set(path, typeof value)
  }
  return paths
}

function compareLanguages(t: Test, en: Words, ru: Words, what: string) {
  const enPaths = keyPaths(en)
  const ruPaths = keyPaths(ru)
  t.same([...enPaths.keys()].filter((p) => !ruPaths.has(p)), [], `${what}: every English label is in Russian`)
  t.same([...ruPaths.keys()].filter((p) => !enPaths.has(p)), [], `${what}: every Russian label is in English`)
  const differing = [...enPaths].filter(([p, kind]) => ruPaths.has(p) && ruPaths.get(p) !== kind).map(([p]) => p)
  t.same(differing, [], `${what}: each label is the same kind in both (text, or a function of as many arguments)`)
  const empty = [...keyPaths(ru)].filter(([p]) => typeof lookup(ru, p) === 'string' && (lookup(ru, p) as string).trim() === '').map(([p]) => p)
  t.same(empty, [], `${what}: no Russian label is empty`)
}

function lookup(words: Words, path: string): unknown {
  return path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Words)[key] : undefined), words)
}

const catalogueFiles = readdirSync(CATALOGUE_DIR).filter((name) => name.endsWith('.js')).sort()

async function loadCatalogue(name: string): Promise<{ en: Words; ru: Words }> {
  return (await import(pathToFileURL(join(CATALOGUE_DIR, name)).href)).default
}

t.test('every catalogue of the agent page has the same labels in English and in Russian', async (t) => {
  t.ok(catalogueFiles.length >= 3, `the page's words are in catalogues (${catalogueFiles.join(', ')})`)
  for (const name of catalogueFiles) {
    const catalogue = await loadCatalogue(name)
    t.same(Object.keys(catalogue).sort(), ['en', 'ru'], `${name} has an English and a Russian part, nothing else`)
    compareLanguages(t, catalogue.en, catalogue.ru, name)
  }
})

t.test('the agent page loads every catalogue file, and no two catalogues claim the same top-level key', async (t) => {
  const labelsSource = readFileSync(join(AGENT_PAGE, 'labels.js'), 'utf8')
  const imported = [...labelsSource.matchAll(/from '\.\/i18n\/([^']+)'/g)].map((m) => m[1]).sort()
  t.same(imported, catalogueFiles, 'labels.js imports each file of i18n/')
  const owners = new Map<string, string>()
  for (const name of catalogueFiles) {
    for (const key of Object.keys((await loadCatalogue(name)).en)) {
      t.notOk(owners.has(key), `"${key}" is only in ${name}${owners.has(key) ? `, not also in ${owners.get(key)}` : ''}`)
      owners.set(key, name)
    }
  }
})

t.test('every label the page\'s modules and its HTML read exists in the catalogues', async (t) => {
  const { mergeCatalogues } = await import(pathToFileURL(join(AGENT_PAGE, 'language.js')).href)
  const files = await Promise.all(catalogueFiles.map(loadCatalogue))
  const en: Words = mergeCatalogues(files, 'en')
  const ru: Words = mergeCatalogues(files, 'ru')
  const used = new Set<string>()
  for (const name of readdirSync(AGENT_PAGE).filter((n) => n.endsWith('.js'))) {
    const source = readFileSync(join(AGENT_PAGE, name), 'utf8')
    for (const m of source.matchAll(/(?<![/\w])labels\.([a-zA-Z][a-zA-Z0-9.]*[a-zA-Z0-9])/g)) used.add(m[1]!)
    // A module that names a part of the catalogue (`const L = labels.card`) reads `L.x` from it.
    for (const alias of source.matchAll(/\bconst ([A-Za-z]\w*) = labels\.([a-zA-Z][a-zA-Z0-9.]*)/g)) {
      for (const m of source.matchAll(new RegExp(`\\b${alias[1]}\\.([a-zA-Z][a-zA-Z0-9]*)`, 'g'))) used.add(`${alias[2]}.${m[1]}`)
    }
  }
  const html = readFileSync(join(AGENT_PAGE, 'agent.html'), 'utf8')
  for (const m of html.matchAll(/data-label(?:-[a-z-]+)?="([^"]+)"/g)) used.add(m[1]!)
  t.ok(used.size > 40, `the scan finds the labels in use (${used.size})`)
  t.same([...used].filter((path) => lookup(en, path) === undefined).sort(), [], 'each is in English')
  t.same([...used].filter((path) => lookup(ru, path) === undefined).sort(), [], 'each is in Russian')
})

/** Attributes a person reads or hears: each comes from a catalogue (data-label-<attribute>) or is empty. */
const WORDED_ATTRIBUTES = ['aria-label', 'title', 'placeholder', 'alt', 'value', 'aria-description', 'aria-roledescription']
const VOID_ELEMENTS = new Set(['meta', 'link', 'input', 'br', 'img', 'hr', 'source', 'col', 'area', 'base', 'wbr'])

/** What agent.html writes itself, tag by tag: text outside a data-label element, worded attributes without their data-label-<attribute>. */
function wordsWrittenInHtml(html: string): string[] {
  const found: string[] = []
  const open: { tag: string; labelled: boolean }[] = []
  const tokens = /<!--[\s\S]*?-->|<!doctype[^>]*>|<(\/?)([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>|([^<]+)/gi
  for (const [token, closing, rawTag, rawAttributes, text] of html.matchAll(tokens)) {
    if (text !== undefined) {
      const parent = open.at(-1)
      if (text.trim() && !(parent?.labelled || parent?.tag === 'script' || parent?.tag === 'style')) found.push(`text "${text.trim()}" in <${parent?.tag}>`)
      continue
    }
    if (!rawTag) continue // a comment or the doctype
    const tag = rawTag.toLowerCase()
    if (closing) {
      const at = open.map((e) => e.tag).lastIndexOf(tag)
      if (at >= 0) open.length = at
      continue
    }
    const attributes = new Map<string, string>()
    for (const [, name, value] of (rawAttributes ?? '').matchAll(/([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) attributes.set(name!.toLowerCase(), value ?? '')
    for (const name of WORDED_ATTRIBUTES) {
      if (attributes.get(name)?.trim() && !attributes.has(`data-label-${name}`)) found.push(`${name}="${attributes.get(name)}" on <${tag}>`)
    }
    if (open.at(-1)?.labelled) found.push(`<${tag}> inside a data-label element (its label replaces it)`)
    if (!VOID_ELEMENTS.has(tag) && !token.endsWith('/>')) open.push({ tag, labelled: attributes.has('data-label') })
  }
  return found
}

t.test('agent.html writes no words of its own: each comes from a catalogue through data-label', async (t) => {
  const html = readFileSync(join(AGENT_PAGE, 'agent.html'), 'utf8')
  t.same(wordsWrittenInHtml(html), [], 'no text, aria-label, title or placeholder outside the catalogues')
  t.ok((html.match(/data-label="/g) ?? []).length >= 15, 'the headings, the sign-in form, the buttons and the empty lists are labelled')
  t.match(readFileSync(join(AGENT_PAGE, 'agent.js'), 'utf8'), /\bapplyPageWords\(\)/, 'agent.js fills the labels at start-up')

  // The check itself catches what it is for.
  t.same(wordsWrittenInHtml('<p class="x">Hello <b data-label="a.b"></b></p><input placeholder="Search" aria-label=""><button title="Go" data-label-title="go" data-label="x"></button>'), [
    'text "Hello" in <p>',
    'placeholder="Search" on <input>'
  ])
  t.same(wordsWrittenInHtml('<h2 data-label="x"><span>My state</span></h2><title>Desk</title><script>let a = 1</script>'), [
    '<span> inside a data-label element (its label replaces it)',
    'text "My state" in <span>',
    'text "Desk" in <title>'
  ])
})

t.test('the wallboard has the same labels in English and in Russian', async (t) => {
  const { catalogues } = await import(new URL('../../src/wallboard/page/labels.js', import.meta.url).href)
  t.same(Object.keys(catalogues).sort(), ['en', 'ru'])
  compareLanguages(t, catalogues.en, catalogues.ru, 'wallboard')
})
