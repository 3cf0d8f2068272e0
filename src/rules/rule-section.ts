/**
 * The `rules:` section — an ordered list; the first rule whose `when` holds
 * decides the route:
 *
 *   rules:
 *     - name: VIP customers
 *       when: customer.tier == "vip"
 *       priority: 10
 *       route:
 *         - owner
 *         - team: vip-desk
 *       otherwise: { queue: vip }
 *     - name: blocked numbers
 *       when: customer.blocked
 *       then: { reject: 603 }
 */
import { isMap, isScalar } from 'yaml'
import type { Node, Scalar } from 'yaml'
import type { CompiledRule, FinalAction, RouteStep } from '../routing/types.js'
import { compileCondition } from './condition.js'
import { readFinalAction } from './final-action.js'
import { readRouteStep } from './route-step.js'
import type { RulesCatalog } from './types.js'
import type { YamlFile } from './yaml-reader.js'

const RULE_FIELDS = ['name', 'when', 'priority', 'route', 'otherwise', 'then'] as const

/**
 * A rule read from a file — null when it has mistakes, but still with its name
 * so duplicate names are found among broken rules too. `otherwise` is null
 * when the set's fallback applies.
 */
export interface ReadRule {
  rule: (Omit<CompiledRule, 'otherwise'> & { otherwise: FinalAction | null }) | null
  name: string | undefined
  nameNode: Node | undefined
  source: string
  /** Where `queue: NAME` was written in its then/otherwise, to report a queue not configured. */
  queueNode?: Node
}

export function readRules(file: YamlFile, node: Node, catalog: RulesCatalog): ReadRule[] {
  if (file.isEmpty(node)) return []
  const items = file.list(node, 'rules')
  if (!items) return []
  const out: ReadRule[] = []
  for (const item of items) {
    const rule = readRule(file, item, catalog)
    if (rule) out.push(rule)
  }
  return out
}

function readRule(file: YamlFile, node: Node, catalog: RulesCatalog): ReadRule | undefined {
  const fields = file.fields(node, 'rule', RULE_FIELDS)
  if (!fields) return undefined
  let ok = true
  const fail = (): undefined => { ok = false; return undefined }

  const nameField = fields.get('name')
  const name = nameField ? file.text(nameField.value, 'rule name') ?? fail() : fail()
  if (!nameField) file.error(node, 'a rule needs a name, e.g. name: VIP customers')

  const whenField = fields.get('when')
  let when: CompiledRule['when']
  if (whenField) {
    const expression = isScalar(whenField.value) ? whenField.value.value : undefined
    if (whenField.value.tag !== undefined && expression === '') {
      // A bare `!condition` was read as a YAML tag; the file reader has reported it.
      fail()
    } else if (expression === true) {
      // `when: true` is written out "always"; the same as leaving `when` out.
    } else if (typeof expression !== 'string' || expression.trim() === '') {
      file.error(whenField.value, `'when' must be a condition such as customer.tier == "vip", got ${file.describe(whenField.value)}`)
      fail()
    } else {
      const compiled = compileCondition(expression)
      if (compiled.ok) when = compiled.test
      else {
        file.errorAt(offsetInScalar(file, whenField.value as Scalar, expression, compiled.offset), compiled.message)
        fail()
      }
    }
  }

  const priorityField = fields.get('priority')
  const priority = priorityField ? file.wholeNumber(priorityField.value, 'priority', -1000, 1000) ?? fail() : 0

  const routeField = fields.get('route')
  const thenField = fields.get('then')
  const otherwiseField = fields.get('otherwise')
  let steps: RouteStep[] = []
  let otherwise: FinalAction | null = null
  if (routeField && thenField) {
    file.error(thenField.key, "a rule has either 'route' (whom to ring) or 'then' (what to do at once), not both")
    fail()
  } else if (thenField && otherwiseField) {
    file.error(otherwiseField.key, "'otherwise' follows a 'route'; with 'then' the rule acts at once")
    fail()
  } else if (!routeField && !thenField) {
    file.error(node, "a rule needs 'route' (whom to ring) or 'then' (what to do at once)")
    fail()
  }
  const waits: Node[] = []
  if (routeField) {
    const items = file.list(routeField.value, 'route')
    if (items && items.length === 0) file.error(routeField.value, 'route lists no steps')
    if (!items || items.length === 0) fail()
    for (const item of items ?? []) {
      const step = readRouteStep(file, item, catalog)
      if (step) steps.push(step)
      else fail()
      if (step?.waitSeconds !== undefined) waits.push(item)
    }
  }
  const actionField = thenField ?? otherwiseField
  if (actionField) otherwise = readFinalAction(file, actionField.value, actionField.name) ?? fail() ?? null
  if (waits.length > 0 && otherwise !== null && otherwise.kind !== 'queue') {
    file.error(waits[0], "a step's wait needs the rule to end in a queue, where the call waits: write otherwise: { queue: NAME }")
    fail()
  } else if (waits.length > 0 && !otherwiseField) {
    file.error(waits[0], "a step's wait needs the rule to end in a queue, where the call waits: add otherwise: { queue: NAME }")
    fail()
  } else if (steps.length > 0 && steps[steps.length - 1]!.waitSeconds !== undefined) {
    file.error(waits[waits.length - 1], "the last step's wait has no next step to widen to; the queue's longest wait already applies, so leave it out")
    fail()
  }

  const source = `${file.name}:${file.lines.linePos(node.range?.[0] ?? 0).line}`
  return {
    rule: ok && name !== undefined ? { name, source, priority: priority ?? 0, ...(when ? { when } : {}), steps, otherwise } : null,
    name,
    nameNode: nameField?.value,
    source,
    ...(otherwise?.kind === 'queue' && actionField ? { queueNode: queueValueNode(actionField.value) } : {}),
  }
}

/** The `NAME` node of `{ queue: NAME }`, or the action itself when written otherwise. */
function queueValueNode(node: Node): Node {
  if (isMap(node)) for (const pair of node.items) if (isScalar(pair.key) && pair.key.value === 'queue' && pair.value) return pair.value as Node
  return node
}

/**
 * Where in the file an offset inside a condition falls. The condition's
 * characters appear in the file in order, but quoting, escapes and the
 * indentation of multi-line scalars move them, so the non-blank characters
 * of the value are matched one by one against the file's text.
 */
export function offsetInScalar(file: YamlFile, node: Scalar, value: string, offset: number): number {
  const [start, end] = node.range ?? [0, 0]
  const text = file.content
  let j = start
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    const newline = text.indexOf('\n', start)
    j = newline === -1 ? end : newline + 1
  } else if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') {
    j = start + 1
  }
  let lastMatched = j
  for (let i = 0; i < value.length && j < end; i++) {
    const c = value[i]!
    if (/\s/.test(c)) {
      if (i >= offset) return lastMatched
      continue
    }
    while (j < end && text[j] !== c) j++
    if (j >= end) break
    if (i >= offset) return j
    lastMatched = ++j
  }
  return lastMatched
}
