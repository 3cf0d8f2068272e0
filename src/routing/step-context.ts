import type { AgentEntry } from './agent-entry.js'
import type { AgentIndex } from './agent-index.js'
import type { CustomerSummary, RouteTarget, RoutingEnv } from './types.js'

/** What every step of one decision shares; `targets` grows as steps choose agents. */
export interface StepContext {
  readonly index: AgentIndex
  readonly now: number
  /** Source of random numbers for the random strategy. */
  readonly env: RoutingEnv
  readonly customer: CustomerSummary | null
  /** What the interaction is about (line's product, else the one viewed), for `lineProduct`. */
  readonly product: string | null
  readonly timeZone: string
  readonly ruleName: string
  readonly exclude: ReadonlySet<string> | undefined
  readonly limit: number
  /** Also account for team/skill members the index did not offer (not eligible), for explain. */
  readonly fullTrace: boolean
  readonly targets: RouteTarget[]
  /** The agents of `targets`, in the same order. */
  readonly chosen: AgentEntry[]
}
