import { readFile, writeFile } from 'node:fs/promises'
import { relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describeConfig, type SettingDescription } from '../src/config.js'

// `npm run docs:config`: writes the table of every setting into docs/configuration.md, between
// the two marker comments, from the config schema itself — so the table cannot drift from what
// start-up validates. test/docs/config-docs.test.ts fails when the file is not what this writes.

export const CONFIG_DOCS_PATH = fileURLToPath(new URL('../docs/configuration.md', import.meta.url))
export const TABLE_START = '<!-- config-table:start (written by npm run docs:config from src/config.ts; edit there) -->'
export const TABLE_END = '<!-- config-table:end -->'

type Schema = Readonly<Record<string, unknown>>

/** Units named by a setting's suffix, so that the allowed range reads as a quantity. */
const UNITS: [suffix: string, unit: string][] = [
  ['_MS', 'milliseconds'],
  ['_SECONDS', 'seconds'],
  ['_MINUTES', 'minutes'],
  ['_BYTES', 'bytes']
]

/** The markdown table of every setting: name, allowed values, default, what it does. */
export function configTable(settings: SettingDescription[] = describeConfig()): string {
  const rows = settings.map((s) => `| \`${s.name}\` | ${cell(allowedValues(s.schema, unitOf(s.name)))} | ${cell(shownDefault(s))} | ${cell(s.description || s.expected)} |`)
  return ['| Variable | Allowed values | Default | What it does |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

/** The page with its table replaced by the current one; throws when the markers are missing. */
export function withConfigTable(page: string, table: string = configTable()): string {
  const start = page.indexOf(TABLE_START)
  const end = page.indexOf(TABLE_END)
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`docs/configuration.md must hold the lines\n${TABLE_START}\n${TABLE_END}\nfor the settings table to go between them`)
  }
  return `${page.slice(0, start + TABLE_START.length)}\n${table}\n${page.slice(end)}`
}

function unitOf(name: string): string | null {
  return UNITS.find(([suffix]) => name.endsWith(suffix))?.[1] ?? null
}

/** What the schema accepts, in words: the same rules start-up validates. */
export function allowedValues(definition: object, unit: string | null = null): string {
  const schema = definition as Schema
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map(code).join(', ')
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Schema[]).map((s) => ('const' in s ? code(s.const) : allowedValues(s))).join(' or ')
  switch (schema.type) {
    case 'integer':
    case 'number':
      return [unit ?? (schema.type === 'integer' ? 'an integer' : 'a number'), range(schema)].filter(Boolean).join(' ')
    case 'boolean':
      return '`true` or `false`'
    case 'string':
      return ['text', ...stringRules(schema)].join(', ')
    case 'array':
      return [`a JSON array of ${plural(allowedValues(schema.items as Schema))}`, ...arrayRules(schema)].join(', ')
    case 'object':
      return `\`{ ${Object.keys((schema.properties as Schema | undefined) ?? {}).join(', ')} }\``
    default:
      return 'any value'
  }
}

function range(schema: Schema): string {
  const { minimum, maximum } = schema as { minimum?: number; maximum?: number }
  if (minimum !== undefined && maximum !== undefined) return `${minimum}..${maximum}`
  if (minimum !== undefined) return `≥ ${minimum}`
  if (maximum !== undefined) return `≤ ${maximum}`
  return ''
}

function stringRules(schema: Schema): string[] {
  const { minLength, maxLength, pattern } = schema as { minLength?: number; maxLength?: number; pattern?: string }
  const rules: string[] = []
  if (minLength !== undefined && minLength > 1) rules.push(`at least ${minLength} characters`)
  if (maxLength !== undefined) rules.push(`at most ${maxLength} characters`)
  if (pattern !== undefined) rules.push(`matching ${code(pattern)}`)
  return rules
}

function arrayRules(schema: Schema): string[] {
  const { minItems, maxItems, uniqueItems } = schema as { minItems?: number; maxItems?: number; uniqueItems?: boolean }
  const rules: string[] = []
  if (minItems !== undefined && minItems > 0) rules.push(`at least ${minItems}`)
  if (maxItems !== undefined) rules.push(`at most ${maxItems}`)
  if (uniqueItems) rules.push('all different')
  return rules
}

/** "text, matching …" becomes "texts, each matching …" when it describes the items of a list. */
function plural(items: string): string {
  return items.startsWith('text') ? `texts${items.slice(4).replace(/^,/, ', each')}` : items
}

function shownDefault(setting: SettingDescription): string {
  if (setting.default === undefined) return setting.optional ? 'unset' : '—'
  return code(setting.default)
}

function code(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return `\`${text}\``
}

/** A table cell: one line, with the column separator escaped (GitHub reads `\|` even inside code). */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|')
}

/** Rewrites the page's table (docs/configuration.md unless another file is named) and says whether it changed. */
async function main(path: string = CONFIG_DOCS_PATH): Promise<void> {
  const page = await readFile(path, 'utf8')
  const updated = withConfigTable(page)
  const shown = relative(process.cwd(), path)
  if (updated === page) {
    process.stdout.write(`${shown}: the settings table is up to date\n`)
    return
  }
  await writeFile(path, updated)
  process.stdout.write(`${shown}: settings table written (${describeConfig().length} settings)\n`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv[2])
