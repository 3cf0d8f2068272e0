/**
 * The candidate rule set a preview replays through: a rules folder, or files sent as text. Compiled
 * exactly as `rules check` compiles them, with the names the database holds added to the catalog
 * (agents created since catalog.yaml was written are known), so mistakes are the same file:line errors.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { RuleSet } from '../routing/types.js'
import { CATALOG_FILE, compileRuleSet, createCatalog, isRulesFile, loadCatalogFile, parseCatalog, readRulesSources } from '../rules/index.js'
import type { RuleError, RulesCatalog, RulesSource } from '../rules/index.js'

export type CandidateResult = { ok: true; ruleSet: RuleSet; files: string[] } | { ok: false; errors: RuleError[] }

/** Names known to the database: agents, teams, skills. */
export type Names = { agents: Iterable<string>; teams: Iterable<string>; skills: Iterable<string> }

export async function candidateFromDir(dir: string, names: Names, catalogPath = join(dir, CATALOG_FILE)): Promise<CandidateResult> {
  let fileCatalog: RulesCatalog = createCatalog({})
  if (existsSync(catalogPath)) {
    const loaded = await loadCatalogFile(catalogPath)
    if (!loaded.ok) return loaded
    fileCatalog = loaded.catalog
  }
  let sources: RulesSource[]
  try {
    sources = await readRulesSources(dir)
  } catch (err) {
    return { ok: false, errors: [{ file: '.', line: 0, col: 0, message: `cannot read the rules directory: ${(err as Error).message}` }] }
  }
  return compiled(sources, union(fileCatalog, names))
}

/** Files sent as { "rules.yaml": "…" }; a catalog.yaml among them adds names like the folder's. */
export function candidateFromFiles(files: Readonly<Record<string, string>>, names: Names): CandidateResult {
  let fileCatalog: RulesCatalog = createCatalog({})
  const catalogName = Object.keys(files).find((f) => f.toLowerCase() === CATALOG_FILE)
  if (catalogName !== undefined) {
    const parsed = parseCatalog(catalogName, files[catalogName]!)
    if (!parsed.ok) return parsed
    fileCatalog = parsed.catalog
  }
  const bad = Object.keys(files).filter((f) => f.includes('/') || f.includes('\\') || f.includes('..'))
  if (bad.length > 0) return { ok: false, errors: bad.map((file) => ({ file, line: 0, col: 0, message: 'a file name, without folders, is expected' })) }
  const sources = Object.entries(files).filter(([file]) => isRulesFile(file)).map(([file, text]) => ({ file, text }))
  return compiled(sources, union(fileCatalog, names))
}

function compiled(sources: RulesSource[], catalog: RulesCatalog): CandidateResult {
  const result = compileRuleSet(sources, catalog)
  return result.ok ? { ok: true, ruleSet: result.ruleSet, files: sources.map((s) => s.file) } : { ok: false, errors: result.errors }
}

function union(a: RulesCatalog, b: Names): RulesCatalog {
  return createCatalog({ agents: [...a.agents, ...b.agents], teams: [...a.teams, ...b.teams], skills: [...a.skills, ...b.skills] })
}
