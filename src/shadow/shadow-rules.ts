/**
 * Shadow rules: an optional `shadow/` folder inside the rules folder, decided beside the rules in
 * force on every live interaction, reserving nobody. The decision is made off the reply path (in
 * a batch after the live one), against a mirror of the agent index kept from the availability log's
 * rows (so the live reservation made for the same call is not seen yet), and compared with the live
 * decision: counted in /metrics (cti_shadow_decisions_total{result}) and stored for the summary.
 */
import { existsSync } from 'node:fs'
import type { Logger } from 'pino'
import type { Counter } from 'prom-client'
import type { InteractionEvent } from '../interactions/interaction-router.js'
import { AgentIndex, type RuleSet } from '../routing/index.js'
import { formatRuleError, RulesWatcher, type RulesCatalog } from '../rules/index.js'
import { seededRandom } from '../seeded-random.js'
import { applyRow } from '../preview/availability.js'
import type { BatchWriter } from '../preview/batch-writer.js'
import { factsOf } from '../preview/facts-recorder.js'
import { decideAgain } from '../preview/replay.js'
import { sameDecision, summarize, type AvailabilityRow, type CallFacts, type DecisionSummary } from '../preview/types.js'

export interface ShadowDecision {
  at: number
  callId: string
  version: string
  same: boolean
  live: DecisionSummary
  shadow: DecisionSummary
}

export interface ShadowRulesOptions {
  dir: string
  watch: boolean
  catalog: () => RulesCatalog
  live: () => RuleSet | null
  logger: Logger
  now: () => number
  decisions: Counter<'result'>
  store: Pick<BatchWriter<ShadowDecision>, 'enqueue'>
}

/** Rows newer than this stay pending while no call needs them: a reservation may come before its call's event. */
const HOLD_BACK_MS = 1000

export class ShadowRules {
  private readonly mirror = new AgentIndex()
  private watcher: RulesWatcher | null = null
  private ruleSet: RuleSet | null = null
  private lastErrors: string[] | null = null
  private rows: AvailabilityRow[] = []
  private calls: { facts: CallFacts; live: DecisionSummary }[] = []
  private scheduled = false
  private timer: NodeJS.Timeout | undefined
  private readonly random = seededRandom(24)

  constructor(private readonly o: ShadowRulesOptions) {}

  /** The shadow set in force, or null when there is no shadow folder (or it never compiled). */
  get current(): RuleSet | null {
    return this.ruleSet
  }

  get errors(): readonly string[] | null {
    return this.lastErrors
  }

  async start(): Promise<void> {
    this.timer = setInterval(() => this.tick(), HOLD_BACK_MS)
    this.timer.unref()
    await this.open()
  }

  close(): void {
    clearInterval(this.timer)
    this.watcher?.close()
    this.watcher = null
  }

  /** A row of the availability log: mirrored before the next shadow decision that comes after it. */
  readonly row = (r: AvailabilityRow): void => {
    this.rows.push(r)
  }

  /** Every InteractionRouter event; only a first 'routed' decision of the rules in force is shadowed. */
  readonly handle = (event: InteractionEvent): void => {
    if (event.type !== 'routed' || this.ruleSet === null) return
    const facts = factsOf(event, this.o.live())
    if (facts.named) return
    this.calls.push({ facts, live: facts.decided })
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.drain())
    }
  }

  /** Decides the calls waiting, each after the rows before it. */
  drain(): void {
    this.scheduled = false
    const calls = this.calls
    this.calls = []
    const rules = this.ruleSet
    for (const { facts, live } of calls) {
      this.applyBefore(facts.at)
      if (rules === null) continue
      try {
        const shadow = summarize(decideAgain(facts, rules, this.mirror, this.random))
        const same = sameDecision(live, shadow)
        this.o.decisions.inc({ result: same ? 'same' : 'different' })
        this.o.store.enqueue({ at: facts.at, callId: facts.callId, version: rules.version, same, live, shadow })
      } catch (err) {
        this.o.logger.error({ err, callId: facts.callId }, 'shadow rules: a decision failed; the live decision is not affected')
      }
    }
  }

  private tick(): void {
    this.drain()
    this.applyBefore(this.o.now() - HOLD_BACK_MS)
    if (this.watcher === null && existsSync(this.o.dir)) void this.open()
    else if (this.watcher !== null && !existsSync(this.o.dir)) {
      // The folder removed: no more shadow decisions.
      this.watcher.close()
      this.watcher = null
      this.ruleSet = null
      this.lastErrors = null
      this.o.logger.info('shadow routing rules folder removed: no more shadow decisions')
    }
  }

  private applyBefore(t: number): void {
    let i = 0
    while (i < this.rows.length && this.rows[i]!.at < t) applyRow(this.mirror, this.rows[i++]!)
    if (i > 0) this.rows = this.rows.slice(i)
  }

  private async open(): Promise<void> {
    if (this.watcher !== null || !existsSync(this.o.dir)) return
    const watcher = (this.watcher = new RulesWatcher({
      dir: this.o.dir,
      catalog: this.o.catalog,
      now: this.o.now,
      onReload: (ruleSet) => {
        this.ruleSet = ruleSet
        this.lastErrors = null
        this.o.logger.info({ version: ruleSet.version, rules: ruleSet.rules.length }, 'shadow routing rules loaded: decided beside the rules in force, reserving nobody')
      },
      onError: (errors) => {
        this.lastErrors = errors.map((e) => formatRuleError(e))
        this.o.logger.error({ errors: this.lastErrors, keeping: this.ruleSet?.version ?? null }, 'shadow routing rules do not compile')
      }
    }))
    if (this.o.watch) await watcher.start()
    else await watcher.reload()
  }
}
