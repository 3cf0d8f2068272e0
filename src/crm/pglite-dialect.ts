import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings
} from 'kysely'
import type { EmbeddedSession } from './pglite-thread.js'
import { SessionTurns } from './session-turns.js'

/**
 * A kysely dialect over the embedded PGlite database (in its own thread: PGliteThread). PGlite is a
 * single PostgreSQL session, so the driver hands out its one connection to one holder at a time: a
 * transaction is never interleaved with other queries.
 * (The published adapter pulls in a code generator and a CLI framework; this
 * is all the server needs.)
 */
export class PGliteDialect implements Dialect {
  /**
   * Dialects over one session share its `turns`; an `urgent` one (caller identification) goes before
   * the others' waiting holders.
   */
  constructor(
    private readonly pglite: EmbeddedSession,
    private readonly turns = new SessionTurns(),
    private readonly urgent = false
  ) {}
  createAdapter() {
    return new PostgresAdapter()
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pglite, this.turns, this.urgent)
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db)
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler()
  }
}

class PGliteDriver implements Driver {
  private readonly connection: PGliteConnection
  private readonly releases = new WeakMap<DatabaseConnection, () => void>()

  constructor(
    private readonly pglite: EmbeddedSession,
    private readonly turns: SessionTurns,
    private readonly urgent: boolean
  ) {
    this.connection = new PGliteConnection(pglite)
  }

  async init(): Promise<void> {
    // PGliteThread.open has opened the database already.
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.turns.take(this.urgent)
    // One wrapper object per holder so that release() frees exactly this turn.
    const handle = Object.create(this.connection) as PGliteConnection
    this.releases.set(handle, release)
    return handle
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : ''
    await connection.executeQuery(CompiledQuery.raw(`begin${level}`))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.releases.get(connection)?.()
    this.releases.delete(connection)
  }

  async destroy(): Promise<void> {
    // Every holder already waiting has its turn first.
    ;(await this.turns.take(false))()
    if (!this.pglite.closed) await this.pglite.close()
  }
}

/**
 * Statement texts the embedded database keeps prepared (PreparedStatements): the card (big to plan)
 * and the caller lookup (run for most calls). PGlite plans every other statement each time it runs;
 * preparing every repeated select was measured slower (docs/performance.md).
 */
const preparedTexts = new Set<string>()

/** Asks the embedded database to keep this statement text prepared; PostgreSQL prepares its own (PreparingClient). */
export function prepareOnEmbedded(sqlText: string): void {
  preparedTexts.add(sqlText)
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: EmbeddedSession) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Without parameters, use the simple protocol, which (like pg) accepts a
    // script of several statements: migrations are such scripts.
    const result =
      query.parameters.length === 0
        ? ((await this.pglite.exec(query.sql)).at(-1) ?? { rows: [], affectedRows: 0 })
        : await this.pglite.query(query.sql, query.parameters, preparedTexts.has(query.sql))
    const affected = result.affectedRows
    return affected === undefined ? { rows: result.rows as R[] } : { rows: result.rows as R[], numAffectedRows: BigInt(affected) }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on the embedded database')
  }
}
