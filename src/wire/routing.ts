import { join } from 'node:path'
import type { Logger } from 'pino'
import type { RulesStatus } from '../api/rules.routes.js'
import type { Config } from '../config.js'
import type { Agent } from '../crm/agent.repository.js'
import type { CallerIdentifier } from '../identify/identify-caller.js'
import { InteractionRouter, type InteractionRouterOptions } from '../interactions/interaction-router.js'
import { LineDirectory } from '../interactions/line-directory.js'
import { TimedCallRouter } from '../metrics/timed-call-router.js'
import { AgentIndex } from '../routing/index.js'
import { CATALOG_FILE, createCatalog, formatRuleError, loadCatalogFile, RulesWatcher, type LoadResult, type RuleError, type RulesCatalog } from '../rules/index.js'
import { StartupError } from './startup-error.js'

export interface RoutingParts {
  agents: AgentIndex
  router: TimedCallRouter
  lines: LineDirectory
  interactions: InteractionRouter
  rules: RoutingRules
}

/** The agent index, the call router and the interaction router, routing by the rules in force. */
export function wireRouting(o: {
  config: Config
  logger: Logger
  identifier: CallerIdentifier
  now: () => number
  random: () => number
  /** Set when reservations must also be confirmed by the processes sharing the agents. */
  confirmReservation?: InteractionRouterOptions['confirmReservation']
}): RoutingParts {
  const { config, logger, now } = o
  const agents = new AgentIndex()
  const lines = new LineDirectory()
  const router = new TimedCallRouter({ index: agents, env: { now, random: o.random }, wrapUpSeconds: config.WRAP_UP_SECONDS, maxTargets: config.MAX_TARGETS })
  let rules: RoutingRules | undefined
  const interactions = new InteractionRouter({
    identifier: o.identifier,
    router,
    rules: () => rules!.current().ruleSet,
    lines,
    logger: logger.child({ component: 'routing' }),
    now,
    ringTimers: true,
    confirmReservation: o.confirmReservation,
    beforeRingMs: config.SCREENPOP_BEFORE_RING_MS
  })
  rules = new RoutingRules({ dir: config.RULES_DIR, watch: config.RULES_WATCH, interactions, logger, now })
  return { agents, router, lines, interactions, rules }
}

/**
 * The routing rules in force, recompiled when the files or the names they may
 * use change. Names come from the database, plus what catalog.yaml declares
 * (for agents not created yet).
 */
export class RoutingRules {
  private status: RulesStatus | null = null
  private dbCatalog: RulesCatalog = createCatalog({})
  private fileCatalog: RulesCatalog = createCatalog({})
  private readonly watcher: RulesWatcher
  private readonly loadedListeners: Array<(version: string) => void> = []
  private readonly refusedListeners: Array<(errors: readonly string[], keeping: string | null) => void> = []

  constructor(private readonly o: { dir: string; watch: boolean; interactions: InteractionRouter; logger: Logger; now: () => number }) {
    this.watcher = new RulesWatcher({
      dir: o.dir,
      catalog: () => this.catalog(),
      now: o.now,
      onReload: (ruleSet, files) => {
        this.status = { ruleSet, files, lastErrors: null, lastErrorAt: null }
        o.interactions.rulesReloaded(ruleSet.version)
        for (const listener of this.loadedListeners) listener(ruleSet.version)
        o.logger.info({ version: ruleSet.version, rules: ruleSet.rules.length, files }, 'routing rules loaded')
      },
      onError: (errors) => this.rejected(errors),
      onUnchanged: (ruleSet) => {
        if (!this.status?.lastErrors) return
        this.status = { ...this.status, lastErrors: null, lastErrorAt: null }
        o.logger.info({ version: ruleSet.version }, 'routing rules compile again as the set in force; the refused edit is gone')
      }
    })
  }

  /** The version in force, or null before the first set compiled. */
  get version(): string | null {
    return this.status?.ruleSet.version ?? null
  }

  /** The set in force and the last refused edit; throws before the first set compiled. */
  current(): RulesStatus {
    if (!this.status) throw new StartupError('routing rules are not loaded yet')
    return this.status
  }

  /** Called with the version of every set that compiles. */
  onLoaded(listener: (version: string) => void): void {
    this.loadedListeners.push(listener)
  }

  /** Called with the errors of every edit that does not compile, and the version kept in force (null before the first). */
  onRefused(listener: (errors: readonly string[], keeping: string | null) => void): void {
    this.refusedListeners.push(listener)
  }

  /** Reads the names catalog.yaml declares; a missing or broken file declares none. */
  async readCatalogFile(): Promise<void> {
    const file = await loadCatalogFile(join(this.o.dir, CATALOG_FILE))
    if (file.ok) this.fileCatalog = file.catalog
  }

  /** The first compile (then watching, if configured); refuses to start on rules that do not compile. */
  async start(): Promise<void> {
    const first = this.o.watch ? await this.watcher.start() : await this.watcher.reload()
    if (!first.ok) {
      throw new StartupError(`the routing rules in ${this.o.dir} do not compile:\n  ${first.errors.map((e) => formatRuleError(e)).join('\n  ')}`)
    }
  }

  reload(): Promise<LoadResult> {
    return this.watcher.reload()
  }

  /** The names the database holds; recompiles when they differ from the last ones and a set is in force. */
  async databaseNames(catalog: RulesCatalog): Promise<void> {
    const before = this.dbCatalog
    this.dbCatalog = catalog
    if (this.status && !sameCatalog(before, catalog)) await this.watcher.reload()
  }

  /** A created or changed agent may bring new names (its id, team, skills). */
  agentNamed(agent: Agent): void {
    const known = this.dbCatalog
    const catalog = createCatalog({
      agents: [...known.agents, agent.id],
      teams: agent.team ? [...known.teams, agent.team] : known.teams,
      skills: [...known.skills, ...Object.keys(agent.skills)]
    })
    if (!sameCatalog(known, catalog)) {
      this.dbCatalog = catalog
      void this.watcher.reload()
    }
  }

  close(): void {
    this.watcher.close()
  }

  private catalog(): RulesCatalog {
    const union = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...a, ...b]
    return createCatalog({
      agents: union(this.dbCatalog.agents, this.fileCatalog.agents),
      teams: union(this.dbCatalog.teams, this.fileCatalog.teams),
      skills: union(this.dbCatalog.skills, this.fileCatalog.skills)
    })
  }

  private rejected(errors: readonly RuleError[]): void {
    const lines = errors.map((e) => formatRuleError(e))
    for (const listener of this.refusedListeners) listener(lines, this.status?.ruleSet.version ?? null)
    if (this.status) {
      this.status = { ...this.status, lastErrors: lines, lastErrorAt: this.o.now() }
      this.o.logger.error({ errors: lines, keeping: this.status.ruleSet.version }, 'routing rules edit rejected; the rules in force stay')
    } else {
      this.o.logger.error({ errors: lines }, 'routing rules do not compile')
    }
  }
}

function sameCatalog(a: RulesCatalog, b: RulesCatalog): boolean {
  const same = (x: ReadonlySet<string>, y: ReadonlySet<string>) => x.size === y.size && [...x].every((v) => y.has(v))
  return same(a.agents, b.agents) && same(a.teams, b.teams) && same(a.skills, b.skills)
}
