/** Turning rule errors into the `file:line:col: message` lines admins read. */
import type { RuleError } from './types.js'

/** `file:line:col: message`; `file: message` when the error has no place in the file. */
export function formatRuleError(error: RuleError, fileName: (file: string) => string = (f) => f): string {
  const file = fileName(error.file)
  if (error.line === 0) return `${file}: ${error.message}`
  return `${file}:${error.line}:${error.col}: ${error.message}`
}

/** Errors in reading order: by file, then line, then column. */
export function sortRuleErrors(errors: readonly RuleError[]): RuleError[] {
  return [...errors].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col)
}

/** The closest of `known` to a misspelt `name`, when one is close enough to suggest. */
export function closestName(name: string, known: Iterable<string>): string | null {
  let best: string | null = null
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) { best = candidate; bestDistance = d }
  }
  return best
}

/** Appends "; did you mean 'x'?" when a close name exists. */
export function withSuggestion(message: string, name: string, known: Iterable<string>): string {
  const guess = closestName(name, known)
  return guess === null ? message : `${message}; did you mean '${guess}'?`
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
    }
    previous = current
  }
  return previous[b.length]!
}
