import { fileURLToPath } from 'node:url'
import type { Logger } from 'pino'
import { writeCallRecords } from '../calls/call-record.repository.js'
import { CallRecordWriter } from '../calls/call-record-writer.js'
import { CallRecorder } from '../calls/call-recorder.js'
import type { Config } from '../config.js'
import { listAgents, loadCatalog, toAgentProfile, type Agent } from '../crm/agent.repository.js'
import { openDatabase, type CrmDatabase } from '../crm/database.js'
import { listLines } from '../crm/line.repository.js'
import { migrate } from '../crm/migrate.js'
import { durableWrites, type DurableWrites } from '../durability/durable-writes.js'
import type { CallRecord } from '../calls/call-record.js'
import type { CallerIdentifier } from '../identify/identify-caller.js'
import { isConnectionError } from '../errors.js'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import type { LineDirectory } from '../interactions/line-directory.js'
import type { AgentIndex } from '../routing/index.js'
import type { RulesCatalog } from '../rules/index.js'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../sql/', import.meta.url))

/** Opens the CRM database (PostgreSQL, or the embedded one when DATABASE_URL is not set). */
export async function openCrmDatabase(o: { config: Config; logger: Logger; schema?: string; onIdleError: () => void }): Promise<CrmDatabase> {
  const { config, logger } = o
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DB_POOL_SIZE,
    identifyPoolSize: config.DB_IDENTIFY_POOL_SIZE,
    timeoutMs: config.DB_TIMEOUT_MS,
    schema: o.schema,
    onIdleError: (err) => {
      logger.warn({ err }, config.DATABASE_URL ? 'idle database connection lost; the pool will reconnect' : "the embedded database's thread stopped; the next statement starts it again")
      o.onIdleError()
    }
  })
  logger.info({ database: database.kind, dataDir: database.kind === 'pglite' ? config.DATA_DIR : undefined }, 'database opened')
  return database
}

/**
 * One call record per interaction, written off the call path; `start` takes up what a previous run
 * left in the journal, `close` writes what is in progress and drains the queue (the rest to the journal).
 * `durable` is what the other background writers share with it: dead letters, journals, write health.
 */
export function wireCallRecords(o: { config: Config; database: CrmDatabase; interactions: InteractionRouter; identifier: CallerIdentifier; logger: Logger; now: () => number }) {
  const logger = o.logger.child({ component: 'call-records' })
  const durable: DurableWrites = durableWrites({ db: o.database.db, dataDir: o.config.DATA_DIR, logger: o.logger, now: o.now })
  const settings = { lastAgentMinTalkSeconds: o.config.LAST_AGENT_MIN_TALK_SECONDS }
  const writer = new CallRecordWriter({
    write: async (records) => {
      const { contacts } = await writeCallRecords(o.database.db, records, settings)
      // Their last agent or contact changed: the next call must route on the new one.
      for (const change of contacts) o.identifier.contactRecorded(change)
    },
    logger,
    maxQueue: o.config.CALL_RECORDS_MAX_QUEUE,
    journal: durable.journal<CallRecord>('call-records'),
    deadLetters: durable.deadLetters,
    health: durable.health
  })
  const calls = new CallRecorder({ writer, logger, now: o.now })
  o.interactions.onEvent(calls.handle)
  const close = async (): Promise<void> => {
    calls.writeInProgress()
    await writer.close(o.config.CALL_RECORDS_SHUTDOWN_MS)
  }
  return { calls, start: () => writer.start(), close, durable }
}

/**
 * Keeps the in-memory copies of the CRM in step with the database: migrates,
 * then loads agents (new ones offline, known ones keeping their live state),
 * lines and the names rules may use. Other parts listen for what they cache.
 */
export class CrmLoader {
  private isMigrated = false
  private retryTimer: NodeJS.Timeout | undefined
  private readonly loadedListeners: Array<(agents: readonly Agent[]) => unknown> = []
  private readonly changedListeners: Array<(agent: Agent, share: boolean) => void> = []

  constructor(
    private readonly o: {
      database: CrmDatabase
      agents: AgentIndex
      lines: LineDirectory
      rules: { databaseNames(catalog: RulesCatalog): Promise<void>; agentNamed(agent: Agent): void }
      logger: Logger
      now: () => number
    }
  ) {}

  get migrated(): boolean {
    return this.isMigrated
  }

  /** Called with every agent after each load; a promise returned is awaited before the rules' names are updated. */
  onAgentsLoaded(listener: (agents: readonly Agent[]) => unknown): void {
    this.loadedListeners.push(listener)
  }

  /** Called for one created or changed agent; `share` is false when the change came from another process. */
  onAgentChanged(listener: (agent: Agent, share: boolean) => void): void {
    this.changedListeners.push(listener)
  }

  /** Applies pending migrations and loads the CRM; retried every few seconds while the database is down. */
  async migrateAndLoad(): Promise<void> {
    try {
      if (!this.isMigrated) {
        // On its own connection without request timeouts: a backfill on a large table takes its time.
        const unhurried = await this.o.database.unhurried()
        const result = await migrate(unhurried.db, MIGRATIONS_DIR).finally(() => unhurried.close())
        this.isMigrated = true
        this.o.logger.info({ applied: result.applied, alreadyApplied: result.alreadyApplied.length }, 'migrations applied')
      }
      await this.load()
    } catch (err) {
      if (!isConnectionError(err)) throw err
      this.o.logger.warn({ err }, 'database not reachable; retrying in 3 s (routing continues on the rules alone)')
      this.retryTimer = setTimeout(() => void this.migrateAndLoad(), 3000)
      this.retryTimer.unref()
    }
  }

  async load(): Promise<void> {
    const { db } = this.o.database
    const [agents, lines, catalog] = await Promise.all([listAgents(db), listLines(db), loadCatalog(db)])
    for (const agent of agents) this.indexAgent(agent)
    this.o.lines.load(lines)
    await Promise.all(this.loadedListeners.map((listener) => listener(agents)))
    this.o.logger.info({ agents: agents.length, lines: lines.length }, 'CRM agents and lines loaded')
    await this.o.rules.databaseNames(catalog)
  }

  async reloadLines(): Promise<void> {
    this.o.lines.load(await listLines(this.o.database.db))
  }

  agentChanged(agent: Agent, share = true): void {
    this.indexAgent(agent)
    for (const listener of this.changedListeners) listener(agent, share)
    this.o.rules.agentNamed(agent)
  }

  stop(): void {
    clearTimeout(this.retryTimer)
  }

  private indexAgent(agent: Agent): void {
    if (agent.active) this.o.agents.upsertAgent(toAgentProfile(agent), { since: this.o.now() })
    else this.o.agents.removeAgent(agent.id)
  }
}
