/**
 * Compiling a set of rules files into a RuleSet. Files are taken in order of
 * their names; each may hold any of the sections `calendar`, `lines`, `queues`,
 * `rules` and `fallback`. Rules keep file order, then written order. Calendar and
 * fallback may each be written once in the whole set; a line number, a queue
 * and a rule name may each appear once. Once a set configures queues, every
 * queue it names must be configured, and overflows must not loop. Every mistake in every file is collected.
 */
import { createHash } from 'node:crypto'
import type { Node } from 'yaml'
import type { ChatSettings } from '../routing/chat-settings.js'
import type { CompiledRule, FinalAction, LineInfo, RuleSet } from '../routing/types.js'
import type { QueueSettings } from '../routing/waiting/types.js'
import { checkOverflowLoops, checkQueueReferences, type QueueReference, type Written } from './queue-checks.js'
import { readQueues } from './queue-section.js'
import { createBusinessCalendar } from './calendar.js'
import type { CalendarSpec } from './calendar.js'
import { readCalendar } from './calendar-section.js'
import { readChat } from './chat-section.js'
import { sortRuleErrors } from './errors.js'
import { DEFAULT_FALLBACK, readFinalAction } from './final-action.js'
import { readLines } from './line-section.js'
import { readRules } from './rule-section.js'
import type { ReadRule } from './rule-section.js'
import type { RuleError, RulesCatalog, RulesSource } from './types.js'
import { YamlFile } from './yaml-reader.js'

export const SECTIONS = ['calendar', 'lines', 'queues', 'rules', 'fallback', 'chat'] as const

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
  let chat: { settings: ChatSettings | undefined; where: string } | undefined
  const lines = new Map<string, { info: LineInfo; where: string }>()
  const rules: NonNullable<ReadRule['rule']>[] = []
  const chatRules: NonNullable<ReadRule['rule']>[] = []
  const ruleNames = new Map<string, string>()
  const queues = new Map<string, QueueSettings>()
  const overflowAt = new Map<string, Written>()
  const queueRefs: QueueReference[] = []

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
      if (fallback.action?.kind === 'queue') queueRefs.push({ file, node: fallbackField.value, queue: fallback.action.queue, by: 'the fallback' })
    }
    const chatField = sections.get('chat')
    if (chatField) {
      if (chat) file.error(chatField.key, `chat is already defined at ${chat.where}; a set has one chat section`)
      else chat = { settings: readChat(file, chatField.value, where(chatField.key)), where: where(chatField.key) }
    }
    const queuesField = sections.get('queues')
    for (const q of queuesField ? readQueues(file, queuesField.value) : []) {
      const earlier = queues.get(q.settings.name)
      if (earlier) file.error(q.node, `queue ${q.settings.name} is already configured at ${earlier.source}`)
      else queues.set(q.settings.name, Object.freeze(q.settings))
      if (!earlier && q.overflowNode && q.settings.overflow.kind === 'queue') {
        overflowAt.set(q.settings.name, { file, node: q.overflowNode })
        queueRefs.push({ file, node: q.overflowNode, queue: q.settings.overflow.queue, by: `the overflow of queue ${q.settings.name}` })
      }
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
      // Rules written beside the chat section are the chat's own (ChatSection.rules).
      if (read.rule) (chatField ? chatRules : rules).push(read.rule)
      if (read.rule?.otherwise?.kind === 'queue' && read.queueNode) {
        queueRefs.push({ file, node: read.queueNode, queue: read.rule.otherwise.queue, by: `rule ${read.rule.name}` })
      }
    }
  }
  // A set written before queues were configured (no queues section at all) waits with the defaults.
  if (queues.size > 0) checkQueueReferences(queueRefs, queues)
  checkOverflowLoops(queues, overflowAt, errors)

  if (!calendar) {
    errors.push({ file: ordered[0]!.file, line: 1, col: 1, message: 'no calendar: one file of the set needs a calendar section with timezone and hours' })
  }
  if (errors.length > 0 || !calendar?.spec || (fallback && !fallback.action) || (chat && !chat.settings)) {
    return { ok: false, errors: sortRuleErrors(errors) }
  }

  const finalFallback = fallback?.action ?? DEFAULT_FALLBACK
  const withFallback = (rule: NonNullable<ReadRule['rule']>): CompiledRule => Object.freeze({ ...rule, otherwise: rule.otherwise ?? finalFallback })
  const compiled: CompiledRule[] = rules.map(withFallback)
  const ruleSet: RuleSet = Object.freeze({
    version: rulesHash(sources),
    loadedAt: (options.now ?? Date.now)(),
    calendar: createBusinessCalendar(calendar.spec),
    rules: Object.freeze(compiled),
    lines: new Map([...lines].map(([number, { info }]) => [number, Object.freeze(info)])),
    fallback: finalFallback,
    queues,
    ...(chat?.settings ? { chat: Object.freeze({ ...chat.settings, rules: Object.freeze(chatRules.map(withFallback)) }) } : {}),
  })
  return { ok: true, ruleSet }
}
