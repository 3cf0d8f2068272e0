import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import ts from 'typescript'

// The waiting queue is part of the routing core: pure and synchronous, no I/O, no timers of its own.

const ROUTING_DIR = fileURLToPath(new URL('../../src/routing/', import.meta.url))
const WAITING_DIR = join(ROUTING_DIR, 'waiting')

t.test('the waiting queue imports nothing but the routing core', async (t) => {
  const outside: string[] = []
  const files = readdirSync(WAITING_DIR).filter((f) => f.endsWith('.ts'))
  t.ok(files.length > 5, 'its modules are read')
  for (const file of files) {
    const source = readFileSync(join(WAITING_DIR, file), 'utf8')
    for (const { fileName } of ts.preProcessFile(source, true, true).importedFiles) {
      const escapes = fileName.startsWith('.') && relative(ROUTING_DIR, resolve(WAITING_DIR, fileName)).startsWith('..')
      const builtin = fileName.startsWith('node:') || builtinModules.includes(fileName.split('/')[0]!)
      if (escapes || builtin || !fileName.startsWith('.')) outside.push(`${file} imports ${fileName}`)
    }
    if (/\bset(Timeout|Interval|Immediate)\s*\(|\bDate\.now\s*\(/.test(source)) outside.push(`${file} reads the clock or sets a timer`)
  }
  t.same(outside, [])
})
