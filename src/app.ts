import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyWebsocket from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { installAdminAuth } from './api/admin-auth.js'
import { agentPageRoutes } from './api/agent-page.routes.js'
import { agentSocketRoutes } from './api/agent-socket.routes.js'
import { agentStateRoutes } from './api/agent-state.routes.js'
import { agentTokenRoutes } from './api/agent-token.routes.js'
import { agentRoutes } from './api/agents.routes.js'
import { customerRoutes } from './api/customers.routes.js'
import { demoRoutes } from './api/demo.routes.js'
import { healthRoutes } from './api/health.routes.js'
import { lineRoutes } from './api/lines.routes.js'
import { meRoutes } from './api/me.routes.js'
import { routingRoutes } from './api/routing.routes.js'
import { rulesRoutes, type RulesStatus } from './api/rules.routes.js'
import { asteriskRoutes } from './api/asterisk.routes.js'
import { callBackRoutes } from './api/callbacks.routes.js'
import { AmiAdapter } from './telephony/ami/ami-adapter.js'
import { createServer } from './api/server.js'
import { dealRoutes, meDealRoutes } from './api/deals.routes.js'
import { interactionRoutes } from './api/interactions.routes.js'
import { leadRoutes } from './api/leads.routes.js'
import { metricsRoutes } from './api/metrics.routes.js'
import { reportRoutes } from './api/reports.routes.js'
import { meTaskRoutes, taskRoutes } from './api/tasks.routes.js'
import { findOpenLeadByPhone } from './crm/lead.repository.js'
import { Metrics } from './metrics/metrics.js'
import { TimedCallRouter } from './metrics/timed-call-router.js'
import { CrmWorkflows } from './workflows/crm-workflows.js'
import { leadNotice } from './workflows/lead-capture.js'
import { writeCallRecords } from './calls/call-record.repository.js'
import { CallRecordWriter } from './calls/call-record-writer.js'
import { CallRecorder } from './calls/call-recorder.js'
import type { Config } from './config.js'
import { getAgent, listAgents, loadCatalog, toAgentProfile, type Agent } from './crm/agent.repository.js'
import { buildCustomerCard, isoDate } from './crm/customer-card.js'
import { phonesOfCustomer } from './crm/customer.repository.js'
import { openDatabase, type CrmDatabase } from './crm/database.js'
import { listLines } from './crm/line.repository.js'
import { migrate, pendingMigrations } from './crm/migrate.js'
import { isConnectionError } from './errors.js'
import { CallerIdentifier } from './identify/identify-caller.js'
import { InteractionRouter } from './interactions/interaction-router.js'
import { LineDirectory } from './interactions/line-directory.js'
import { AgentIndex, CallRouter } from './routing/index.js'
import { CardEvents, type ScreenPopEvent } from './screenpop/card-events.js'
import { selectSubprotocol } from './screenpop/protocol.js'
import { serializeRequestWithoutToken } from './screenpop/request-log.js'
import { ScreenPopHub } from './screenpop/screen-pop-hub.js'
import { SipAdapter } from './telephony/sip/sip-adapter.js'
import { sipSettings } from './telephony/sip/settings.js'
import { WebhookPop } from './screenpop/webhook-pop.js'
import { LocalAgentStateStore, type AgentStateStore } from './presence/agent-state-store.js'
import type { SharedChange } from './presence/shared-changes.js'
import { SharedState } from './presence/shared-state.js'
import { CATALOG_FILE, createCatalog, formatRuleError, loadCatalogFile, RulesWatcher, type RuleError, type RulesCatalog } from './rules/index.js'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../sql/', import.meta.url))

export interface AppOptions {
  config: Config
  logger: Logger
  /** PostgreSQL schema to work in; tests give each file its own. */
  dbSchema?: string
  now?: () => number
  random?: () => number
}

/** Raised when start-up cannot proceed (the rules do not compile); lists what to fix. */
export class StartupError extends Error {
  readonly code = 'CTI_ERR_STARTUP'
}

/**
 * The composition root: config → database → caller identification → agent
 * index and rules → routing → HTTP. Everything else receives its
 * dependencies from here; nothing imports this module but the entry point and tests.
 */
export class App {
  readonly server: FastifyInstance
  readonly identifier: CallerIdentifier
  readonly agents = new AgentIndex()
  readonly router: CallRouter
  readonly interactions: InteractionRouter
  readonly lines = new LineDirectory()
  /** One call record per interaction, written off the call path. */
  readonly calls: CallRecorder
  private readonly callWriter: CallRecordWriter
  /** Screen-pop events per agent, for their pages' live channel. */
  readonly screenPops: ScreenPopHub<ScreenPopEvent>
  /** The configured webhooks that also receive every agent's screen-pop events; null when none are. */
  readonly webhooks: WebhookPop | null
  /** Agents' states, reservations and screen-pops shared with other processes through Redis; null when REDIS_URL is not set. */
  readonly shared: SharedState<ScreenPopEvent> | null
  /** Where agents' chosen states are set: the index, or the index and the processes sharing it. */
  readonly agentStates: AgentStateStore
  /** A rules reload asked by another process: not published back. */
  private reloadingForPeer = false
  /** Asterisk through AMI; null when AMI_HOST is not set. */
  readonly ami: AmiAdapter | null
  /** Calls over SIP through drachtio-server; null when SIP_DRACHTIO_HOST is not set. */
  readonly sip: SipAdapter | null
  /** Leads, call-back tasks, reminders and web visits around the call path. */
  readonly workflows: CrmWorkflows
  /** Live metrics for GET /metrics. */
  readonly metrics: Metrics
  private readonly rulesWatcher: RulesWatcher
  private rulesStatus: RulesStatus | null = null
  private dbCatalog: RulesCatalog = createCatalog({})
  private fileCatalog: RulesCatalog = createCatalog({})
  private migrated = false
  private retryTimer: NodeJS.Timeout | undefined

  private constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly database: CrmDatabase,
    private readonly now: () => number,
    random: () => number
  ) {
    this.identifier = new CallerIdentifier(database.db, config.DEFAULT_COUNTRY, config.CALLER_CACHE_SIZE)
    this.router = new TimedCallRouter({ index: this.agents, env: { now, random }, wrapUpSeconds: config.WRAP_UP_SECONDS, maxTargets: config.MAX_TARGETS })
    this.interactions = new InteractionRouter({
      identifier: this.identifier,
      router: this.router,
      rules: () => this.currentRules().ruleSet,
      lines: this.lines,
      logger: logger.child({ component: 'routing' }),
      now,
      ringTimers: true,
      confirmReservation: config.REDIS_URL ? (agentId, callId, ringSeconds) => this.shared!.agents.confirmReservation(agentId, callId, ringSeconds) : undefined
    })
    this.callWriter = new CallRecordWriter({
      write: (records) => writeCallRecords(database.db, records),
      logger: logger.child({ component: 'call-records' }),
      maxQueue: config.CALL_RECORDS_MAX_QUEUE
    })
    this.calls = new CallRecorder({ writer: this.callWriter, logger: logger.child({ component: 'call-records' }), now })
    this.interactions.onEvent(this.calls.handle)
    this.ami = config.AMI_HOST ? this.createAmi(config.AMI_HOST) : null
    this.sip = config.SIP_DRACHTIO_HOST ? this.createSipAdapter(config.SIP_DRACHTIO_HOST) : null
    this.screenPops = new ScreenPopHub({
      retentionMs: config.SCREENPOP_RETENTION_SECONDS * 1000,
      maxBacklogBytes: config.SCREENPOP_MAX_BACKLOG_BYTES,
      now
    })
    const webhooks = (this.webhooks = config.SCREENPOP_WEBHOOKS.length > 0 ? this.createWebhooks() : null)
    const hub = this.screenPops
    this.shared = config.REDIS_URL ? this.createShared(config.REDIS_URL) : null
    this.agentStates = this.shared?.agents ?? new LocalAgentStateStore(this.agents)
    // Every published event also goes to the agent's webhooks, queued: publishing never waits for them.
    const publisher: { publish(agentId: string, event: ScreenPopEvent): unknown } = this.shared
        ? this.shared.screenPops
        : webhooks
        ? {
            publish: (agentId: string, event: ScreenPopEvent) => {
              const published = hub.publish(agentId, event)
              webhooks.deliver(agentId, published)
              return published
            }
          }
        : hub
    const cards = new CardEvents({
      hub: publisher,
      loadCard: (customerId) => buildCustomerCard(database.db, customerId, isoDate(now())),
      loadLead: async (phone) => {
        const lead = await findOpenLeadByPhone(database.db, phone)
        return lead && leadNotice(lead)
      },
      logger: logger.child({ component: 'screen-pop' })
    })
    this.interactions.onEvent(cards.handle)
    const ami = this.ami
    this.workflows = new CrmWorkflows({
      db: database.db,
      settings: config,
      interactions: this.interactions,
      calls: this.calls,
      publish: (agentId, event) => publisher.publish(agentId, event),
      placeCallBack: ami ? (request) => ami.placeCallBack(request) : null,
      logger,
      now
    })
    this.metrics = new Metrics({
      agentStatuses: () => this.agents.snapshot().map((view) => view.state.status),
      pendingCallRecords: () => this.calls.pending,
      screenPopClients: () => this.agents.snapshot().reduce((sum, view) => sum + this.screenPops.subscribers(view.profile.id), 0)
    })
    ;(this.router as TimedCallRouter).observe = (seconds) => this.metrics.decisionSeconds.observe(seconds)
    this.interactions.onEvent(this.metrics.interaction)
    this.calls.onFinished(this.metrics.finished)
    this.rulesWatcher = new RulesWatcher({
      dir: config.RULES_DIR,
      catalog: () => this.catalog(),
      now,
      onReload: (ruleSet, files) => {
        this.rulesStatus = { ruleSet, files, lastErrors: null, lastErrorAt: null }
        this.interactions.rulesReloaded(ruleSet.version)
        if (!this.reloadingForPeer) this.shared?.changes.publish({ kind: 'rules', version: ruleSet.version })
        logger.info({ version: ruleSet.version, rules: ruleSet.rules.length, files }, 'routing rules loaded')
      },
      onError: (errors) => this.rulesRejected(errors)
    })
    // Agent pages may put their token in the URL: the request log must not show it.
    const serverLogger = logger.child({}, { serializers: { req: serializeRequestWithoutToken } })
    this.server = createServer({ logger: serverLogger, bodyLimit: config.BODY_LIMIT_BYTES })
    installAdminAuth(this.server, { token: config.ADMIN_TOKEN ?? null })
    if (!config.ADMIN_TOKEN) logger.warn('ADMIN_TOKEN is not set: the admin endpoints (/v1/customers, /v1/agents, /v1/route…) are open to anyone who can reach the server')
    this.registerRoutes()
  }

  private createWebhooks(): WebhookPop {
    const { SCREENPOP_WEBHOOKS: targets, SCREENPOP_WEBHOOK_SECRET: secret } = this.config
    // loadConfig refuses webhooks without a secret; a hand-built config must not slip through unsigned.
    if (!secret) throw new StartupError('SCREENPOP_WEBHOOKS is set but SCREENPOP_WEBHOOK_SECRET is not')
    this.logger.info({ webhooks: targets.length }, 'screen-pop webhooks configured')
    return new WebhookPop({
      targets,
      secret,
      teamOf: (agentId) => this.agents.get(agentId)?.profile.team ?? null,
      logger: this.logger.child({ component: 'screen-pop-webhook' }),
      now: this.now
    })
  }

  private createShared(url: string): SharedState<ScreenPopEvent> {
    const c = this.config
    const shared = new SharedState<ScreenPopEvent>({
      url,
      keyPrefix: c.REDIS_KEY_PREFIX,
      leaseMs: c.RESERVATION_TTL_SECONDS * 1000,
      commandTimeoutMs: c.REDIS_TIMEOUT_MS,
      wrapUpSeconds: c.WRAP_UP_SECONDS,
      index: this.agents,
      router: this.router,
      interactions: this.interactions,
      hub: this.screenPops,
      retentionMs: c.SCREENPOP_RETENTION_SECONDS * 1000,
      maxEventsPerAgent: 500,
      logger: this.logger.child({ component: 'shared-state' }),
      now: this.now,
      onPublished: this.webhooks ? (agentId, event) => this.webhooks!.deliver(agentId, event) : undefined,
      applyChange: (change) => void this.peerChanged(change).catch((err: unknown) => this.logger.error({ err, kind: change.kind }, 'change from another process not applied')),
      reloadAll: () => {
        this.identifier.cache.clear(false)
        void this.loadCrm().then(() => this.rulesWatcher.reload()).catch((err: unknown) => this.logger.warn({ err }, 'reloading after the Redis outage failed'))
      }
    })
    this.identifier.cache.onInvalidate = shared.changes.cacheInvalidated
    return shared
  }

  /** Another process changed something this one caches. */
  private async peerChanged(change: SharedChange): Promise<void> {
    const cache = this.identifier.cache
    switch (change.kind) {
      case 'caller-cache':
        for (const c of change.changes) {
          if ('all' in c) cache.clear(false)
          else if ('customerId' in c) cache.invalidateCustomer(c.customerId, false)
          else cache.invalidatePhone(c.phone, false)
        }
        return
      case 'rules':
        if (this.rulesStatus?.ruleSet.version === change.version) return
        this.reloadingForPeer = true
        try {
          await this.rulesWatcher.reload()
        } finally {
          this.reloadingForPeer = false
        }
        return
      case 'agent': {
        const agent = await getAgent(this.database.db, change.agentId)
        if (agent) this.agentChanged(agent, false)
        return
      }
      case 'lines':
        this.lines.load(await listLines(this.database.db))
        return
    }
  }

  private createSipAdapter(host: string): SipAdapter {
    const { SIP_DRACHTIO_PORT: port, SIP_DRACHTIO_SECRET: secret } = this.config
    // loadConfig refuses a host without a secret; a hand-built config must not slip through.
    if (!secret) throw new StartupError('SIP_DRACHTIO_HOST is set but SIP_DRACHTIO_SECRET is not')
    return new SipAdapter({
      drachtio: { host, port, secret },
      settings: sipSettings(this.config),
      lifecycle: this.interactions,
      unrouted: this.calls,
      logger: this.logger.child({ component: 'sip' }),
      now: this.now,
      onReconnected: () => this.metrics.reconnected('sip')
    })
  }

  static async create(options: AppOptions): Promise<App> {
    const { config, logger } = options
    let app: App | undefined
    const database = await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      poolSize: config.DB_POOL_SIZE,
      timeoutMs: config.DB_TIMEOUT_MS,
      schema: options.dbSchema,
      onIdleError: (err) => {
        logger.warn({ err }, 'idle database connection lost; the pool will reconnect')
        app?.metrics.reconnected('postgresql')
      }
    })
    logger.info({ database: database.kind, dataDir: database.kind === 'pglite' ? config.DATA_DIR : undefined }, 'database opened')
    app = new App(config, logger, database, options.now ?? Date.now, options.random ?? Math.random)
    return app
  }

  private registerRoutes(): void {
    const { db } = this.database
    const now = this.now
    // Before any route that upgrades to a WebSocket.
    void this.server.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024, handleProtocols: selectSubprotocol } })
    void this.server.register(healthRoutes, {
      checks: {
        database: async () => {
          if (!(await this.database.ping())) return { ok: false, detail: 'database not reachable' }
          if (!this.migrated) return { ok: false, detail: 'migrations not applied yet' }
          return { ok: true, detail: this.database.kind }
        },
        rules: async () => (this.rulesStatus ? { ok: true, detail: this.rulesStatus.ruleSet.version } : { ok: false, detail: 'no routing rules loaded' }),
        ...(this.shared ? { redis: async () => this.shared!.agents.readiness() } : {}),
        ...(this.sip ? { sip: () => this.sip!.readiness() } : {}),
        ...(this.ami ? { ami: () => this.ami!.ready() } : {})
      }
    })
    void this.server.register(customerRoutes, { db, identifier: this.identifier, now, importLimitBytes: this.config.IMPORT_LIMIT_BYTES })
    void this.server.register(agentRoutes, { db, onAgentChanged: (agent) => this.agentChanged(agent) })
    void this.server.register(agentStateRoutes, { index: this.agents, states: this.agentStates, now })
    void this.server.register(agentTokenRoutes, { db })
    void this.server.register(agentSocketRoutes, { db, hub: this.screenPops, heartbeatMs: this.config.SCREENPOP_HEARTBEAT_SECONDS * 1000 })
    void this.server.register(lineRoutes, {
      db,
      identifier: this.identifier,
      onLineChanged: (line) => {
        this.lines.set(line)
        this.shared?.changes.publish({ kind: 'lines' })
      }
    })
    void this.server.register(routingRoutes, { interactions: this.interactions })
    void this.server.register(rulesRoutes, { status: () => this.currentRules() })
    // The demo set replaces customers holding its numbers: open by default only on the embedded database.
    if (this.config.DEMO_DATA ?? this.database.kind === 'pglite') {
      void this.server.register(demoRoutes, { db, now, onLoaded: () => this.demoLoaded() })
    }
    void this.server.register(meRoutes, { db, index: this.agents, states: this.agentStates, now })
    void this.server.register(agentPageRoutes, {})
    const workflows = this.workflows
    const vocabulary = { stages: this.config.DEAL_STAGES, reasons: this.config.REFUSAL_REASONS }
    const taskClosed = { onClosed: (task: { id: number; assigneeAgentId: string | null }) => {
        if (task.assigneeAgentId) workflows.notify(task.assigneeAgentId, { type: 'task-closed', callId: null, taskId: task.id, why: 'closed' })
      }
    }
    void this.server.register(leadRoutes, { db, identifier: this.identifier, reasons: this.config.REFUSAL_REASONS, now })
    void this.server.register(taskRoutes, { db, now, ...taskClosed })
    void this.server.register(meTaskRoutes, { db, now, ...taskClosed })
    void this.server.register(dealRoutes, { db, vocabulary, now })
    void this.server.register(meDealRoutes, { db, vocabulary, now })
    void this.server.register(reportRoutes, { db, now })
    void this.server.register(interactionRoutes, { visits: workflows.visits })
    void this.server.register(metricsRoutes, { metrics: this.metrics })
    const ami = this.ami
    void this.server.register(callBackRoutes, {
      place: ami ? (request) => ami.placeCallBack(request) : null,
      phoneOfCustomer: async (id) => (await phonesOfCustomer(db, id))[0] ?? null
    })
    void this.server.register(asteriskRoutes, {
      interactions: this.interactions,
      dialTemplate: this.config.AMI_DIAL_TEMPLATE,
      extensionOf: (agentId) => ami?.directory.line(agentId)?.extension ?? extensionOfAddress(this.agents.get(agentId)?.profile.address)
    })
  }

  private createAmi(host: string): AmiAdapter {
    const c = this.config
    return new AmiAdapter({
      settings: {
        host,
        port: c.AMI_PORT,
        user: c.AMI_USER ?? '',
        secret: c.AMI_SECRET ?? '',
        contexts: { agents: c.AMI_AGENTS_CONTEXT, wait: c.AMI_WAIT_CONTEXT, final: c.AMI_FINAL_CONTEXT },
        outboundContext: c.AMI_OUTBOUND_CONTEXT,
        actionTimeoutMs: c.AMI_ACTION_TIMEOUT_MS,
        reconnectMaxMs: c.AMI_RECONNECT_MAX_MS,
        wrapUpSeconds: c.WRAP_UP_SECONDS
      },
      lifecycle: this.interactions,
      index: this.agents,
      loadAgents: () => listAgents(this.database.db),
      logger: this.logger.child({ component: 'ami' }),
      now: this.now,
      onReconnected: () => this.metrics.reconnected('ami')
    })
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
    const catalogFile = await loadCatalogFile(join(this.config.RULES_DIR, CATALOG_FILE))
    if (catalogFile.ok) this.fileCatalog = catalogFile.catalog
    await this.migrateAndLoad()
    await this.shared?.start()
    const first = this.config.RULES_WATCH ? await this.rulesWatcher.start() : await this.rulesWatcher.reload()
    if (!first.ok) {
      throw new StartupError(`the routing rules in ${this.config.RULES_DIR} do not compile:\n  ${first.errors.map((e) => formatRuleError(e)).join('\n  ')}`)
    }
    this.workflows.start()
    // Calls are taken once there are rules to route them by.
    this.sip?.start()
    this.ami?.start()
  }

  /** Applies pending migrations and loads the CRM's agents and lines; retried every few seconds while the database is down. */
  async migrateAndLoad(): Promise<void> {
    try {
      if (!this.migrated) {
        // On its own connection without request timeouts: a backfill on a large table takes its time.
        const unhurried = await this.database.unhurried()
        const result = await migrate(unhurried.db, MIGRATIONS_DIR).finally(() => unhurried.close())
        this.migrated = true
        this.logger.info({ applied: result.applied, alreadyApplied: result.alreadyApplied.length }, 'migrations applied')
      }
      await this.loadCrm()
    } catch (err) {
      if (!isConnectionError(err)) throw err
      this.logger.warn({ err }, 'database not reachable; retrying in 3 s (routing continues on the rules alone)')
      this.retryTimer = setTimeout(() => void this.migrateAndLoad(), 3000)
      this.retryTimer.unref()
    }
  }

  async pendingMigrations(): Promise<string[]> {
    return pendingMigrations(this.database.db, MIGRATIONS_DIR)
  }

  async stop(): Promise<void> {
    clearTimeout(this.retryTimer)
    this.sip?.stop()
    await this.ami?.stop()
    this.interactions.close()
    await this.shared?.close()
    this.calls.writeInProgress()
    await this.callWriter.close(this.config.CALL_RECORDS_SHUTDOWN_MS)
    await this.workflows.stop()
    this.rulesWatcher.close()
    this.screenPops.close()
    this.webhooks?.close()
    await this.server.close()
    await this.database.close()
    this.logger.info('stopped')
  }

  /** Agents (new ones offline, known ones keeping their live state), lines and the names rules may use. */
  private async loadCrm(): Promise<void> {
    const [agents, lines, catalog] = await Promise.all([listAgents(this.database.db), listLines(this.database.db), loadCatalog(this.database.db)])
    for (const agent of agents) this.indexAgent(agent)
    this.ami?.directory.load(agents)
    this.lines.load(lines)
    await this.shared?.agentsLoaded()
    const before = this.dbCatalog
    this.dbCatalog = catalog
    this.logger.info({ agents: agents.length, lines: lines.length }, 'CRM agents and lines loaded')
    if (this.rulesStatus && !sameCatalog(before, catalog)) await this.rulesWatcher.reload()
  }

  private agentChanged(agent: Agent, share = true): void {
    this.indexAgent(agent)
    if (share) this.shared?.changes.publish({ kind: 'agent', agentId: agent.id })
    void this.shared?.agents.agentLoaded(agent.id).catch((err: unknown) => this.logger.warn({ err, agentId: agent.id }, 'shared state of a changed agent not read'))
    this.ami?.agentChanged(agent)
    const known = this.dbCatalog
    const catalog = createCatalog({
      agents: [...known.agents, agent.id],
      teams: agent.team ? [...known.teams, agent.team] : known.teams,
      skills: [...known.skills, ...Object.keys(agent.skills)]
    })
    if (!sameCatalog(known, catalog)) {
      this.dbCatalog = catalog
      void this.rulesWatcher.reload()
    }
  }

  private indexAgent(agent: Agent): void {
    if (agent.active) this.agents.upsertAgent(toAgentProfile(agent), { since: this.now() })
    else this.agents.removeAgent(agent.id)
  }

  private async demoLoaded(): Promise<void> {
    this.identifier.cache.clear()
    await this.loadCrm()
    // The demo is meant to be tried at once: its agents start available.
    for (const view of this.agents.snapshot()) {
      if (view.state.status === 'offline') this.agentStates.setState(view.profile.id, 'available', this.now())
    }
  }

  /** Names the rules may use: what the database holds, plus what catalog.yaml declares (for agents not created yet). */
  private catalog(): RulesCatalog {
    const union = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...a, ...b]
    return createCatalog({
      agents: union(this.dbCatalog.agents, this.fileCatalog.agents),
      teams: union(this.dbCatalog.teams, this.fileCatalog.teams),
      skills: union(this.dbCatalog.skills, this.fileCatalog.skills)
    })
  }

  private currentRules(): RulesStatus {
    if (!this.rulesStatus) throw new StartupError('routing rules are not loaded yet')
    return this.rulesStatus
  }

  private rulesRejected(errors: readonly RuleError[]): void {
    const lines = errors.map((e) => formatRuleError(e))
    if (this.rulesStatus) {
      this.rulesStatus = { ...this.rulesStatus, lastErrors: lines, lastErrorAt: this.now() }
      this.logger.error({ errors: lines, keeping: this.rulesStatus.ruleSet.version }, 'routing rules edit rejected; the rules in force stay')
    } else {
      this.logger.error({ errors: lines }, 'routing rules do not compile')
    }
  }
}

function sameCatalog(a: RulesCatalog, b: RulesCatalog): boolean {
  const same = (x: ReadonlySet<string>, y: ReadonlySet<string>) => x.size === y.size && [...x].every((v) => y.has(v))
  return same(a.agents, b.agents) && same(a.teams, b.teams) && same(a.skills, b.skills)
}

/** An extension from an agent's address: "1001" as is, the user part of "sip:1001@pbx". */
function extensionOfAddress(address: string | undefined): string | null {
  if (!address) return null
  const match = /^sips?:([^@;]+)@/.exec(address)
  return match ? match[1]! : address.includes(':') ? null : address
}
