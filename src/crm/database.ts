import { mkdirSync } from 'node:fs'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { PGliteDialect } from './pglite-dialect.js'
import { PGliteThread } from './pglite-thread.js'
import { PreparingClient } from './preparing-client.js'
import { SessionTurns } from './session-turns.js'
import type { Database } from './schema.js'
import { typeParsers as parsers } from './type-parsers.js'

export interface CrmDatabase {
  db: Kysely<Database>
  /**
   * Caller identification's own connections (`identifyPoolSize` of them; the embedded database's one
   * connection otherwise, where its lookups go before queued work): a burst of card, record and workflow queries on `db` never makes a caller
   * wait for a connection. Only identification's lookups belong here.
   */
  identify: Kysely<Database>
  kind: 'postgres' | 'pglite'
  /** True while the database answers a trivial query within the timeout. */
  ping(): Promise<boolean>
  /**
   * A connection of its own without the request timeouts, for work that may rightly take minutes
   * (a migration backfilling a large table); the caller closes it.
   */
  unhurried(): Promise<{ db: Kysely<Database>; close(): Promise<void> }>
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent an embedded PGlite database is kept in dataDir. */
  url?: string
  dataDir: string
  poolSize: number
  /** Connect and statement timeout: a request fails fast instead of hanging on a dead database. */
  timeoutMs: number
  /** Connections of the pool kept for caller identification (PostgreSQL only). Default 4. */
  identifyPoolSize?: number
  /** PostgreSQL schema to work in (tests isolate each file in its own schema). */
  schema?: string
  /** Told when an idle pooled connection fails (the pool replaces it), or the embedded database's thread dies (started again). */
  onIdleError?: (err: Error) => void
}

/** Opens the CRM database: PostgreSQL when a URL is given, otherwise the embedded PGlite. */
export async function openDatabase(options: DatabaseOptions): Promise<CrmDatabase> {
  return options.url ? openPostgres(options.url, options) : openPGlite(options)
}

function openPostgres(url: string, options: DatabaseOptions): CrmDatabase {
  const pool = postgresPool(url, options, options.timeoutMs * 5, options.poolSize)
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  // Its statements time out like the others: a busy process reads an answer late, and a lookup given up
  // on too soon would route a known caller as unknown. Connecting to a dead database still fails fast.
  const identifyPool = postgresPool(url, options, options.timeoutMs * 5, options.identifyPoolSize ?? 4)
  const identify = new Kysely<Database>({ dialect: new PostgresDialect({ pool: identifyPool }) })
  return {
    db,
    identify,
    kind: 'postgres',
    ping: () => ping(db),
    unhurried: async () => {
      const single = new Kysely<Database>({ dialect: new PostgresDialect({ pool: postgresPool(url, options, 0, 1) }) })
      return { db: single, close: () => single.destroy() }
    },
    close: async () => {
      await Promise.all([db.destroy(), identify.destroy()])
    }
  }
}

/** A pool whose statements time out after `statementTimeoutMs` (0: never); connecting always times out. */
function postgresPool(url: string, options: DatabaseOptions, statementTimeoutMs: number, size: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    Client: PreparingClient,
    // Keep connections (and their prepared statements): reconnecting costs milliseconds.
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: options.timeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        parsers[oid as keyof typeof parsers] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser
    }
  })
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', (err) => options.onIdleError?.(err))
  // A connection can drop between a query's end and its return to the pool, when the pool's own
  // listener is not attached yet: every client keeps one of ours, so that never crashes the process.
  pool.on('connect', (client) => client.on('error', (err) => options.onIdleError?.(err)))
  return pool
}

async function openPGlite(options: DatabaseOptions): Promise<CrmDatabase> {
  mkdirSync(options.dataDir, { recursive: true })
  const pglite = await PGliteThread.open({ dataDir: options.dataDir, schema: options.schema }, { onLost: options.onIdleError })
  const turns = new SessionTurns()
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite, turns) })
  // The same one session; a caller's lookup goes before queued record writes and card queries.
  const identify = new Kysely<Database>({ dialect: new PGliteDialect(pglite, turns, true) })
  // One embedded connection, no timeouts: migrations share it.
  return { db, identify, kind: 'pglite', ping: () => ping(db), unhurried: async () => ({ db, close: async () => {} }), close: () => db.destroy() }
}

async function ping(db: Kysely<Database>): Promise<boolean> {
  // Any failure means "not reachable now"; the caller reports it, the pool reconnects by itself.
  return sql`select 1`.execute(db).then(
    () => true,
    () => false
  )
}
