/**
 * `when` conditions: CEL expressions over the RuleContext, parsed and
 * type-checked once at load against a declared environment, so a misspelt
 * field or a comparison of text with a number is a load-time error. At call
 * time a condition reads a CEL view of the context built once per decision.
 */
import { Environment } from '@marcbachmann/cel-js'
import type { RuleContext } from '../routing/types.js'
import { withSuggestion } from './errors.js'

type CelType = 'string' | 'int' | 'double' | 'bool'

/**
 * The CEL type of every RuleContext field. Mapped over RuleContext so that a
 * field added to the core's context fails to compile here until it is declared.
 * Text that may be missing (null) is read as empty text "", so conditions
 * never fail on a missing value: `customer.tier == "vip"` is simply false.
 */
const CONTEXT_SCHEMA: { [V in keyof RuleContext]: { [F in keyof RuleContext[V]]-?: CelType } } = {
  caller: { number: 'string', known: 'bool', anonymous: 'bool' },
  customer: {
    id: 'string',
    tier: 'string',
    segment: 'string',
    language: 'string',
    overdueAmount: 'double',
    overdueDays: 'int',
    blocked: 'bool',
    hasOwner: 'bool',
    openDealStage: 'string',
  },
  line: { number: 'string', source: 'string', campaign: 'string', product: 'string' },
  interaction: { kind: 'string', channel: 'string' },
  time: { hour: 'int', minute: 'int', weekday: 'int', businessHours: 'bool', holiday: 'bool' },
}

type CelValue = string | bigint | number | boolean
type CelRecord = Record<string, CelValue>
type Activation = Record<string, CelRecord>

const VARIABLES = Object.keys(CONTEXT_SCHEMA) as (keyof RuleContext)[]
const FIELDS = VARIABLES.map((v) => [v, Object.entries(CONTEXT_SCHEMA[v]) as [string, CelType][]] as const)

/**
 * Each variable is a registered type with its own class. Handing CEL ready
 * instances (built once per decision) spares it converting plain objects on
 * every evaluation, which costs about 40 % more time and garbage per condition.
 */
const CLASSES = Object.fromEntries(VARIABLES.map((v) => {
  const name = v[0]!.toUpperCase() + v.slice(1)
  return [v, { name, ctor: { [name]: class {} }[name]! as new () => CelRecord }]
})) as Record<keyof RuleContext, { name: string; ctor: new () => CelRecord }>

const environment = new Environment({ limits: { maxAstNodes: 2000, maxDepth: 50 } })
for (const v of VARIABLES) {
  environment.registerType(CLASSES[v].name, { ctor: CLASSES[v].ctor, fields: CONTEXT_SCHEMA[v] })
  environment.registerVariable(v, CLASSES[v].name)
}

/** Names a condition can read, for documentation and error messages: `customer.tier`, ... */
export const CONDITION_FIELDS: readonly string[] = FIELDS.flatMap(([v, fs]) => fs.map(([f]) => `${v}.${f}`))

export type CompiledCondition =
  | { ok: true; test: (ctx: RuleContext) => boolean }
  | { ok: false; offset: number; message: string }

/**
 * Parses and type-checks a condition. On failure, `offset` is where in the
 * expression the mistake is, and `message` says what it is in plain words.
 */
export function compileCondition(expression: string): CompiledCondition {
  let evaluate: (activation: Activation) => unknown
  try {
    const parsed = environment.parse(expression)
    const checked = parsed.check()
    if (!checked.valid) {
      const e = checked.error!
      return { ok: false, offset: e.range?.start ?? 0, message: describeTypeError(expression, e.code, e.summary, e.range?.start ?? 0) }
    }
    if (checked.type !== 'bool') {
      return { ok: false, offset: 0, message: `condition must be true or false, but it gives ${checked.type ?? 'another type'}` }
    }
    evaluate = parsed
  } catch (err) {
    const e = err as { summary?: string; message?: string; range?: { start: number } }
    const start = e.range?.start ?? 0
    return { ok: false, offset: start, message: `condition does not parse: ${e.summary ?? e.message ?? String(err)}` }
  }
  return { ok: true, test: (ctx) => evaluate(activationOf(ctx)) === true }
}

// The core evaluates many rules against one context; convert it once.
const activations = new WeakMap<RuleContext, Activation>()

function activationOf(ctx: RuleContext): Activation {
  let activation = activations.get(ctx)
  if (activation === undefined) {
    activation = toActivation(ctx)
    activations.set(ctx, activation)
  }
  return activation
}

/** The CEL view of a context: integers as BigInt, missing text as "". */
export function toActivation(ctx: RuleContext): Activation {
  const out: Activation = {}
  for (const [variable, fields] of FIELDS) {
    const source = ctx[variable] as unknown as Record<string, unknown>
    const target = new CLASSES[variable].ctor()
    for (const [field, type] of fields) {
      const value = source?.[field]
      switch (type) {
        case 'string': target[field] = typeof value === 'string' ? value : ''; break
        case 'int': target[field] = BigInt(Math.trunc(typeof value === 'number' && Number.isFinite(value) ? value : 0)); break
        case 'double': target[field] = typeof value === 'number' ? value : 0; break
        case 'bool': target[field] = value === true; break
      }
    }
    out[variable] = target
  }
  return out
}

function describeTypeError(expression: string, code: string, summary: string, start: number): string {
  if (code === 'unknown_variable') {
    const name = summary.replace(/^Unknown variable: /, '')
    return withSuggestion(`unknown name '${name}' in condition (a condition can read ${VARIABLES.join(', ')})`, name, VARIABLES)
  }
  if (code === 'no_such_key') {
    const field = summary.replace(/^No such key: /, '')
    const owner = /([A-Za-z_]\w*)\s*\.\s*$/.exec(expression.slice(0, start))?.[1] as keyof RuleContext | undefined
    const known = owner && owner in CONTEXT_SCHEMA ? Object.keys(CONTEXT_SCHEMA[owner]) : []
    if (known.length === 0) return `unknown field '${field}' in condition`
    return withSuggestion(`unknown field '${field}' of ${owner} (known: ${known.join(', ')})`, field, known)
  }
  if (code === 'no_such_overload' || code === 'no_matching_overload') {
    return `wrong type in condition: ${summary.replace(/^no such overload: /, 'cannot apply ')}`
  }
  if (code === 'cannot_index_type') {
    return `wrong type in condition: ${summary.replace(/^Cannot index type '(\w+)'.*/, "a value of type $1 has no fields")}`
  }
  return `condition: ${summary}`
}
