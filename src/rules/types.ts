/**
 * Types of the routing-rules layer: what the compiler needs from the outside
 * (the catalog of known names) and what it hands back (a RuleSet or errors).
 */
import type { RuleSet } from '../routing/types.js'

/**
 * Names that rules may refer to. The server fills it from the CRM store; the
 * `rules` command reads it from `catalog.yaml`. A name used in a rule and
 * missing here is a load-time error.
 */
export interface RulesCatalog {
  agents: ReadonlySet<string>
  skills: ReadonlySet<string>
  teams: ReadonlySet<string>
}

/**
 * One mistake found in the rules files. `file` is relative to the rules
 * directory; `line` and `col` are 1-based (0 when the mistake has no place,
 * such as an empty directory).
 */
export interface RuleError {
  file: string
  line: number
  col: number
  message: string
}

/** One rules file as read from disk: its name relative to the rules directory, and its text. */
export interface RulesSource {
  file: string
  text: string
}

export type LoadResult =
  | { ok: true; ruleSet: RuleSet; files: string[]; hash: string }
  | { ok: false; errors: RuleError[] }
