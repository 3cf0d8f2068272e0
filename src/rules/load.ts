/**
 * Loading a rules directory: every `*.yaml` / `*.yml` file directly in it
 * (not in sub-folders such as `tests/`, not hidden files, not the catalog),
 * taken in order of file name.
 */
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { compileRuleSet, orderSources, rulesHash } from './compile.js'
import type { CompileOptions } from './compile.js'
import type { LoadResult, RulesCatalog, RulesSource } from './types.js'

/** True for a file name that belongs to the rule set. */
export function isRulesFile(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !name.startsWith('.') && !/^catalog\.ya?ml$/i.test(name)
}

/** Reads the set's files, in set order. */
export async function readRulesSources(dir: string): Promise<RulesSource[]> {
  const names = (await readdir(dir)).filter(isRulesFile)
  // stat follows symbolic links, so sets mounted as links (e.g. a Kubernetes ConfigMap) are read too.
  const files = await Promise.all(names.map(async (file) => ((await stat(join(dir, file))).isFile() ? file : null)))
  const sources = await Promise.all(files.filter((f): f is string => f !== null)
    .map(async (file) => ({ file, text: await readFile(join(dir, file), 'utf8') })))
  return orderSources(sources)
}

/** Reads and compiles a rules directory; on any mistake, lists them all and yields no set. */
export async function loadRuleSet(dir: string, catalog: RulesCatalog, options: CompileOptions = {}): Promise<LoadResult> {
  let sources: RulesSource[]
  try {
    sources = await readRulesSources(dir)
  } catch (err) {
    return { ok: false, errors: [{ file: '.', line: 0, col: 0, message: `cannot read the rules directory: ${(err as Error).message}` }] }
  }
  const result = compileRuleSet(sources, catalog, options)
  if (!result.ok) return result
  return { ok: true, ruleSet: result.ruleSet, files: sources.map((s) => s.file), hash: rulesHash(sources) }
}
