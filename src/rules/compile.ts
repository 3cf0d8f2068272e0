/**
 * Compiling a set of rules files into a RuleSet. Files are taken in order of
 * their names; each may hold any of the sections `calendar`, `lines`, `rules`
 * and `fallback`. Rules keep file order, then written order. Calendar and
 * fallback may each be written once in the whole set; a line number and a
 * rule name may each appear once. Every mistake in every file is collected.
 */
import { createHash } from 'node:crypto'
import type { Node } from 'yaml'
import type { CompiledRule, FinalAction, LineInfo, RuleSet } from '../routing/types.js'
import { createBusinessCalendar } from './calendar.js'
import type { CalendarSpec } from './calendar.js'
import { readCalendar } from './calendar-section.js'
import { sortRuleErrors } from './errors.js'
import { DEFAULT_FALLBACK, readFinalAction } from './final-action.js'
import { readLines } from './line-section.js'
import { readRules } from './rule-section.js'
import type { ReadRule } from './rule-section.js'
import type { RuleError, RulesCatalog, RulesSource } from './types.js'
import { YamlFile } from './yaml-reader.js'

export const SECTIONS = ['calendar', 'lines', 'rules', 'fallback'] as const

export interface CompileOptions {
  /** Clock for `loadedAt`; defaults to Date.now. */
  now?: () => number
}

export type CompileResult = { ok: true; ruleSet: RuleSet } | { ok: false; errors: RuleError[] }

/** Orders sources the way a set is read: by file name. */
export function orderSources(sources: readonly RulesSource[]): RulesSource[] {
  return [...sources].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
}

/** Short sha256 of the files' names and contents: the set's version. */
export function rulesHash(sources: readonly RulesSource[]): string {
  const hash = createHash('sha256')
  for (const s of orderSources(sources)) hash.update(s.file).update('\0').update(s.text).update('\0')
  return hash.digest('hex').slice(0, 12)
}

export function compileRuleSet(sources: readonly RulesSource[], catalog: RulesCatalog, options: CompileOptions = {}): CompileResult {
  const errors: RuleError[] = []
  const ordered = orderSources(sources)
  if (ordered.length === 0) return { ok: false, errors: [{ file: '.', line: 0, col: 0, message: 'no rules files (*.yaml) found' }] }

  let calendar: { spec: CalendarSpec | undefined; where: string } | undefined
  let fallback: { action: FinalAction | undefined; where: string } | undefined
  const lines = new Map<string, { info: LineInfo; where: string }>()
  const rules: NonNullable<ReadRule['rule']>[] = []
  const ruleNames = new Map<string, string>()

  for (const source of ordered) {
    const file = new YamlFile(source.file, source.text, errors)
    const root = file.root
    if (root === null || file.isEmpty(root)) continue
    const sections = file.fields(root, `file ${source.file}`, SECTIONS)
    if (!sections) continue
    const where = (node: Node): string => `${source.file}:${file.lines.linePos(node.range?.[0] ?? 0).line}`

    const calendarField = sections.get('calendar')
    if (calendarField) {
      if (calendar) file.error(calendarField.key, `calendar is already defined at ${calendar.where}; a set has one calendar`)
      else calendar = { spec: readCalendar(file, calendarField.value), where: where(calendarField.key) }
    }
    const fallbackField = sections.get('fallback')
    if (fallbackField) {
      if (fallback) file.error(fallbackField.key, `fallback is already defined at ${fallback.where}; a set has one fallback`)
      else fallback = { action: readFinalAction(file, fallbackField.value, 'fallback'), where: where(fallbackField.key) }
    }
    const linesField = sections.get('lines')
    for (const line of linesField ? readLines(file, linesField.value, catalog) : []) {
      const earlier = lines.get(line.info.number)
      if (earlier) file.error(line.node, `line ${line.info.number} is already defined at ${earlier.where}`)
      else lines.set(line.info.number, { info: line.info, where: where(line.node) })
    }
    const rulesField = sections.get('rules')
    for (const read of rulesField ? readRules(file, rulesField.value, catalog) : []) {
      if (read.name !== undefined) {
        const earlier = ruleNames.get(read.name)
        if (earlier) file.error(read.nameNode, `rule name '${read.name}' is already used at ${earlier}; names must differ so traces and tests can tell rules apart`)
        else ruleNames.set(read.name, read.source)
      }
      if (read.rule) rules.push(read.rule)
    }
  }

  if (!calendar) {
    errors.push({ file: ordered[0]!.file, line: 1, col: 1, message: 'no calendar: one file of the set needs a calendar section with timezone and hours' })
  }
  if (errors.length > 0 || !calendar?.spec || (fallback && !fallback.action)) {
    return { ok: false, errors: sortRuleErrors(errors) }
  }

  const finalFallback = fallback?.action ?? DEFAULT_FALLBACK
  const compiled: CompiledRule[] = rules.map((rule) => Object.freeze({ ...rule, otherwise: rule.otherwise ?? finalFallback }))
  const ruleSet: RuleSet = Object.freeze({
    version: rulesHash(sources),
    loadedAt: (options.now ?? Date.now)(),
    calendar: createBusinessCalendar(calendar.spec),
    rules: Object.freeze(compiled),
    lines: new Map([...lines].map(([number, { info }]) => [number, Object.freeze(info)])),
    fallback: finalFallback,
  })
  return { ok: true, ruleSet }
}
