/**
 * Prepared statements of one embedded session, run through SQL's PREPARE and EXECUTE. PGlite plans
 * a statement each time it is sent with parameters, and a big one (the card: ten subqueries) costs
 * more to plan than to run. EXECUTE takes no bound parameters, so values are written as literals:
 * numbers as they are, strings quoted with their quotes doubled. A string with a backslash or a NUL
 * is not (whether a backslash escapes depends on a setting), and the statement is sent as it is.
 */
export class PreparedStatements {
  private readonly names = new Map<string, string>()

  /** `exec` runs a statement on the session (PREPARE). */
  constructor(private readonly exec: (sql: string) => Promise<void>) {}

  /**
   * The EXECUTE statement that runs `sql` with these values, preparing it first if need be; null
   * when a value cannot be written as a literal (the caller then sends the statement as it is).
   */
  async execute(sql: string, params: readonly unknown[]): Promise<string | null> {
    const literals: string[] = []
    for (const value of params) {
      if (typeof value === 'bigint') literals.push(value.toString())
      else if (typeof value === 'number' && Number.isFinite(value)) literals.push(String(value))
      else if (typeof value === 'string' && !/[\\\u0000]/.test(value)) literals.push(`'${value.replaceAll("'", "''")}'`)
      else return null
    }
    let name = this.names.get(sql)
    if (name === undefined) {
      name = `embedded_${this.names.size + 1}`
      await this.exec(`prepare ${name} as ${sql}`)
      this.names.set(sql, name)
    }
    return literals.length === 0 ? `execute ${name}` : `execute ${name}(${literals.join(', ')})`
  }
}
