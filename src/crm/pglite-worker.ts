import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'
import { PreparedStatements } from './prepared-statements.js'
import { typeParsers } from './type-parsers.js'
import type { EmbeddedReply, EmbeddedRequest, EmbeddedThreadOptions } from './pglite-thread.js'

/**
 * The embedded database's own thread: PGlite is PostgreSQL compiled to WebAssembly, and a statement
 * runs synchronously to its end; here it never holds up the server's event loop. Requests are taken
 * one at a time, in the order they came (PGlite is one session).
 */
const port = parentPort
if (port === null) throw new Error('pglite-worker runs as a worker thread (PGliteThread starts it)')
const options = workerData as EmbeddedThreadOptions

const pglite = await PGlite.create({ dataDir: options.dataDir, parsers: typeParsers })
if (options.schema) await pglite.exec(`create schema if not exists "${options.schema}"; set search_path to "${options.schema}"`)

// Prepared statements belong to the session: a new thread (after a crash) starts with none.
const prepared = new PreparedStatements((sql) => pglite.exec(sql).then(() => undefined))
let turn: Promise<void> = Promise.resolve()
port.on('message', (request: EmbeddedRequest) => {
  turn = turn.then(() => answer(request))
})
port.postMessage({ id: 0, ok: true, result: [] } satisfies EmbeddedReply)

async function answer(request: EmbeddedRequest): Promise<void> {
  try {
    if (request.op === 'close') {
      await pglite.close()
      port!.postMessage({ id: request.id, ok: true, result: [] } satisfies EmbeddedReply)
      return
    }
    // Only rows and counts cross the thread: the fields' descriptions are not used.
    const results = request.op === 'exec' ? await pglite.exec(request.sql) : [await query(request)]
    const result = results.map((r) => ({ rows: r.rows as unknown[], affectedRows: r.affectedRows }))
    port!.postMessage({ id: request.id, ok: true, result } satisfies EmbeddedReply)
  } catch (err) {
    port!.postMessage({ id: request.id, ok: false, error: errorFields(err) } satisfies EmbeddedReply)
  }
}

async function query(request: Extract<EmbeddedRequest, { op: 'query' }>) {
  const execute = request.prepared ? await prepared.execute(request.sql, request.params) : null
  return execute === null ? pglite.query(request.sql, request.params, { rowMode: 'object' }) : pglite.query(execute, [], { rowMode: 'object' })
}

/** The message and PostgreSQL's fields of an error (code, detail, constraint…), which callers act on. */
function errorFields(err: unknown): Record<string, string | number> {
  if (!(err instanceof Error)) return { message: String(err) }
  const fields: Record<string, string | number> = { message: err.message }
  for (const [key, value] of Object.entries(err)) {
    if ((typeof value === 'string' || typeof value === 'number') && key !== 'query') fields[key] = value
  }
  return fields
}
