import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { TransferDesk } from './interactions/transfer-desk.js'
import type { CallRecorder } from './calls/call-recorder.js'
import type { Config } from './config.js'
import type { CrmDatabase } from './crm/database.js'
import { pendingMigrations } from './crm/migrate.js'
import { CallerIdentifier } from './identify/identify-caller.js'
import type { Metrics } from './metrics/metrics.js'
import type { ScreenPopEvent } from './screenpop/card-events.js'
import type { ScreenPopHub } from './screenpop/screen-pop-hub.js'
import type { WebhookPop } from './screenpop/webhook-pop.js'
import type { AmiAdapter } from './telephony/ami/ami-adapter.js'
import type { SipAdapter } from './telephony/sip/sip-adapter.js'
import { wireAmi } from './wire/ami.js'
import { CrmLoader, MIGRATIONS_DIR, openCrmDatabase, wireCallRecords } from './wire/crm.js'
import { wireHttp, wireMetrics } from './wire/http.js'
import { wirePresence, type PresenceParts } from './wire/presence.js'
import { wireOversight, type AuditLog } from './wire/oversight.js'
import { wireRouting, type RoutingParts, type RoutingRules } from './wire/routing.js'
import { wireCards, wireScreenPops } from './wire/screenpop.js'
import { stopWithin } from './wire/bounded-stop.js'
import { wireSip } from './wire/sip.js'
import { wireQueues } from './wire/queues.js'
import { wireWorkflows } from './wire/workflows.js'
import type { CrmWorkflows } from './workflows/crm-workflows.js'
export { MIGRATIONS_DIR } from './wire/crm.js'
export { StartupError } from './wire/startup-error.js'

export interface AppOptions {
  config: Config
  logger: Logger
  /** PostgreSQL schema to work in; tests give each file its own. */
  dbSchema?: string
  now?: () => number
  random?: () => number
}

/**
 * The composition root: the parts of the server, each wired in src/wire/ and
 * given what it needs here. Nothing imports this module but the entry point and tests.
 */
export class App {
  readonly identifier: CallerIdentifier
  readonly agents: RoutingParts['agents']
  readonly router: RoutingParts['router']
  readonly interactions: RoutingParts['interactions']
  readonly lines: RoutingParts['lines']
  readonly calls: CallRecorder
  readonly screenPops: ScreenPopHub<ScreenPopEvent>
  readonly webhooks: WebhookPop | null
  readonly shared: PresenceParts['shared']
  readonly agentStates: PresenceParts['agentStates']
  readonly ami: AmiAdapter | null
  readonly sip: SipAdapter | null
  readonly workflows: CrmWorkflows
  readonly metrics: Metrics
  readonly server: FastifyInstance
  readonly audit: AuditLog
  private readonly rules: RoutingRules
  private readonly crm: CrmLoader
  private readonly callRecords: { start(): Promise<void>; close(): Promise<void> }

  private constructor(readonly config: Config, readonly logger: Logger, readonly database: CrmDatabase, now: () => number, random: () => number) {
    const base = { config, logger, now }
    // Database and CRM, rules and routing.
    const identifier = (this.identifier = new CallerIdentifier(database.identify, config.DEFAULT_COUNTRY, config.CALLER_CACHE_SIZE, { lookupsAtOnce: config.DB_IDENTIFY_POOL_SIZE }))
    const confirmReservation = config.REDIS_URL ? (agentId: string, callId: string, ringSeconds: number) => this.shared!.agents.confirmReservation(agentId, callId, ringSeconds) : undefined
    const { agents, router, lines, interactions, rules } = wireRouting({ ...base, random, identifier, confirmReservation })
    this.agents = agents
    this.router = router
    this.lines = lines
    this.interactions = interactions
    this.rules = rules
    const crm = (this.crm = new CrmLoader({ database, agents, lines, rules, logger, now }))
    const calls = wireCallRecords({ ...base, database, interactions, identifier })
    this.calls = calls.calls
    this.callRecords = calls
    // Screen-pops and webhooks, presence and Redis, then the cards they carry.
    const { hub, webhooks } = wireScreenPops({ ...base, agents })
    this.screenPops = hub
    this.webhooks = webhooks
    const { shared, agentStates } = wirePresence({ ...base, database, identifier, agents, router, interactions, rules, crm, hub, webhooks })
    this.shared = shared
    this.agentStates = agentStates
    const publisher = wireCards({ ...base, hub, webhooks, shared: shared?.screenPops ?? null, agents, database, interactions, identifier })
    // The PBX adapters, each on its own.
    const ami = wireAmi({ ...base, database, agents, crm, rules, lifecycle: interactions, onReconnected: () => this.metrics.reconnected('ami') })
    // A REFER from an agent's phone is the workplace's transfer, which the HTTP wiring builds below.
    let desk: TransferDesk | null = null
    const onAgentTransfer = async (callId: string, fromAgentId: string, toAgentId: string): Promise<void> => {
      if (!desk) throw new Error('transfers are not ready yet')
      await desk.transfer(callId, fromAgentId, { agentId: toAgentId }, null)
    }
    const sip = wireSip({ ...base, lifecycle: interactions, unrouted: calls.calls, agents, onAgentTransfer, onReconnected: () => this.metrics.reconnected('sip'), onShed: (cause) => this.metrics.sipCallsShed.inc({ cause }) })
    this.ami = ami.adapter
    this.sip = sip
    const queues = wireQueues({ ...base, router, interactions, crm, identifier, agentStates, placeCallBack: ami.placeCallBack, shared, calls: calls.calls })
    // Workflows, metrics, HTTP.
    const workflows = (this.workflows = wireWorkflows({ ...base, database, interactions, calls: calls.calls, publisher, placeCallBack: ami.placeCallBack, durable: calls.durable }))
    const metrics = (this.metrics = wireMetrics({ agents, router, interactions, calls: calls.calls, hub, reminders: workflows.reminders }))
    const adapters = { ...(sip ? { sip: () => sip.readiness() } : {}), ...(ami.readiness ? { ami: ami.readiness } : {}) }
    this.server = wireHttp({ ...base, database, crm, identifier, agents, agentStates: queues.agentStates, waiting: queues.waiting, lines, interactions, rules, shared, hub, workflows, metrics, adapters, placeCallBack: ami.placeCallBack, extensionOf: ami.extensionOf, callControl: ami.callControl ?? sip?.callControl ?? null, onTransferDesk: (made) => void (desk = made), writes: calls.durable.health })
    this.audit = wireOversight({ ...base, database, server: this.server, agents, agentStates, interactions, rules, shared, metrics, durable: calls.durable })
  }

  static async create(options: AppOptions): Promise<App> {
    let app: App | undefined
    const database = await openCrmDatabase({ ...options, schema: options.dbSchema, onIdleError: () => app?.metrics.reconnected('postgresql') })
    app = new App(options.config, options.logger, database, options.now ?? Date.now, options.random ?? Math.random)
    return app
  }

  /**
   * Migrates, loads agents and lines into memory, compiles the rules (refusing
   * to start on rules that do not compile), then listens. A database that is
   * down is retried in the background: routing runs meanwhile on the rules alone.
   */
  async start(): Promise<void> {
    await this.prepare()
    await this.server.listen({ host: this.config.HOST, port: this.config.PORT })
  }

  /** Everything start() does except listening (tests listen on a port of their own). */
  async prepare(): Promise<void> {
    await this.rules.readCatalogFile()
    await this.migrateAndLoad()
    // Records a previous run left in the journal are written before new ones.
    await this.callRecords.start()
    await this.shared?.start()
    await this.rules.start()
    this.workflows.start()
    // Calls are taken once there are rules to route them by.
    this.sip?.start()
    this.ami?.start()
  }

  /** Applies pending migrations and loads the CRM's agents and lines; retried every few seconds while the database is down. */
  migrateAndLoad(): Promise<void> {
    return this.crm.migrateAndLoad()
  }

  async pendingMigrations(): Promise<string[]> {
    return pendingMigrations(this.database.db, MIGRATIONS_DIR)
  }

  async stop(): Promise<void> {
    this.crm.stop()
    this.sip?.stop()
    await stopWithin(this.logger, 'ami', this.ami?.stop())
    this.interactions.close()
    await stopWithin(this.logger, 'redis', this.shared?.close())
    await stopWithin(this.logger, 'call records', this.callRecords.close())
    await stopWithin(this.logger, 'workflows', this.workflows.stop())
    this.rules.close()
    this.screenPops.close()
    this.webhooks?.close()
    await stopWithin(this.logger, 'http', this.server.close())
    await stopWithin(this.logger, 'database', this.database.close())
    this.logger.info('stopped')
  }
}
