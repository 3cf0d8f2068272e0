import { dirname, join, resolve } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { Counter } from 'prom-client'
import { rulesPreviewRoutes } from '../api/rules-preview.routes.js'
import type { Config } from '../config.js'
import type { CrmDatabase } from '../crm/database.js'
import type { InteractionRouter } from '../interactions/interaction-router.js'
import type { Metrics } from '../metrics/metrics.js'
import { AvailabilityObserver } from '../presence/availability-log.js'
import { availabilityLogWriter } from '../presence/availability-log-writer.js'
import { BatchWriter } from '../preview/batch-writer.js'
import { factsOf, insertCallFacts } from '../preview/facts-recorder.js'
import { deleteOlderThan } from '../preview/retention.js'
import type { CallFacts } from '../preview/types.js'
import type { AgentIndex } from '../routing/index.js'
import { CATALOG_FILE, createCatalog, loadCatalogFile, type RulesCatalog } from '../rules/index.js'
import { ShadowRules, type ShadowDecision } from '../shadow/shadow-rules.js'
import { insertShadowDecisions } from '../shadow/shadow-store.js'
import type { RoutingRules } from './routing.js'

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

/**
 * Rules preview: the agent availability log and the call facts (written off the call path), the
 * shadow rules beside the live ones, retention, and the preview and shadow endpoints.
 */
export function wirePreview(o: { config: Config; logger: Logger; now: () => number; database: CrmDatabase; agents: AgentIndex; interactions: InteractionRouter; rules: RoutingRules; metrics: Metrics; server: FastifyInstance }) {
  const { config, now } = o
  const db = o.database.db
  const logger = o.logger.child({ component: 'rules-preview' })
  const log = availabilityLogWriter(db, logger)
  const facts = new BatchWriter<CallFacts>({ name: 'call facts', write: (rows) => insertCallFacts(db, rows), logger })
  const shadowStore = new BatchWriter<ShadowDecision>({ name: 'shadow decisions', write: (rows) => insertShadowDecisions(db, rows), logger })
  let fileCatalog: RulesCatalog = createCatalog({})
  const shadow = new ShadowRules({
    dir: join(config.RULES_DIR, 'shadow'),
    watch: config.RULES_WATCH,
    catalog: () => catalogOf(o.agents, fileCatalog),
    live: () => o.rules.version === null ? null : o.rules.current().ruleSet,
    logger,
    now,
    decisions: new Counter({ name: 'cti_shadow_decisions_total', help: 'Live interactions decided again by the shadow rules, by whether the shadow decision was the same', labelNames: ['result'], registers: [o.metrics.registry] }),
    store: shadowStore
  })
  const observer = new AvailabilityObserver(o.agents, (row) => {
    log.enqueue(row)
    shadow.row(row)
  }, logger, now)
  o.interactions.onEvent((event) => {
    if (event.type === 'routed') facts.enqueue(factsOf(event, o.rules.version === null ? null : o.rules.current().ruleSet))
  })
  o.interactions.onEvent(shadow.handle)
  void o.server.register(rulesPreviewRoutes, { db, base: resolve(config.RULES_PREVIEW_BASE ?? dirname(resolve(config.RULES_DIR))), shadow, now })
  const timers: NodeJS.Timeout[] = []
  const sweep = async (): Promise<void> => {
    try {
      const deleted = await deleteOlderThan(db, now() - config.AVAILABILITY_LOG_DAYS * DAY_MS)
      if (deleted > 0) logger.info({ deleted, days: config.AVAILABILITY_LOG_DAYS }, 'rules preview rows past their retention deleted')
    } catch (err) {
      logger.warn({ err }, 'rules preview retention sweep failed; retried in an hour')
    }
  }
  const start = async (): Promise<void> => {
    const file = await loadCatalogFile(join(config.RULES_DIR, CATALOG_FILE))
    if (file.ok) fileCatalog = file.catalog
    observer.checkpoint(now())
    await shadow.start()
    timers.push(setInterval(() => observer.checkpoint(now()), DAY_MS), setInterval(() => void sweep(), HOUR_MS))
    for (const t of timers) t.unref()
    void sweep()
  }
  const stop = async (): Promise<void> => {
    for (const t of timers) clearInterval(t)
    shadow.close()
    shadow.drain()
    await Promise.all([log.close(), facts.close(), shadowStore.close()])
  }
  // Started once the server is ready (the agents are loaded by then), stopped as it closes (the database still open).
  o.server.addHook('onReady', start)
  o.server.addHook('onClose', stop)
  return { flush: () => Promise.all([log.flush(), facts.flush(), shadowStore.flush()]), shadow, observer }
}

function catalogOf(agents: AgentIndex, file: RulesCatalog): RulesCatalog {
  const views = agents.snapshot()
  return createCatalog({
    agents: [...file.agents, ...views.map((v) => v.profile.id)],
    teams: [...file.teams, ...views.flatMap((v) => (v.profile.team === null ? [] : [v.profile.team]))],
    skills: [...file.skills, ...views.flatMap((v) => Object.keys(v.profile.skills))]
  })
}
