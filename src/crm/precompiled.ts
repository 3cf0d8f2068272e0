import type { Compilable, CompiledQuery, Kysely } from 'kysely'
import { prepareOnEmbedded } from './pglite-dialect.js'
import type { Database } from './schema.js'

/**
 * A query built and compiled once per database, then run with new values.
 * On the hot read paths (caller lookup, the card) building and compiling a
 * kysely query costs more Node time than PostgreSQL takes to answer it.
 *
 * `build` is called once with `slots` — sentinel values that appear nowhere
 * else in the query — and each later call swaps its arguments in for them.
 */
export function precompiled<Slots extends readonly unknown[], Row>(
  build: (db: Kysely<Database>, ...slots: Slots) => Compilable<Row>,
  slots: Slots,
  options: { preparedOnEmbedded?: boolean } = {}
): (db: Kysely<Database>, ...values: Slots) => Promise<Row[]> {
  const compiled = new WeakMap<Kysely<Database>, CompiledQuery<Row>>()
  return async (db, ...values) => {
    let query = compiled.get(db)
    if (query === undefined) {
      compiled.set(db, (query = build(db, ...slots).compile()))
      if (options.preparedOnEmbedded) prepareOnEmbedded(query.sql)
    }
    const parameters = query.parameters.map((p) => {
      const i = slots.indexOf(p)
      return i === -1 ? p : values[i]
    })
    return (await db.executeQuery<Row>({ ...query, parameters })).rows
  }
}
