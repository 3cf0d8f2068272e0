import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import ts from 'typescript'

// The routing core stays pure and synchronous (style habit 3): these tests read its import
// statements, type-only ones included, as the compiler sees them.

const ROUTING_DIR = fileURLToPath(new URL('../../src/routing/', import.meta.url))

/** Packages that talk to the outside world: the adapters use them, the core never does. */
const IO_PACKAGES = ['fastify', '@fastify/', 'pg', 'pg-', 'kysely', 'ioredis', 'redis', 'drachtio-srf', 'asterisk-manager', '@electric-sql/pglite', 'pino', 'undici', 'ws', 'prom-client']

type Graph = Map<string, string[]>

/** Every specifier each module of a folder imports (static, dynamic, re-exports, type-only). */
function importsOf(dir: string): Map<string, string[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()
  return new Map(files.map((f) => [f, ts.preProcessFile(readFileSync(join(dir, f), 'utf8'), true, true).importedFiles.map((i) => i.fileName)]))
}

/** The modules of the folder each module imports, as file names ('./x.js' is x.ts). */
function localGraph(dir: string, imports: Map<string, string[]>): Graph {
  const graph: Graph = new Map()
  for (const [file, specifiers] of imports) {
    const local = specifiers.filter((s) => s.startsWith('.')).map((s) => resolve(dir, s))
    graph.set(file, local.filter((p) => dirname(p) === resolve(dir)).map((p) => basename(p).replace(/\.js$/, '.ts')))
  }
  return graph
}

/** The circles of a graph: its strongly connected components of more than one module, or a module importing itself (Tarjan). */
function circles(graph: Graph): string[][] {
  const order = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    order.set(v, order.size)
    low.set(v, order.get(v)!)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!))
    }
    if (low.get(v) !== order.get(v)) return
    const component: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort())
  }
  for (const v of [...graph.keys()].sort()) if (!order.has(v)) visit(v)
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!))
}

function isIo(specifier: string): boolean {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!)) return true
  return IO_PACKAGES.some((p) => (p.endsWith('/') || p.endsWith('-') ? specifier.startsWith(p) : specifier === p || specifier.startsWith(`${p}/`)))
}

t.test('the circle finder sees a circle of three modules and none in a chain', async (t) => {
  const circle: Graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]])
  t.same(circles(circle), [['a.ts', 'b.ts', 'c.ts']])
  const chain: Graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', []]])
  t.same(circles(chain), [])
})

t.test('the I/O check knows built-ins and the adapters\' packages from the core\'s own modules', async (t) => {
  t.same(['node:net', 'fs', 'fs/promises', 'pg', 'kysely', 'ioredis', 'drachtio-srf', '@fastify/websocket', './types.js'].filter(isIo), ['node:net', 'fs', 'fs/promises', 'pg', 'kysely', 'ioredis', 'drachtio-srf', '@fastify/websocket'])
})

t.test('no two modules of the routing core import each other, directly or around a circle', async (t) => {
  const graph = localGraph(ROUTING_DIR, importsOf(ROUTING_DIR))
  t.ok(graph.size > 10, 'the core\'s modules are read')
  t.same(circles(graph), [])
})

t.test('the routing core imports no I/O package and nothing outside src/routing', async (t) => {
  const outside: string[] = []
  for (const [file, specifiers] of importsOf(ROUTING_DIR)) {
    for (const s of specifiers) {
      const escapes = s.startsWith('.') && relative(ROUTING_DIR, resolve(ROUTING_DIR, s)).startsWith('..')
      if (escapes || isIo(s)) outside.push(`${file} imports ${s}`)
    }
  }
  t.same(outside, [])
})
