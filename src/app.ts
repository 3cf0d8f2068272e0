import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { agentRoutes } from './api/agents.routes.js'
import { customerRoutes } from './api/customers.routes.js'
import { healthRoutes } from './api/health.routes.js'
import { lineRoutes } from './api/lines.routes.js'
import { createServer } from './api/server.js'
import type { Config } from './config.js'
import { openDatabase, type CrmDatabase } from './crm/database.js'
import { migrate, pendingMigrations } from './crm/migrate.js'
import { isConnectionError } from './errors.js'
import { CallerIdentifier } from './identify/identify-caller.js'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../sql/', import.meta.url))

export interface AppOptions {
  config: Config
  logger: Logger
  /** PostgreSQL schema to work in; tests give each file its own. */
  dbSchema?: string
  now?: () => number
}

/**
 * The composition root: config → database → caller identification → routing
 * → HTTP. Everything else receives its dependencies from here.
 */
export class App {
  readonly server: FastifyInstance
  readonly identifier: CallerIdentifier
  private migrated = false
  private migrationTimer: NodeJS.Timeout | undefined

  private constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly database: CrmDatabase,
    private readonly now: () => number
  ) {
    this.identifier = new CallerIdentifier(database.db, config.DEFAULT_COUNTRY, config.CALLER_CACHE_SIZE)
    this.server = createServer({ logger, bodyLimit: config.BODY_LIMIT_BYTES })
    this.registerRoutes()
  }

  static async create(options: AppOptions): Promise<App> {
    const { config, logger } = options
    const database = await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      poolSize: config.DB_POOL_SIZE,
      timeoutMs: config.DB_TIMEOUT_MS,
      schema: options.dbSchema,
      onIdleError: (err) => logger.warn({ err }, 'idle database connection lost; the pool will reconnect')
    })
    logger.info({ database: database.kind, dataDir: database.kind === 'pglite' ? config.DATA_DIR : undefined }, 'database opened')
    return new App(config, logger, database, options.now ?? Date.now)
  }

  private registerRoutes(): void {
    const { db } = this.database
    void this.server.register(healthRoutes, {
      checks: {
        database: async () => {
          if (!(await this.database.ping())) return { ok: false, detail: 'database not reachable' }
          if (!this.migrated) return { ok: false, detail: 'migrations not applied yet' }
          return { ok: true, detail: this.database.kind }
        }
      }
    })
    void this.server.register(customerRoutes, { db, identifier: this.identifier, now: this.now, importLimitBytes: this.config.IMPORT_LIMIT_BYTES })
    void this.server.register(agentRoutes, { db, onAgentChanged: () => {} })
    void this.server.register(lineRoutes, { db, identifier: this.identifier, onLineChanged: () => {} })
  }

  /** Applies migrations (retrying in the background while the database is down), then listens. */
  async start(): Promise<void> {
    await this.migrateOrRetry()
    await this.server.listen({ host: this.config.HOST, port: this.config.PORT })
  }

  /** Applies pending migrations; an unreachable database is retried every few seconds, not fatal. */
  async migrateOrRetry(): Promise<void> {
    try {
      const result = await migrate(this.database.db, MIGRATIONS_DIR)
      this.migrated = true
      this.logger.info({ applied: result.applied, alreadyApplied: result.alreadyApplied.length }, 'migrations applied')
    } catch (err) {
      if (!isConnectionError(err)) throw err
      this.logger.warn({ err }, 'database not reachable; migrations will be retried')
      this.migrationTimer = setTimeout(() => void this.migrateOrRetry(), 3000)
      this.migrationTimer.unref()
    }
  }

  async pendingMigrations(): Promise<string[]> {
    return pendingMigrations(this.database.db, MIGRATIONS_DIR)
  }

  async stop(): Promise<void> {
    clearTimeout(this.migrationTimer)
    await this.server.close()
    await this.database.close()
    this.logger.info('stopped')
  }
}
