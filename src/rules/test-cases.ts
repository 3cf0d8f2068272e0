/**
 * Admins' test cases, `tests/*.yaml` next to the rules: a caller, their
 * customer record, the dialed line, a moment, the agents on shift, and what
 * must happen. Agents listed at the top of a file are on shift in every case
 * of that file; a case may change their state or add more.
 *
 *   agents:
 *     a-anna: { team: vip-desk, skills: { product:crm: 8 } }
 *   tests:
 *     - name: VIP caller reaches the owner
 *       at: 2025-03-12 11:00          # local time of the rules' time zone
 *       caller: "+79161234567"
 *       dialed: "+74951234567"
 *       customer: { tier: vip, owner: a-anna }
 *       agents: { a-anna: available }
 *       expect: { rule: VIP customers, agent: a-anna }
 */
import { isMap, isScalar } from 'yaml'
import type { Node } from 'yaml'
import type { Channel, CustomerSummary, FinalAction, InteractionKind, LineInfo } from '../routing/types.js'
import type { LocalDateTime } from './calendar.js'
import { readFinalAction } from './final-action.js'
import { readLine } from './line-section.js'
import { oneOf, readAgents, readCustomer } from './test-world.js'
import type { TestAgent } from './test-world.js'
import type { RuleError } from './types.js'
import type { YamlFile } from './yaml-reader.js'

export type { TestAgent }

export interface TestExpectation {
  /** Rule name; null means "no rule matches" (the fallback applies). */
  rule?: string | null
  /** The agents offered first, in order (one name for `agent:`). */
  agents?: string[]
  final?: FinalAction
  /** Whether `cause:` was written for a reject, so only then is it compared. */
  compareCause: boolean
}

export interface TestCase {
  name: string
  /** `tests/vip.yaml:12`, for reports. */
  where: string
  at: number
  caller: string | null
  dialed: string | null
  line: LineInfo | null
  kind: InteractionKind
  channel: Channel
  product: string | null
  customer: CustomerSummary | null
  agents: TestAgent[]
  expect: TestExpectation
}

const KINDS: readonly InteractionKind[] = ['call', 'web-visit', 'callback', 'chat']
const CHANNELS: readonly Channel[] = ['sip', 'ami', 'http', 'web']
const E164 = /^\+[1-9]\d{6,14}$/
const CASE_FIELDS = ['name', 'at', 'caller', 'dialed', 'line', 'kind', 'channel', 'product', 'customer', 'agents', 'expect'] as const
const ACTION_KEYS = ['queue', 'voicemail', 'reject', 'call-back', 'cause'] as const
const EXPECT_FIELDS = ['rule', 'agent', 'agents', ...ACTION_KEYS] as const

/** Turns local times of the rules' time zone into instants (a ZonedBusinessCalendar does). */
export interface LocalClock {
  timeZone: string
  toEpoch(local: LocalDateTime): number
}

/** Reads one test file; `errors` is the sink the file reports into. */
export function readTestFile(file: YamlFile, calendar: LocalClock, errors: readonly RuleError[]): TestCase[] {
  const root = file.root
  if (root === null || file.isEmpty(root)) return []
  const top = file.fields(root, 'test file', ['agents', 'tests'])
  if (!top) return []
  const before = errors.length
  const shared = new Map<string, TestAgent>()
  const agentsField = top.get('agents')
  if (agentsField) readAgents(file, agentsField.value, shared)
  const testsField = top.get('tests')
  if (!testsField) {
    file.error(root, "a test file needs 'tests', a list of cases")
    return []
  }
  const out: TestCase[] = []
  for (const item of file.list(testsField.value, 'tests') ?? []) {
    const c = readCase(file, item, calendar, shared)
    if (c) out.push(c)
  }
  return errors.length > before ? [] : out
}

function readCase(file: YamlFile, node: Node, calendar: LocalClock, shared: Map<string, TestAgent>): TestCase | undefined {
  const f = file.fields(node, 'test case', CASE_FIELDS)
  if (!f) return undefined
  const where = `${file.name}:${file.lines.linePos(node.range?.[0] ?? 0).line}`
  const need = (name: (typeof CASE_FIELDS)[number]): Node | undefined => {
    const field = f.get(name)
    if (!field) file.error(node, `a test case needs '${name}'`)
    return field?.value
  }
  const nameNode = need('name')
  const name = nameNode ? file.text(nameNode, 'test name') : undefined
  const atNode = need('at')
  const at = atNode ? readMoment(file, atNode, calendar) : undefined
  const caller = f.has('caller') ? readPhone(file, f.get('caller')!.value, 'caller', true) : null
  const dialed = f.has('dialed') ? readPhone(file, f.get('dialed')!.value, 'dialed', false) : null
  const lineField = f.get('line')
  const line = lineField
    ? (dialed ? readLine(file, dialed, lineField.value, null) : void file.error(lineField.key, "'line' describes the dialed number; add 'dialed'"))
    : null
  const kind = f.has('kind') ? oneOf(file, f.get('kind')!.value, 'kind', KINDS) : 'call'
  const channel = f.has('channel') ? oneOf(file, f.get('channel')!.value, 'channel', CHANNELS) : 'sip'
  const product = f.has('product') ? file.text(f.get('product')!.value, 'product') : null
  const customer = f.has('customer') && at !== undefined ? readCustomer(file, f.get('customer')!.value, at) : null
  const agents = new Map([...shared].map(([id, a]) => [id, { ...a }]))
  const agentsField = f.get('agents')
  const agentsOk = agentsField ? readAgents(file, agentsField.value, agents) : true
  const expectNode = need('expect')
  const expect = expectNode ? readExpectation(file, expectNode) : undefined
  if (name === undefined || at === undefined || caller === undefined || dialed === undefined || line === undefined ||
    kind === undefined || channel === undefined || product === undefined || customer === undefined || !agentsOk || !expect) {
    return undefined
  }
  return { name, where, at, caller, dialed, line, kind, channel, product, customer, agents: [...agents.values()], expect }
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})$/

/** `2025-03-12 11:00` in the rules' time zone, or an ISO instant with its offset. */
function readMoment(file: YamlFile, node: Node, calendar: LocalClock): number | undefined {
  const text = file.text(node, 'at')
  if (text === undefined) return undefined
  const m = LOCAL.exec(text)
  if (m) {
    const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number]
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60) {
      return calendar.toEpoch({ year, month, day, hour, minute })
    }
  } else if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(text) && !Number.isNaN(Date.parse(text))) {
    return Date.parse(text)
  }
  return void file.error(node, `bad time '${text}'; write it like 2025-03-12 11:00 (local time of ${calendar.timeZone})`)
}

function readPhone(file: YamlFile, node: Node, what: string, anonymousAllowed: boolean): string | null | undefined {
  if (anonymousAllowed && file.isEmpty(node)) return null
  const raw = isScalar(node) ? file.sourceOf(node).replace(/^['"]|['"]$/g, '') : ''
  if (anonymousAllowed && raw.toLowerCase() === 'anonymous') return null
  const number = raw.replace(/[\s()-]/g, '')
  if (E164.test(number)) return number
  return void file.error(node, `${what} ${file.describe(node)} is not in E.164 form; write it like "+79161234567"${anonymousAllowed ? " or 'anonymous'" : ''}`)
}

function readExpectation(file: YamlFile, node: Node): TestExpectation | undefined {
  const f = file.fields(node, 'expect', EXPECT_FIELDS)
  if (!f) return undefined
  const out: TestExpectation = { compareCause: f.has('cause') }
  let ok = true
  const ruleField = f.get('rule')
  if (ruleField) {
    const rule = file.text(ruleField.value, 'rule')
    if (rule === undefined) ok = false
    else out.rule = rule.toLowerCase() === 'none' ? null : rule
  }
  const agentField = f.get('agent')
  const agentsField = f.get('agents')
  if (agentField && agentsField) {
    file.error(agentsField.key, "write either 'agent' (the first one offered) or 'agents' (the first ones, in order)")
    ok = false
  } else if (agentField) {
    const agent = file.text(agentField.value, 'agent')
    if (agent === undefined) ok = false
    else out.agents = [agent]
  } else if (agentsField) {
    const items = file.list(agentsField.value, 'agents')
    const names = items?.map((i) => file.text(i, 'agent'))
    if (!names || names.some((n) => n === undefined)) ok = false
    else out.agents = names as string[]
  }
  const hasAction = ACTION_KEYS.some((k) => f.has(k))
  if (hasAction) {
    // The final action is written as in the rules; read it from the same node without the other keys.
    const action = readActionOnly(file, node)
    if (action === undefined) ok = false
    else out.final = action
  }
  if (!ruleField && !agentField && !agentsField && !hasAction) {
    file.error(node, "expect needs at least one of: rule, agent, agents, queue, voicemail, reject")
    ok = false
  }
  return ok ? out : undefined
}

function readActionOnly(file: YamlFile, node: Node): FinalAction | undefined {
  if (!isMap(node)) return undefined
  const copy = node.clone() as typeof node
  copy.items = copy.items.filter((p) => isScalar(p.key) && (ACTION_KEYS as readonly string[]).includes(String(p.key.value)))
  copy.range = node.range
  return readFinalAction(file, copy, 'expect')
}
