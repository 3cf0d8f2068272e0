/** A refused row of an import: its line in the file and why. */
export interface RowError {
  line: number
  reason: string
}

/**
 * The first `cap` errors by line, and how many there were in all: a file of a
 * million bad rows answers with a page of them, not megabytes. Errors arrive
 * nearly in line order (a batch's database clashes come after the next rows'
 * own errors), so an insert in order rarely moves much.
 */
export class FirstErrors {
  total = 0
  private readonly kept: RowError[] = []

  constructor(private readonly cap: number) {}

  add(error: RowError): void {
    this.total++
    const kept = this.kept
    if (kept.length >= this.cap && error.line >= kept[kept.length - 1]!.line) return
    let at = kept.length
    while (at > 0 && kept[at - 1]!.line > error.line) at--
    kept.splice(at, 0, error)
    if (kept.length > this.cap) kept.pop()
  }

  list(): RowError[] {
    return [...this.kept]
  }
}

/** What csv-parse tells of where it is: lines read so far, and how many of them were empty. */
export interface LineContext {
  lines: number
  empty_lines: number
}

/**
 * The line each CSV record starts on. csv-parse counts the line a record ends on; a quoted field
 * may span lines, and an unclosed quote is only noticed at the end of the file. A record starts on
 * the line after the previous one ended, past any empty lines skipped between them.
 */
export class RecordLines {
  private lastEnd = 1
  private emptyBefore = 0

  /** For a record (or a refused one) just completed: the line it started on. */
  recordStart(context: LineContext): number {
    const start = this.lastEnd + 1 + (context.empty_lines - this.emptyBefore)
    this.lastEnd = context.lines
    this.emptyBefore = context.empty_lines
    return start
  }
}
