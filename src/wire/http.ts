import fastifyWebsocket from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { installAdminAuth } from '../api/admin-auth.js'
import { installSupervisorAuth } from '../api/supervisor-auth.js'
import { agentPageRoutes } from '../api/agent-page.routes.js'
import { agentSocketRoutes } from '../api/agent-socket.routes.js'
import { agentStateRoutes } from '../api/agent-state.routes.js'
import { agentTokenRoutes } from '../api/agent-token.routes.js'
import { agentRoutes } from '../api/agents.routes.js'
import { asteriskRoutes } from '../api/asterisk.routes.js'
import { auditRoutes } from '../api/audit.routes.js'
import { callBackRoutes, type CallBackRoutesOptions } from '../api/callbacks.routes.js'
import { callRoutes } from '../api/calls.routes.js'
import { customerRoutes } from '../api/customers.routes.js'
import { dealRoutes, meDealRoutes } from '../api/deals.routes.js'
import { demoRoutes } from '../api/demo.routes.js'
import { healthRoutes, type ReadinessCheck } from '../api/health.routes.js'
import { interactionRoutes } from '../api/interactions.routes.js'
import { leadRoutes } from '../api/leads.routes.js'
import { lineRoutes } from '../api/lines.routes.js'
import { meRoutes } from '../api/me.routes.js'
import { metricsRoutes } from '../api/metrics.routes.js'
import { reportRoutes } from '../api/reports.routes.js'
import { queueRoutes } from '../api/queues.routes.js'
import { routingRoutes } from '../api/routing.routes.js'
import { rulesRoutes } from '../api/rules.routes.js'
import { createServer } from '../api/server.js'
import { meTaskRoutes, taskRoutes } from '../api/tasks.routes.js'
import type { CallRecorder } from '../calls/call-recorder.js'
import type { Config } from '../config.js'
import { phonesOfCustomer } from '../crm/customer.repository.js'
import type { CrmDatabase } from '../crm/database.js'
import { databaseReadiness, type WriteHealth } from '../durability/write-health.js'
import type { CallerIdentifier } from '../identify/identify-caller.js'
import type { CallControl } from '../interactions/call-control.js'
import type { TransferDesk } from '../interactions/transfer-desk.js'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import type { WaitingCalls } from '../interactions/waiting-calls.js'
import type { LineDirectory } from '../interactions/line-directory.js'
import { Metrics } from '../metrics/metrics.js'
import type { TimedCallRouter } from '../metrics/timed-call-router.js'
import type { AgentStateStore } from '../presence/agent-state-store.js'
import type { SharedState } from '../presence/shared-state.js'
import type { AgentIndex, QueueSnapshot } from '../routing/index.js'
import type { ScreenPopEvent } from '../screenpop/card-events.js'
import { selectSubprotocol } from '../screenpop/protocol.js'
import { serializeRequestWithoutToken } from '../screenpop/request-log.js'
import type { ScreenPopHub } from '../screenpop/screen-pop-hub.js'
import type { CrmWorkflows } from '../workflows/crm-workflows.js'
import type { CrmLoader } from './crm.js'
import type { RoutingRules } from './routing.js'
import { wireChat } from './chat.js'
import { wireWorkplace } from './workplace.js'

/** Live metrics for GET /metrics, fed by the router's decisions, the interactions and the finished call records. */
export function wireMetrics(o: { agents: AgentIndex; router: TimedCallRouter; interactions: InteractionRouter; calls: CallRecorder; hub: ScreenPopHub<ScreenPopEvent>; reminders?: Parameters<Metrics['followTaskReminders']>[0] }): Metrics {
  const { agents, calls, hub } = o
  const metrics = new Metrics({
    agentStatuses: () => agents.snapshot().map((view) => view.state.status),
    pendingCallRecords: () => calls.pending,
    screenPopClients: () => agents.snapshot().reduce((sum, view) => sum + hub.subscribers(view.profile.id), 0)
  })
  o.router.observe = (seconds) => metrics.decisionSeconds.observe(seconds)
  o.interactions.onEvent(metrics.interaction)
  calls.onFinished(metrics.finished)
  if (o.reminders) metrics.followTaskReminders(o.reminders)
  return metrics
}

export interface HttpDeps {
  config: Config
  logger: Logger
  now: () => number
  database: CrmDatabase
  crm: CrmLoader
  identifier: CallerIdentifier
  agents: AgentIndex
  agentStates: AgentStateStore
  lines: LineDirectory
  interactions: InteractionRouter
  rules: RoutingRules
  shared: SharedState<ScreenPopEvent> | null
  hub: ScreenPopHub<ScreenPopEvent>
  workflows: CrmWorkflows
  metrics: Metrics
  /** Readiness of the telephony adapters that are configured, by name. */
  adapters: Record<string, ReadinessCheck>
  placeCallBack: CallBackRoutesOptions['place']
  extensionOf: (agentId: string) => string | null
  /** The waiting queue's service (long polls, call-backs, GET /v1/queues); absent in tests that build the HTTP part alone. */
  waiting?: WaitingCalls
  /** The telephony that moves and places calls for agents; absent or null: none is configured. */
  callControl?: CallControl | null
  /** Told of the workplace's transfer desk once built (a phone's REFER goes to it). */
  onTransferDesk?: (desk: TransferDesk) => void
  /** The background writers' last outcomes: a database that refuses writes is not ready. */
  writes: WriteHealth
}

/** The HTTP server with admin auth and every route; not listening yet. */
export function wireHttp(deps: HttpDeps): FastifyInstance {
  const { config, logger } = deps
  // Agent pages may put their token in the URL: the request log must not show it.
  const serverLogger = logger.child({}, { serializers: { req: serializeRequestWithoutToken } })
  const server = createServer({ logger: serverLogger, bodyLimit: config.BODY_LIMIT_BYTES })
  installAdminAuth(server, { token: config.ADMIN_TOKEN ?? null })
  installSupervisorAuth(server, { db: deps.database.db, adminToken: config.ADMIN_TOKEN ?? null, now: deps.now })
  if (!config.ADMIN_TOKEN) logger.warn('ADMIN_TOKEN is not set: the admin endpoints (/v1/customers, /v1/agents, /v1/route…) are open to anyone who can reach the server')
  registerRoutes(server, deps)
  return server
}

function registerRoutes(server: FastifyInstance, deps: HttpDeps): void {
  const { config, database, crm, identifier, agents, agentStates, shared, workflows, now } = deps
  if (shared) deps.metrics.followSharedStore(shared.agents)
  const { db } = database
  // Before any route that upgrades to a WebSocket.
  void server.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024, handleProtocols: selectSubprotocol } })
  void server.register(healthRoutes, {
    checks: {
      database: databaseReadiness({ database, migrated: () => crm.migrated, writes: deps.writes }),
      rules: async () => (deps.rules.version ? { ok: true, detail: deps.rules.version } : { ok: false, detail: 'no routing rules loaded' }),
      ...(shared ? { redis: async () => shared.agents.readiness() } : {}),
      ...deps.adapters
    }
  })
  void server.register(customerRoutes, { db, identifier, now, importLimitBytes: config.IMPORT_LIMIT_BYTES })
  void server.register(agentRoutes, { db, onAgentChanged: (agent) => crm.agentChanged(agent) })
  void server.register(agentStateRoutes, { index: agents, states: agentStates, now })
  void server.register(agentTokenRoutes, { db })
  const waiting = deps.waiting
  void server.register(agentSocketRoutes, { db, hub: deps.hub, heartbeatMs: config.SCREENPOP_HEARTBEAT_SECONDS * 1000, waiting: waiting && ((id) => waiting.countsFor(id, agents.get(id)?.profile.team ?? null)) })
  void server.register(lineRoutes, {
    db,
    identifier,
    onLineChanged: (line) => {
      deps.lines.set(line)
      shared?.changes.publish({ kind: 'lines' })
    }
  })
  void server.register(routingRoutes, { interactions: deps.interactions })
  // The chats' queues are known once the chat is wired, below.
  let chatQueues: () => QueueSnapshot[] = () => []
  if (deps.waiting) void server.register(queueRoutes, { waiting: deps.waiting, chatQueues: () => chatQueues() })
  void server.register(rulesRoutes, { status: () => deps.rules.current() })
  // The demo set replaces customers holding its numbers: open by default only on the embedded database.
  if (config.DEMO_DATA ?? database.kind === 'pglite') {
    void server.register(demoRoutes, {
      db,
      now,
      onLoaded: async () => {
        identifier.cache.clear()
        await crm.load()
        // The demo is meant to be tried at once: its agents start available.
        for (const view of agents.snapshot()) {
          if (view.state.status === 'offline') agentStates.setState(view.profile.id, 'available', now())
        }
      }
    })
  }
  void server.register(meRoutes, { db, index: agents, states: agentStates, now, currency: config.CURRENCY })
  void server.register(agentPageRoutes, {})
  const vocabulary = { stages: config.DEAL_STAGES, reasons: config.REFUSAL_REASONS }
  const taskClosed = {
    onClosed: (task: { id: number; assigneeAgentId: string | null }) => {
      if (task.assigneeAgentId) workflows.notify(task.assigneeAgentId, { type: 'task-closed', callId: null, taskId: task.id, why: 'closed' })
    }
  }
  void server.register(leadRoutes, { db, identifier, reasons: config.REFUSAL_REASONS, now })
  void server.register(taskRoutes, { db, now, ...taskClosed })
  const calls = wireWorkplace(server, { config, db, identifier, interactions: deps.interactions, callControl: deps.callControl ?? null, agents, agentStates, rules: () => deps.rules.current().ruleSet, logger: deps.logger, onDesk: deps.onTransferDesk, now })
  void server.register(meTaskRoutes, { db, now, calls, ...taskClosed })
  void server.register(dealRoutes, { db, vocabulary, now })
  void server.register(meDealRoutes, { db, vocabulary, now })
  void server.register(reportRoutes, { db, now })
  void server.register(callRoutes, { db, country: config.DEFAULT_COUNTRY })
  void server.register(auditRoutes, { db })
  void server.register(interactionRoutes, { visits: workflows.visits })
  void server.register(metricsRoutes, { metrics: deps.metrics })
  void server.register(callBackRoutes, {
    place: deps.placeCallBack,
    phoneOfCustomer: async (id) => (await phonesOfCustomer(db, id))[0] ?? null
  })
  chatQueues = wireChat(server, { config, logger: deps.logger, now, database, agents, rules: () => (deps.rules.version ? deps.rules.current().ruleSet : undefined), notify: workflows.notify, writes: deps.writes }).queues
  void server.register(asteriskRoutes, { interactions: deps.interactions, dialTemplate: config.AMI_DIAL_TEMPLATE, extensionOf: deps.extensionOf })
}
