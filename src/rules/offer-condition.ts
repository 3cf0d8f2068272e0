/**
 * chat.yaml's `offer when`: a CEL condition like the rules' `when`, over what is known of one page
 * view (visit.pages, visit.url, visit.product, visitor.known, visitor.returning). Type-checked at
 * load, so a misspelt field is a load-time error with its place.
 */
import { Environment } from '@marcbachmann/cel-js'
import type { OfferContext } from '../routing/chat-settings.js'
import { withSuggestion } from './errors.js'

const SCHEMA = {
  visit: { pages: 'int', url: 'string', product: 'string' },
  visitor: { known: 'bool', returning: 'bool' }
} as const

class Visit {}
class Visitor {}
const environment = new Environment({ limits: { maxAstNodes: 500, maxDepth: 30 } })
environment.registerType('Visit', { ctor: Visit, fields: SCHEMA.visit })
environment.registerType('Visitor', { ctor: Visitor, fields: SCHEMA.visitor })
environment.registerVariable('visit', 'Visit')
environment.registerVariable('visitor', 'Visitor')

export const OFFER_FIELDS: readonly string[] = Object.entries(SCHEMA).flatMap(([v, fs]) => Object.keys(fs).map((f) => `${v}.${f}`))

export type CompiledOffer = { ok: true; test: (ctx: OfferContext) => boolean } | { ok: false; offset: number; message: string }

/**
 * `a contains "b"` reads as `a.contains("b")`, the way people write it; the rest is CEL. Offsets in
 * errors are of the expression as written up to the first rewrite.
 */
export function rewriteContains(expression: string): string {
  // A quoted text is matched first and kept as it is, so a "contains" written inside one is left alone.
  return expression.replace(
    /("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|([A-Za-z_][\w.]*)\s+contains\s+("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/g,
    (_match: string, quoted: string | undefined, subject: string, text: string) => quoted ?? `${subject}.contains(${text})`
  )
}

export function compileOfferCondition(expression: string): CompiledOffer {
  let evaluate: (activation: Record<string, object>) => unknown
  try {
    const parsed = environment.parse(rewriteContains(expression))
    const checked = parsed.check()
    if (!checked.valid) {
      const e = checked.error!
      return { ok: false, offset: Math.min(e.range?.start ?? 0, expression.length), message: describe(e.code, e.summary) }
    }
    if (checked.type !== 'bool') return { ok: false, offset: 0, message: `offer when must be true or false, but it gives ${checked.type ?? 'another type'}` }
    evaluate = parsed
  } catch (err) {
    const e = err as { summary?: string; message?: string; range?: { start: number } }
    return { ok: false, offset: Math.min(e.range?.start ?? 0, expression.length), message: `offer when does not parse: ${e.summary ?? e.message ?? String(err)}` }
  }
  return { ok: true, test: (ctx) => evaluate(activation(ctx)) === true }
}

function activation(ctx: OfferContext): Record<string, object> {
  const visit = Object.assign(new Visit(), { pages: BigInt(ctx.visit.pages), url: ctx.visit.url, product: ctx.visit.product ?? '' })
  const visitor = Object.assign(new Visitor(), { known: ctx.visitor.known, returning: ctx.visitor.returning })
  return { visit, visitor }
}

function describe(code: string, summary: string): string {
  if (code === 'unknown_variable') {
    const name = summary.replace(/^Unknown variable: /, '')
    return withSuggestion(`unknown name '${name}' in offer when (it can read ${OFFER_FIELDS.join(', ')})`, name, ['visit', 'visitor'])
  }
  if (code === 'no_such_key') {
    const field = summary.replace(/^No such key: /, '')
    return withSuggestion(`unknown field '${field}' in offer when (known: ${OFFER_FIELDS.join(', ')})`, field, OFFER_FIELDS.map((f) => f.split('.')[1]!))
  }
  return `offer when: ${summary}`
}
