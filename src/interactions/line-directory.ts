import type { LineInfo, RuleSet } from '../routing/types.js'

/**
 * Dialed number → line attributes. Lines written in the rules files win;
 * lines kept in the database (PUT /v1/lines) fill in the rest.
 */
export class LineDirectory {
  private readonly stored = new Map<string, LineInfo>()

  /** Replaces every database line (at start-up). */
  load(lines: Iterable<LineInfo>): void {
    this.stored.clear()
    for (const line of lines) this.stored.set(line.number, line)
  }

  set(line: LineInfo): void {
    this.stored.set(line.number, line)
  }

  find(number: string | null, rules: RuleSet): LineInfo | null {
    if (number === null) return null
    return rules.lines.get(number) ?? this.stored.get(number) ?? null
  }
}
