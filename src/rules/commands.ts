/**
 * The admin commands behind `rules check` and `rules test`. They write lines
 * through `io` and return the exit code, so the entry point stays a shell.
 *
 *   rules check [dir] [--catalog file]   every mistake as file:line:col: message, then a count
 *   rules test  [dir] [--catalog file]   runs dir/tests/*.yaml through the routing core
 */
import { readFile, readdir } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import type { RuleSet } from '../routing/types.js'
import { CATALOG_FILE, loadCatalogFile } from './catalog.js'
import { createBusinessCalendar } from './calendar.js'
import { formatRuleError, sortRuleErrors } from './errors.js'
import { loadRuleSet } from './load.js'
import { readTestFile } from './test-cases.js'
import type { TestCase } from './test-cases.js'
import { describeFailure, runTestCase } from './test-runner.js'
import type { RuleError } from './types.js'
import { YamlFile } from './yaml-reader.js'

export interface CommandIo {
  out: (line: string) => void
  cwd: string
}

export const DEFAULT_RULES_DIR = 'routing-rules'
const USAGE = 'usage: rules check|test [dir] [--catalog file]   (dir defaults to routing-rules, catalog to dir/catalog.yaml)'

export async function runRulesCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv)
  if (typeof args === 'string') {
    io.out(args)
    io.out(USAGE)
    return 2
  }
  const dir = resolve(io.cwd, args.dir)
  const show = (file: string): string => relative(io.cwd, resolve(dir, file)) || '.'
  const loaded = await loadChecked(dir, args.catalog ? resolve(io.cwd, args.catalog) : join(dir, CATALOG_FILE))
  if (!loaded.ok) {
    printErrors(loaded.errors, show, io)
    return 1
  }
  const { ruleSet, files } = loaded
  if (args.command === 'check') {
    io.out(`${show('.')}: ok — ${plural(files.length, 'file')}, ${plural(ruleSet.rules.length, 'rule')}, ` +
      `${plural(ruleSet.lines.size, 'line')}, calendar ${ruleSet.calendar.timeZone}, version ${ruleSet.version}`)
    return 0
  }
  return runTests(dir, ruleSet, show, io)
}

type Args = { command: 'check' | 'test'; dir: string; catalog: string | null }

function parseArgs(argv: readonly string[]): Args | string {
  const [command, ...rest] = argv
  if (command !== 'check' && command !== 'test') return command ? `unknown command '${command}'` : 'no command given'
  let dir: string | null = null
  let catalog: string | null = null
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!
    if (a === '--catalog') {
      catalog = rest[++i] ?? null
      if (catalog === null) return '--catalog needs a file'
    } else if (a.startsWith('--catalog=')) {
      catalog = a.slice('--catalog='.length)
    } else if (a.startsWith('-')) {
      return `unknown option '${a}'`
    } else if (dir === null) {
      dir = a
    } else {
      return `unexpected argument '${a}'`
    }
  }
  return { command, dir: dir ?? DEFAULT_RULES_DIR, catalog }
}

async function loadChecked(dir: string, catalogPath: string):
  Promise<{ ok: true; ruleSet: RuleSet; files: string[] } | { ok: false; errors: RuleError[] }> {
  const catalog = await loadCatalogFile(catalogPath)
  if (!catalog.ok) return catalog
  const result = await loadRuleSet(dir, catalog.catalog)
  return result.ok ? { ok: true, ruleSet: result.ruleSet, files: result.files } : result
}

async function runTests(dir: string, ruleSet: RuleSet, show: (file: string) => string, io: CommandIo): Promise<number> {
  const errors: RuleError[] = []
  const cases: TestCase[] = []
  let names: string[] = []
  try {
    names = (await readdir(join(dir, 'tests'))).filter((n) => /\.ya?ml$/i.test(n) && !n.startsWith('.')).sort()
  } catch {
    // No tests folder: reported below as no cases.
  }
  const clock = createBusinessCalendar({ timeZone: ruleSet.calendar.timeZone, hours: [], holidays: [] })
  for (const name of names) {
    const file = new YamlFile(`tests/${name}`, await readFile(join(dir, 'tests', name), 'utf8'), errors)
    cases.push(...readTestFile(file, clock, errors))
  }
  if (errors.length > 0) {
    printErrors(errors, show, io)
    return 1
  }
  if (cases.length === 0) {
    io.out(`${show('tests')}: no test cases found (*.yaml with a 'tests' list)`)
    return 1
  }
  let failed = 0
  for (const test of cases) {
    const result = runTestCase(test, ruleSet)
    if (result.passed) {
      io.out(`pass ${showWhere(test.where, show)} ${test.name}`)
    } else {
      failed++
      for (const line of describeFailure(result, show)) io.out(line)
    }
  }
  io.out(`${cases.length - failed} passed, ${failed} failed`)
  return failed === 0 ? 0 : 1
}

function printErrors(errors: readonly RuleError[], show: (file: string) => string, io: CommandIo): void {
  for (const e of sortRuleErrors(errors)) io.out(formatRuleError(e, show))
  io.out(plural(errors.length, 'error'))
}

/** `tests/vip.yaml:12` shown relative to the working directory. */
function showWhere(where: string, show: (file: string) => string): string {
  const i = where.lastIndexOf(':')
  return `${show(where.slice(0, i))}${where.slice(i)}`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
