/**
 * Reading one YAML rules file while keeping every node's place, so each
 * mistake is reported as `file:line:col`. Readers record an error and return
 * undefined instead of throwing: a file is read to the end and every mistake
 * in it is listed, not just the first.
 */
import { LineCounter, Scalar, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml'
import type { Node, YAMLMap } from 'yaml'
import { DURATION_HINT, parseDuration } from './duration.js'
import { withSuggestion } from './errors.js'
import type { RuleError } from './types.js'

/** One `key: value` of a map, with the key's node for pointing at it. */
export interface Field {
  name: string
  key: Scalar
  /** The value node; a Scalar holding null when the value was left empty. */
  value: Node
}

export class YamlFile {
  readonly lines = new LineCounter()
  /** The document's top node, or null when the file is empty or does not parse. */
  readonly root: Node | null

  constructor(
    readonly name: string,
    readonly content: string,
    private readonly sink: RuleError[],
  ) {
    const doc = parseDocument(content, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true })
    for (const e of doc.errors) this.errorAt(e.pos[0], yamlMessage(e.message))
    for (const e of doc.warnings) this.errorAt(e.pos[0], yamlMessage(e.message))
    this.root = doc.errors.length > 0 ? null : (doc.contents as Node | null)
  }

  errorAt(offset: number, message: string): void {
    const { line, col } = this.lines.linePos(offset)
    this.sink.push({ file: this.name, line, col, message })
  }

  /** Records an error at the start of `node` (at the file start when there is no node). */
  error(node: Node | null | undefined, message: string): void {
    this.errorAt(node?.range?.[0] ?? 0, message)
  }

  /** The text of `node` exactly as written in the file (quotes included). */
  sourceOf(node: Node): string {
    const range = node.range
    return range ? this.content.slice(range[0], range[1]) : ''
  }

  /**
   * The fields of a map, checking each key against `known`. Unknown keys are
   * reported (with a suggestion for near misses) and left out.
   */
  fields(node: Node, what: string, known: readonly string[]): Map<string, Field> | undefined {
    if (isAlias(node)) return void this.error(node, 'anchors and aliases (& and *) are not supported in rules files')
    if (!isMap(node)) return void this.error(node, `${what} must be a set of "name: value" lines`)
    const out = new Map<string, Field>()
    for (const pair of (node as YAMLMap<unknown, unknown>).items) {
      const key = pair.key as Node | null
      if (!isScalar(key) || key.value === null || typeof key.value === 'object') {
        this.error(key, `${what}: a field name must be a plain word`)
        continue
      }
      const name = String(key.value)
      if (!known.includes(name)) {
        this.error(key, withSuggestion(`unknown field '${name}' in ${what} (known: ${known.join(', ')})`, name, known))
        continue
      }
      const value = (pair.value as Node | null) ?? emptyScalarAfter(key)
      out.set(name, { name, key, value })
    }
    return out
  }

  /** The items of a list. */
  list(node: Node, what: string): Node[] | undefined {
    if (isAlias(node)) return void this.error(node, 'anchors and aliases (& and *) are not supported in rules files')
    if (!isSeq(node)) return void this.error(node, `${what} must be a list (lines starting with "- ")`)
    return node.items as Node[]
  }

  /** True when the node is an empty value (`key:` with nothing after it). */
  isEmpty(node: Node): boolean {
    return isScalar(node) && node.value === null
  }

  /**
   * A piece of text. Numbers and other plain values count as text as written,
   * so `+74951234567`, `2025` and `09:00` keep their exact spelling.
   */
  text(node: Node, what: string): string | undefined {
    if (!isScalar(node) || typeof node.value === 'object') {
      return void this.error(node, node && isScalar(node) ? `${what} is empty` : `${what} must be a single value`)
    }
    const text = typeof node.value === 'string' ? node.value : this.sourceOf(node)
    if (text.trim() === '') return void this.error(node, `${what} is empty`)
    return text.trim()
  }

  /** A whole number within [min, max]. */
  wholeNumber(node: Node, what: string, min: number, max: number): number | undefined {
    const n = isScalar(node) ? node.value : undefined
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      return void this.error(node, `${what} must be a whole number, got ${this.describe(node)}`)
    }
    if (n < min || n > max) return void this.error(node, `${what} must be between ${min} and ${max}, got ${n}`)
    return n
  }

  /** A number (fractions allowed) at or above `min`. */
  number(node: Node, what: string, min: number): number | undefined {
    const n = isScalar(node) ? node.value : undefined
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      return void this.error(node, `${what} must be a number, got ${this.describe(node)}`)
    }
    if (n < min) return void this.error(node, `${what} must be ${min} or more, got ${n}`)
    return n
  }

  /** yes/no (true/false, on/off are accepted too). */
  flag(node: Node, what: string): boolean | undefined {
    const v = isScalar(node) ? node.value : undefined
    if (typeof v === 'boolean') return v
    if (typeof v === 'string') {
      const word = v.trim().toLowerCase()
      if (word === 'yes' || word === 'on') return true
      if (word === 'no' || word === 'off') return false
    }
    return void this.error(node, `${what} must be yes or no, got ${this.describe(node)}`)
  }

  /** A duration in seconds, within [minSeconds, maxSeconds]. */
  duration(node: Node, what: string, minSeconds: number, maxSeconds: number): number | undefined {
    const v = isScalar(node) ? node.value : undefined
    if (typeof v === 'number') return void this.error(node, `${what} '${v}' has no unit; ${DURATION_HINT}`)
    const seconds = typeof v === 'string' ? parseDuration(v) : null
    if (seconds === null) return void this.error(node, `${what}: bad duration ${this.describe(node)}; ${DURATION_HINT}`)
    if (seconds < minSeconds || seconds > maxSeconds) {
      return void this.error(node, `${what} must be between ${spell(minSeconds)} and ${spell(maxSeconds)}, got ${String(v)}`)
    }
    return seconds
  }

  /** A short description of a value for messages: `'abc'`, `12`, `an empty value`, `a list`. */
  describe(node: Node | null | undefined): string {
    if (!node) return 'nothing'
    if (isMap(node)) return 'a set of fields'
    if (isSeq(node)) return 'a list'
    if (isScalar(node)) {
      if (node.value === null) return 'an empty value'
      if (typeof node.value === 'string') return `'${node.value}'`
      return this.sourceOf(node)
    }
    return this.sourceOf(node)
  }
}

/** Where a value left empty (`key:`) sits, so errors about it point just after the key. */
function emptyScalarAfter(key: Scalar): Node {
  const end = key.range?.[1] ?? 0
  const empty = new Scalar(null)
  empty.range = [end, end, end]
  return empty
}

function yamlMessage(message: string): string {
  // The yaml library appends "at line X, column Y" and a source excerpt; the place is printed separately.
  const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '')
  const tag = /^Unresolved tag: (!\S*)/.exec(first)
  if (tag) return `a value starting with '!' must be in quotes, like "${tag[1]}" (YAML reads a bare ! as a tag)`
  return `YAML: ${first}`
}

function spell(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`
  if (seconds % 3600 === 0) return `${seconds / 3600}h`
  if (seconds % 60 === 0) return `${seconds / 60}m`
  return `${seconds}s`
}
