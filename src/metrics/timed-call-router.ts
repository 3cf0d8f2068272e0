import { performance } from 'node:perf_hooks'
import { CallRouter, type CallRouterOptions, type RouteInput } from '../routing/call-router.js'
import type { RouteDecision } from '../routing/types.js'

/**
 * The routing core with its decisions timed from outside: the core itself stays
 * pure and knows nothing of metrics. `observe` gets the seconds each route() took.
 */
export class TimedCallRouter extends CallRouter {
  /** Set by the composition root once the metrics exist. */
  observe: ((seconds: number) => void) | null = null

  constructor(options: CallRouterOptions) {
    super(options)
  }

  override route(input: RouteInput): RouteDecision {
    const started = performance.now()
    const decision = super.route(input)
    this.observe?.((performance.now() - started) / 1000)
    return decision
  }
}
