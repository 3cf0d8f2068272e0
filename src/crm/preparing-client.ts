import pg from 'pg'

/** Statement names kept per connection; the rest run unnamed. */
const MAX_NAMED = 200
/** Query texts counted per connection at most before the count starts again: one-off texts never pile up. */
const MAX_COUNTED = 1000
/** A query text is prepared once it has been seen this often on a connection (one-off queries are not). */
const PREPARE_AFTER = 3
/** PostgreSQL: "cached plan must not change result type" — a table changed under a prepared statement. */
const STALE_PLAN = '0A000'

type QueryFn = (...args: unknown[]) => unknown

/**
 * A pg client that turns the queries it runs repeatedly into named prepared
 * statements, so PostgreSQL parses and plans them once per connection instead
 * of on every call (planning costs more than running an indexed lookup). A
 * statement made stale by a schema change is forgotten and run again unnamed.
 */
export class PreparingClient extends pg.Client {
  private readonly uses = new Map<string, number>()
  private readonly names = new Map<string, string>()
  private nextName = 0

  constructor(config?: string | pg.ClientConfig) {
    super(config)
    const query = super.query.bind(this) as QueryFn
    this.query = ((text: unknown, values?: unknown, callback?: unknown) => {
      // Only plain (text, values) promise calls are ours to name; everything else passes through.
      // Texts without parameters (migrations, pings) may hold several statements, which cannot be prepared.
      if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || callback !== undefined) return query(text, values, callback)
      const name = this.nameFor(text)
      if (name === undefined) return query(text, values)
      return (query({ name, text, values }) as Promise<unknown>).catch((err: { code?: string }) => {
        if (err.code !== STALE_PLAN) throw err
        this.names.delete(text)
        return query(text, values)
      })
    }) as typeof this.query
  }

  private nameFor(text: string): string | undefined {
    const known = this.names.get(text)
    if (known !== undefined || this.names.size >= MAX_NAMED) return known
    const uses = (this.uses.get(text) ?? 0) + 1
    if (uses < PREPARE_AFTER) {
      if (this.uses.size >= MAX_COUNTED) this.uses.clear()
      this.uses.set(text, uses)
      return undefined
    }
    this.uses.delete(text)
    const name = `cti_${this.nextName++}`
    this.names.set(text, name)
    return name
  }
}
