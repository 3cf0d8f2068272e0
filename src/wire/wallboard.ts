import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { AuditRecorder } from '../api/supervisors.routes.js'
import { supervisorAgentRoutes } from '../api/supervisor-agents.routes.js'
import { supervisorRoutes } from '../api/supervisors.routes.js'
import { wallboardPageRoutes } from '../api/wallboard-page.routes.js'
import { wallboardSocketRoutes } from '../api/wallboard-socket.routes.js'
import type { Config } from '../config.js'
import type { CrmDatabase } from '../crm/database.js'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import type { AgentStateStore } from '../presence/agent-state-store.js'
import type { SharedState } from '../presence/shared-state.js'
import type { AgentIndex } from '../routing/agent-index.js'
import type { RuleSet } from '../routing/types.js'
import { WallboardFeed } from '../wallboard/board-feed.js'
import { LiveCalls } from '../wallboard/live-calls.js'
import { serviceLevelSecondsOf } from '../wallboard/queue-views.js'
import { readToday } from '../wallboard/seed-today.js'
import { SharedBoard } from '../wallboard/shared-board.js'
import { startOfLocalDay, TodayCounters } from '../wallboard/today-counters.js'
import type { RoutingRules } from './routing.js'

export interface WallboardDeps {
  config: Config
  logger: Logger
  now: () => number
  database: CrmDatabase
  server: FastifyInstance
  agents: AgentIndex
  agentStates: AgentStateStore
  interactions: InteractionRouter
  rules: RoutingRules
  shared: Pick<SharedState<never>, 'link' | 'processId'> | null
  audit: AuditRecorder
}

/** Deltas go out at most this often: a change reaches the board within this plus the network. */
export const WALLBOARD_INTERVAL_MS = 250

/**
 * Supervisors and their tokens, the supervisor's actions on agents, and the wallboard: its
 * page, its socket, and the feed behind it (calls from the router's events, shared with the
 * other processes through Redis; today's counters seeded once from the calls table at start).
 */
export function wireWallboard(deps: WallboardDeps): WallboardFeed {
  const { server, now, audit, agents, config, logger } = deps
  const db = deps.database.db
  const ruleSet = (): RuleSet | null => (deps.rules.version ? deps.rules.current().ruleSet : null)
  const timeZone = () => ruleSet()?.calendar.timeZone ?? 'UTC'
  const counters = new TodayCounters(timeZone, now())
  const live = new LiveCalls({
    teamOf: (agentId) => agents.get(agentId)?.profile.team ?? null,
    rules: ruleSet,
    now,
    onWaitDone: (queue, outcome, at) => counters.add(queue, outcome, serviceLevelSecondsOf(ruleSet(), queue), at)
  })
  const shared = deps.shared
  const board = shared
    ? new SharedBoard({ link: shared.link, channel: `${config.REDIS_KEY_PREFIX}wallboard`, processId: shared.processId, logger: logger.child({ component: 'wallboard' }), apply: (fact) => live.apply(fact) })
    : null
  deps.interactions.onEvent((event) => {
    const fact = live.fromEvent(event)
    if (fact) board?.publish(fact)
  })
  const feed = new WallboardFeed({ index: agents, live, counters, rules: ruleSet, now, intervalMs: WALLBOARD_INTERVAL_MS, language: config.WALLBOARD_LANGUAGE ?? null })
  server.addHook('onReady', async () => {
    try {
      const since = startOfLocalDay(now(), timeZone())
      for (const [queue, day] of await readToday(db, since, ruleSet())) counters.seed(queue, day)
    } catch (err) {
      logger.warn({ err }, "today's wallboard figures could not be read from the calls table; they count from now")
    }
  })
  server.addHook('onClose', async () => {
    feed.stop()
    board?.close()
  })
  const auth = { db, adminToken: config.ADMIN_TOKEN ?? null, now }
  void server.register(supervisorRoutes, { db, now, audit })
  void server.register(supervisorAgentRoutes, { index: agents, states: deps.agentStates, now, audit, onSetBy: (id, by, at) => feed.stateSetBy(id, by, at) })
  void server.register(wallboardSocketRoutes, { feed, auth, heartbeatMs: config.SCREENPOP_HEARTBEAT_SECONDS * 1000 })
  void server.register(wallboardPageRoutes, {})
  return feed
}
