/**
 * The catalog file (`catalog.yaml` next to the rules): the agents, teams and
 * skills the rules may name, for checking rules away from the database.
 *
 *   agents: [a-anna, a-boris]
 *   teams: [sales, vip-desk]
 *   skills: [product:crm, lang:en, billing]
 */
import { readFile } from 'node:fs/promises'
import type { Node } from 'yaml'
import type { RuleError, RulesCatalog } from './types.js'
import { YamlFile } from './yaml-reader.js'

export const CATALOG_FILE = 'catalog.yaml'

export type CatalogResult = { ok: true; catalog: RulesCatalog } | { ok: false; errors: RuleError[] }

/** Builds a catalog from plain name lists. */
export function createCatalog(names: { agents?: Iterable<string>; teams?: Iterable<string>; skills?: Iterable<string> }): RulesCatalog {
  return { agents: new Set(names.agents), teams: new Set(names.teams), skills: new Set(names.skills) }
}

/** Reads a catalog file; `file` names it in errors. */
export function parseCatalog(file: string, text: string): CatalogResult {
  const errors: RuleError[] = []
  const yaml = new YamlFile(file, text, errors)
  const names = { agents: [] as string[], teams: [] as string[], skills: [] as string[] }
  const root = yaml.root
  const fields = root && !yaml.isEmpty(root) ? yaml.fields(root, 'catalog', ['agents', 'teams', 'skills']) : undefined
  for (const [name, field] of fields ?? []) {
    for (const item of yaml.isEmpty(field.value) ? [] : yaml.list(field.value, name) ?? []) {
      const value = yaml.text(item as Node, `${name} entry`)
      if (value !== undefined) names[name as keyof typeof names].push(value)
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, catalog: createCatalog(names) }
}

export async function loadCatalogFile(path: string): Promise<CatalogResult> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    return { ok: false, errors: [{ file: path, line: 0, col: 0, message: `cannot read the catalog: ${(err as Error).message}` }] }
  }
  return parseCatalog(path, text)
}
